import {EXIT_CODES, UsageError} from '../exit-codes.js';
import {type Config, type ParsedArgs, helpText, resolveConfig} from '../settings.js';
import {TAB_IDS} from '../tab-ids.js';
import type {PrintSection} from './print.js';

// The live dashboard (ink, react) and the printed one are each imported only when
// they run: printing and --json stay free of ink, the dashboard of the printers.

// Set by the build from package.json.
declare const PACKAGE_VERSION: string;
declare const PACKAGE_DESCRIPTION: string;

function chosenSection({flags}: ParsedArgs): PrintSection {
	if (flags.json) return 'json';
	const sections = TAB_IDS.filter(id => flags[id]);
	if (sections.length > 1) throw new UsageError(`choose one view, not ${sections.map(name => `--${name}`).join(' and ')}`);
	return sections[0] ?? 'dashboard';
}

async function main(args: ParsedArgs): Promise<number> {
	const {flags, input} = args;
	if (flags.help) {
		process.stdout.write(`${helpText(PACKAGE_DESCRIPTION)}\n`);
		return EXIT_CODES.ok;
	}
	if (flags.version) {
		process.stdout.write(`${PACKAGE_VERSION}\n`);
		return EXIT_CODES.ok;
	}
	const [command, ...extra] = input;
	if (extra.length > 0 || (command !== undefined && command !== 'demo' && command !== 'serve'))
		throw new UsageError(`unknown command: ${input.join(' ')}`);
	if (flags.format !== undefined) throw new UsageError('--format goes with --status-line');
	const config = resolveConfig(flags, warning => process.stderr.write(`session-status: ${warning}\n`));
	if (command === 'serve') {
		const {runServe} = await import('../fleet/serve.js');
		// Its input may still be open (the viewer stopped pinging): nothing may keep it running.
		process.exit(await runServe(config));
	}
	const section = chosenSection(args);
	if (config.noLocal && config.remotes.length === 0 && command !== 'demo')
		throw new UsageError('--no-local leaves no machine to show: name a remote (--remote DEST, or "remotes" in the config file)');
	let demo: {stop: () => void} | null = null;
	if (command === 'demo') {
		const {startDemo} = await import('../demo/demo.js');
		const bus = await startDemo();
		demo = bus;
		config.dbPath = bus.dbPath;
		config.logBase = flags['log-dir'] ?? bus.logBase;
		config.sessionId = flags.session ?? bus.agents[0];
		config.remotes = [...config.remotes, ...bus.remotes];
		// Short enough that the silent agent goes stale while you watch.
		if (flags['stale-timeout'] === undefined) config.staleTimeoutMs = 45_000;
	}
	try {
		return await run(config, section, flags.once);
	} finally {
		demo?.stop();
	}
}

async function run(config: Config, section: PrintSection, once: boolean): Promise<number> {
	const interactive = process.stdout.isTTY && process.stdin.isTTY && !once && section !== 'json';
	if (interactive) {
		const {runDashboard} = await import('../ui/run.js');
		return runDashboard({...config, defaultTab: section === 'dashboard' ? config.defaultTab : section});
	}
	const {runPrint} = await import('./print.js');
	// Printed because stdout is not a terminal (a pipe, a file) and not asked with --once: it only reads.
	const implicit = !once && section !== 'json';
	const printConfig = implicit ? {...config, readOnly: true, noLog: true} : config;
	// `session-status --once | head`: the reader has gone, which is no error of ours.
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code !== 'EPIPE') throw error;
		process.exit(EXIT_CODES.ok);
	});
	const io = {out: (text: string) => process.stdout.write(`${text}\n`), err: (text: string) => process.stderr.write(`${text}\n`)};
	return runPrint(printConfig, section, io, implicit ? {noWritesBecause: 'Printed without --once, nothing written'} : {});
}

export function runMain(args: ParsedArgs, usageError: (message: string, helpHint: boolean) => never): void {
	main(args).then(
		code => {
			process.exitCode = code;
		},
		(error: unknown) => {
			if (error instanceof UsageError) usageError(error.message, error.helpHint);
			process.stderr.write(
				`session-status: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
			);
			process.exitCode = EXIT_CODES.error;
		},
	);
}
