import {parseArgs} from 'node:util';
import {EXIT_CODES, EXIT_CODE_MEANINGS, UsageError} from '../exit-codes.js';

/**
 * Every flag once: this table drives parsing and `--help`. Parsing is node's own
 * parseArgs (a status bar runs `--status-line` every few seconds, and a flag
 * library cost every run about 20 ms at start-up); the help keeps meow's form:
 * description, usage, flags with their defaults, exit codes, examples.
 */

type FlagSpec = {
	name: string;
	type: 'boolean' | 'string' | 'number';
	/** Shown after the flag in the help: `--db PATH`. */
	value?: string;
	help: string;
	group: 'views' | 'options';
};

export const FLAGS = [
	{name: 'stats', type: 'boolean', group: 'views', help: 'Bus statistics'},
	{name: 'alerts', type: 'boolean', group: 'views', help: 'Operator alerts'},
	{name: 'locks', type: 'boolean', group: 'views', help: 'File locks'},
	{name: 'claims', type: 'boolean', group: 'views', help: 'Task claims'},
	{name: 'unread', type: 'boolean', group: 'views', help: "Unread messages of this session (every recipient's when none)"},
	{name: 'lifecycle', type: 'boolean', group: 'views', help: 'Recent session lifecycle events (newest 20)'},
	{
		name: 'db',
		type: 'string',
		value: 'PATH',
		group: 'options',
		help: 'Database (default ~/.coditect-data/context-storage/messaging.db; env SESSION_STATUS_DB)',
	},
	{
		name: 'config',
		type: 'string',
		value: 'PATH',
		group: 'options',
		help: 'Config file (default ~/.config/session-status/config.json; env SESSION_STATUS_CONFIG)',
	},
	{name: 'once', type: 'boolean', group: 'options', help: 'Print the dashboard once and exit (default when stdout is not a terminal)'},
	{name: 'json', type: 'boolean', group: 'options', help: 'Print the snapshot as JSON and exit; writes nothing'},
	{
		name: 'read-only',
		type: 'boolean',
		group: 'options',
		help: 'Make no write to the bus (no delivery, acknowledgement or release); say what would be released',
	},
	{name: 'no-log', type: 'boolean', group: 'options', help: 'Do not append the session-log entry'},
	{
		name: 'log-dir',
		type: 'string',
		value: 'DIR',
		group: 'options',
		help: 'Base folder of session logs (default ~/.coditect-data/session-logs/projects; env SESSION_STATUS_LOG_DIR)',
	},
	{
		name: 'stale-timeout',
		type: 'number',
		value: 'SECONDS',
		group: 'options',
		help: 'Heartbeat age after which a session is stale (default 300)',
	},
	{
		name: 'session',
		type: 'string',
		value: 'ID',
		group: 'options',
		help: 'The current session (env SESSION_STATUS_SESSION; default: the registered ancestor process)',
	},
	{
		name: 'machine-uuid',
		type: 'string',
		value: 'UUID',
		group: 'options',
		help: "This machine's bus machine UUID (sessions with it are local)",
	},
	{
		name: 'author',
		type: 'string',
		value: 'TEXT',
		group: 'options',
		help: 'Log entry author when no current session (default session-status)',
	},
	{name: 'verbose', type: 'boolean', group: 'options', help: 'Full timestamps and bus details'},
	{name: 'status-line', type: 'boolean', group: 'options', help: 'Print one summary line for a status bar and exit; writes nothing'},
	{name: 'format', type: 'string', value: 'FORMAT', group: 'options', help: 'With --status-line: plain or tmux (default plain)'},
	{
		name: 'tab',
		type: 'string',
		value: 'NAME',
		group: 'options',
		help: 'Live dashboard: the tab to open (sessions, locks, claims, alerts, unread, lifecycle, stats)',
	},
	{name: 'bell', type: 'boolean', group: 'options', help: 'Ring the terminal bell when a new critical alert arrives (live dashboard)'},
	{
		name: 'refresh',
		type: 'number',
		value: 'MS',
		group: 'options',
		help: 'How often the live dashboard checks the bus for commits (default 250)',
	},
	{name: 'version', type: 'boolean', group: 'options', help: 'Print the version'},
	{name: 'help', type: 'boolean', group: 'options', help: 'Print this help'},
] as const satisfies readonly FlagSpec[];

type Flag = (typeof FLAGS)[number];
type ValueOf<F extends Flag> = F['type'] extends 'boolean' ? boolean : F['type'] extends 'number' ? number | undefined : string | undefined;
export type Flags = {[F in Flag as F['name']]: ValueOf<F>};
export type ParsedArgs = {flags: Flags; input: string[]};

/** The flags that choose one view: `--stats`, `--alerts`, ... */
export const VIEW_FLAGS = FLAGS.filter((flag): flag is Extract<Flag, {group: 'views'}> => flag.group === 'views').map(flag => flag.name);

export function parseFlags(argv: string[]): ParsedArgs {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			strict: true,
			allowPositionals: true,
			options: Object.fromEntries(FLAGS.map(flag => [flag.name, {type: flag.type === 'boolean' ? 'boolean' : 'string'}] as const)),
		});
	} catch (error) {
		// parseArgs explains itself ("Unknown option '--x'", "Option '--db <value>' argument missing").
		throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
	}
	const flags: Record<string, unknown> = {};
	for (const flag of FLAGS as readonly FlagSpec[]) {
		const value = parsed.values[flag.name];
		if (flag.type === 'boolean') flags[flag.name] = value === true;
		else if (flag.type === 'number' && typeof value === 'string') {
			const number = value.trim() === '' ? Number.NaN : Number(value);
			if (!Number.isFinite(number)) throw new UsageError(`--${flag.name} takes a number, not "${value}"`);
			flags[flag.name] = number;
		} else flags[flag.name] = value;
	}
	return {flags: flags as Flags, input: parsed.positionals};
}

const flagColumn = (flag: FlagSpec, width: number) => `${`--${flag.name}${flag.value ? ` ${flag.value}` : ''}`.padEnd(width)}${flag.help}`;

// Two columns, as `0  ok                     5  database locked (gave up)`.
function exitCodeLines(): string[] {
	const entries = (Object.keys(EXIT_CODES) as Array<keyof typeof EXIT_CODES>).map(key => `${EXIT_CODES[key]}  ${EXIT_CODE_MEANINGS[key]}`);
	const half = Math.ceil(entries.length / 2);
	return entries.slice(0, half).map((left, row) => `    ${entries[half + row] ? `${left.padEnd(25)}${entries[half + row]}` : left}`);
}

export function helpText(description: string): string {
	const section = (group: FlagSpec['group'], width: number) =>
		(FLAGS as readonly FlagSpec[]).filter(flag => flag.group === group).map(flag => `    ${flagColumn(flag, width)}`);
	return [
		'',
		`  ${description}`,
		'',
		'  Usage',
		'    $ session-status [options]          live dashboard (or the printed one when stdout is not a terminal)',
		'    $ session-status demo [options]     the dashboard on a demo bus with live simulated agents',
		'',
		'  Views (print that section with --once; open the dashboard on it otherwise)',
		...section('views', 18),
		'',
		'  Options',
		...section('options', 24),
		'',
		'  Exit codes',
		...exitCodeLines(),
		'',
		'  Examples',
		'    $ session-status',
		'    $ session-status --once --no-log',
		'    $ session-status --alerts --once',
		"    $ session-status --json --db ./messaging.db | jq '.sessions[].state'",
		'',
	].join('\n');
}
