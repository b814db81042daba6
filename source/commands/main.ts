import meow from 'meow';
import {EXIT_CODES} from '../bus/open.js';
import {type Config, TAB_NAMES, loadConfig} from '../config.js';
import {type PrintSection, runPrint} from './print.js';

// The live dashboard (ink, react) is imported only when it runs: printing and
// --json stay free of it and start fast.

const cli = meow(
	`
	Usage
	  $ session-status [options]          live dashboard (or the printed one when stdout is not a terminal)
	  $ session-status demo [options]     the dashboard on a demo bus with live simulated agents

	Views (print that section with --once; open the dashboard on it otherwise)
	  --stats           Bus statistics
	  --alerts          Operator alerts
	  --locks           File locks
	  --claims          Task claims
	  --unread          Unread messages of this session (every recipient's when none)
	  --lifecycle       Recent session lifecycle events (newest 20)

	Options
	  --db PATH               Database (default ~/.coditect-data/context-storage/messaging.db; env SESSION_STATUS_DB)
	  --config PATH           Config file (default ~/.config/session-status/config.json; env SESSION_STATUS_CONFIG)
	  --once                  Print the dashboard once and exit (default when stdout is not a terminal)
	  --json                  Print the snapshot as JSON and exit; writes nothing
	  --read-only             Make no write to the bus (no delivery, acknowledgement or release); say what would be released
	  --no-log                Do not append the session-log entry
	  --log-dir DIR           Base folder of session logs (default ~/.coditect-data/session-logs/projects; env SESSION_STATUS_LOG_DIR)
	  --stale-timeout SECONDS Heartbeat age after which a session is stale (default 300)
	  --session ID            The current session (env SESSION_STATUS_SESSION; default: the registered ancestor process)
	  --machine-uuid UUID     This machine's bus machine UUID (sessions with it are local)
	  --author TEXT           Log entry author when no current session (default session-status)
	  --verbose               Full timestamps and bus details
	  --status-line           Print one summary line for a status bar and exit; writes nothing
	  --format FORMAT         With --status-line: plain or tmux (default plain)
	  --tab NAME              Live dashboard: the tab to open (sessions, locks, claims, alerts, unread, lifecycle, stats)
	  --bell                  Ring the terminal bell when a new critical alert arrives (live dashboard)
	  --refresh MS            How often the live dashboard checks the bus for commits (default 250)
	  --version               Print the version
	  --help                  Print this help

	Exit codes
	  0  ok                     5  database locked (gave up)
	  1  other error            6  session log could not be written (dashboard printed)
	  2  bad usage              8  a critical operator alert is open (printed runs)
	  3  database not found
	  4  not an SQLite database / corrupt

	Examples
	  $ session-status
	  $ session-status --once --no-log
	  $ session-status --alerts --once
	  $ session-status --json --db ./messaging.db | jq '.sessions[].state'
`,
	{
		importMeta: import.meta,
		allowUnknownFlags: false,
		flags: {
			db: {type: 'string'},
			config: {type: 'string'},
			tab: {type: 'string'},
			statusLine: {type: 'boolean', default: false},
			format: {type: 'string'},
			once: {type: 'boolean', default: false},
			json: {type: 'boolean', default: false},
			stats: {type: 'boolean', default: false},
			alerts: {type: 'boolean', default: false},
			locks: {type: 'boolean', default: false},
			claims: {type: 'boolean', default: false},
			unread: {type: 'boolean', default: false},
			lifecycle: {type: 'boolean', default: false},
			readOnly: {type: 'boolean', default: false},
			log: {type: 'boolean', default: true},
			logDir: {type: 'string'},
			staleTimeout: {type: 'number'},
			session: {type: 'string'},
			machineUuid: {type: 'string'},
			author: {type: 'string'},
			verbose: {type: 'boolean', default: false},
			bell: {type: 'boolean', default: false},
			refresh: {type: 'number'},
		},
	},
);

function usageError(message: string): never {
	process.stderr.write(`session-status: ${message}\nRun session-status --help for usage.\n`);
	process.exit(EXIT_CODES.usage);
}

function resolveConfig(): Config {
	const {config, warnings} = loadConfig(process.env, cli.flags.config);
	for (const warning of warnings) process.stderr.write(`session-status: ${warning}\n`);
	const {flags} = cli;
	if (flags.db !== undefined) config.dbPath = flags.db;
	if (flags.session !== undefined) config.sessionId = flags.session;
	if (flags.tab !== undefined) {
		if (!(TAB_NAMES as readonly string[]).includes(flags.tab)) usageError(`--tab takes one of ${TAB_NAMES.join(', ')}`);
		config.defaultTab = flags.tab;
	}
	if (flags.logDir !== undefined) config.logBase = flags.logDir;
	if (flags.machineUuid !== undefined) config.machineUuid = flags.machineUuid;
	if (flags.author !== undefined) config.author = flags.author;
	if (flags.staleTimeout !== undefined) {
		if (!Number.isFinite(flags.staleTimeout) || flags.staleTimeout <= 0) usageError('--stale-timeout takes a positive number of seconds');
		config.staleTimeoutMs = flags.staleTimeout * 1000;
	}
	config.readOnly = flags.readOnly || config.readOnly;
	config.noLog = !flags.log || config.noLog;
	config.verbose = flags.verbose;
	config.bell = flags.bell || config.bell;
	if (flags.refresh !== undefined) {
		if (!Number.isFinite(flags.refresh) || flags.refresh < 50) usageError('--refresh takes milliseconds, at least 50');
		config.refreshMs = flags.refresh;
	}
	return config;
}

function chosenSection(): PrintSection {
	const {flags} = cli;
	if (flags.json) return 'json';
	const sections = (['stats', 'alerts', 'locks', 'claims', 'unread', 'lifecycle'] as const).filter(name => flags[name]);
	if (sections.length > 1) usageError(`choose one view, not ${sections.map(name => `--${name}`).join(' and ')}`);
	return sections[0] ?? 'dashboard';
}

async function main(): Promise<number> {
	const [command, ...extra] = cli.input;
	if (extra.length > 0 || (command !== undefined && command !== 'demo')) usageError(`unknown command: ${cli.input.join(' ')}`);
	const config = resolveConfig();
	if (cli.flags.statusLine) {
		const format = cli.flags.format ?? 'plain';
		if (format !== 'plain' && format !== 'tmux') usageError('--format takes plain or tmux');
		const {statusLine} = await import('./status-line.js');
		process.stdout.write(`${statusLine(config, format)}\n`);
		return EXIT_CODES.ok;
	}
	if (cli.flags.format !== undefined) usageError('--format goes with --status-line');
	let demo: {stop: () => void} | null = null;
	if (command === 'demo') {
		const {startDemo} = await import('../demo/demo.js');
		const bus = await startDemo();
		demo = bus;
		config.dbPath = bus.dbPath;
		config.logBase = cli.flags.logDir ?? bus.logBase;
		config.sessionId = cli.flags.session ?? bus.agents[0]!;
		// Short enough that the silent agent goes stale while you watch.
		if (cli.flags.staleTimeout === undefined) config.staleTimeoutMs = 45_000;
	}
	try {
		return await run(config);
	} finally {
		demo?.stop();
	}
}

async function run(config: Config): Promise<number> {
	const section = chosenSection();
	const interactive = process.stdout.isTTY && process.stdin.isTTY && !cli.flags.once && section !== 'json';
	if (interactive) {
		const {runDashboard} = await import('../ui/run.js');
		return runDashboard({...config, defaultTab: section === 'dashboard' ? config.defaultTab : section});
	}
	const io = {out: (text: string) => process.stdout.write(`${text}\n`), err: (text: string) => process.stderr.write(`${text}\n`)};
	return runPrint(config, section, io);
}

export function runMain(): void {
	main().then(
	code => {
		process.exitCode = code;
	},
	(error: unknown) => {
		process.stderr.write(`session-status: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exitCode = EXIT_CODES.error;
	},
	);
}
