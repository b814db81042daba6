/** The process's exit codes, one table for the code and `--help`. */
export const EXIT_CODES = {
	ok: 0,
	error: 1,
	usage: 2,
	notFound: 3,
	notADatabase: 4,
	locked: 5,
	logFailed: 6,
	remoteUnreachable: 7,
	criticalAlert: 8,
} as const;

export const EXIT_CODE_MEANINGS: Record<keyof typeof EXIT_CODES, string> = {
	ok: 'ok',
	error: 'other error',
	usage: 'bad usage',
	notFound: 'database not found',
	notADatabase: 'not an SQLite database / corrupt',
	locked: 'database locked (gave up)',
	logFailed: 'session log could not be written (dashboard printed)',
	remoteUnreachable: 'printed, but at least one remote could not be read',
	criticalAlert: 'a critical operator alert is open (printed runs)',
};

/** A bad command line or setting: exit 2, with a pointer to --help when that would help. */
export class UsageError extends Error {
	constructor(
		message: string,
		readonly helpHint = true,
	) {
		super(message);
	}
}
