import os from 'node:os';
import path from 'node:path';
import {defaultDatabasePath} from './bus/open.js';
import {defaultLogBase} from './report/session-log.js';
import {TABS, TAB_IDS} from './tab-ids.js';
import {type Context, filePath, noColor, notifyCommand, number, onOff, oneOf, text} from './settings/parsers.js';
import type {NotifyCommand} from './processes/notifier.js';
import {type FlagsOf, type Setting, applyEnvironment, applyFile, applyFlags, readFlags, tableDefaults} from './settings/table.js';
import {renderHelp} from './settings/help.js';
import {commandWords, duplicateRemote, remote} from './settings/remotes.js';
import type {RemoteSpec} from './fleet/transport.js';

/**
 * Every setting once: its field, flag, environment variable, config-file key, parser,
 * default and help. Parsing the command line, --help, the config file's checking, the
 * environment's overrides and the resolved Config all follow from this table.
 * Precedence: flags, then environment, then the config file, then the defaults. A bad
 * config file never stops the dashboard: each problem is reported with the file and the
 * key, and that key keeps its default.
 */

export const STATUS_FORMATS = ['plain', 'tmux'] as const;

/** Every setting, resolved. */
export type Config = {
	dbPath: string;
	logBase: string;
	staleTimeoutMs: number;
	refreshMs: number;
	readOnly: boolean;
	bell: boolean;
	/** Run when something needs the operator (live dashboard); null: none. */
	notify: NotifyCommand | null;
	/** The operator's id on the bus when no current session is known: the sender of `m`, the owner of mail to it. */
	operator: string;
	defaultTab: (typeof TAB_IDS)[number];
	/** The session that launched the dashboard, if named. */
	sessionId: string | null;
	/** This machine's bus machine UUID, if known: sessions carrying it are local. */
	machineUuid: string | null;
	author: string;
	verbose: boolean;
	noLog: boolean;
	color: boolean;
	/** How `--status-line` prints its line. */
	format: (typeof STATUS_FORMATS)[number];
	/** Other machines' buses, each read by its own `session-status serve`; names unique, never `local`. */
	remotes: RemoteSpec[];
	/** Leave this machine's bus out (a machine that only watches). */
	noLocal: boolean;
	/** How long --once and --json wait for each remote. */
	remoteTimeoutMs: number;
	/** The ssh command and its own arguments, as words (never a shell string). */
	sshCommand: string[];
};

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
	const base = env['XDG_CONFIG_HOME'] || path.join(home, '.config');
	return path.join(base, 'session-status', 'config.json');
}

const TAB = oneOf(TAB_IDS);
const FORMAT = oneOf(STATUS_FORMATS);

/** Read before the others: it says where the config file is. */
const CONFIG_FILE = {
	flag: 'config',
	valueName: 'PATH',
	env: 'SESSION_STATUS_CONFIG',
	parse: filePath,
	defaultHelp: defaultConfigPath({}, '~'),
	help: 'Config file',
	group: 'options',
} as const;

export const SETTINGS = [
	// The view flags: one per tab.
	...TABS.map(tab => ({flag: tab.id, parse: onOff, help: tab.help, group: 'views'}) as const),
	{
		field: 'dbPath',
		flag: 'db',
		valueName: 'PATH',
		env: 'SESSION_STATUS_DB',
		fileKey: 'db',
		parse: filePath,
		default: defaultDatabasePath('~'),
		help: 'Database',
		group: 'options',
	},
	CONFIG_FILE,
	{
		flag: 'once',
		parse: onOff,
		help: 'Print the dashboard once and exit, and act on it: release stale sessions, mark the alerts printed as delivered, append the session-log entry. Without --once, printed output (stdout not a terminal) writes nothing',
		group: 'options',
	},
	{flag: 'json', parse: onOff, help: 'Print the snapshot as JSON and exit; writes nothing', group: 'options'},
	{
		field: 'readOnly',
		flag: 'read-only',
		fileKey: 'readOnly',
		parse: onOff,
		default: false,
		help: 'Make no write to the bus (no delivery, acknowledgement, release or message); say what would be released',
		group: 'options',
	},
	{field: 'noLog', flag: 'no-log', parse: onOff, default: false, help: 'Do not append the session-log entry', group: 'options'},
	{
		field: 'logBase',
		flag: 'log-dir',
		valueName: 'DIR',
		env: 'SESSION_STATUS_LOG_DIR',
		fileKey: 'logDir',
		parse: filePath,
		default: defaultLogBase('~'),
		help: 'Base folder of session logs',
		group: 'options',
	},
	{
		field: 'staleTimeoutMs',
		flag: 'stale-timeout',
		valueName: 'SECONDS',
		fileKey: 'staleTimeout',
		parse: number('a positive number of seconds', seconds => seconds > 0, 1000),
		default: 300,
		help: 'Heartbeat age after which a session is stale',
		group: 'options',
	},
	{
		field: 'sessionId',
		flag: 'session',
		valueName: 'ID',
		env: 'SESSION_STATUS_SESSION',
		parse: text,
		default: null,
		defaultHelp: 'the registered ancestor process',
		help: 'The current session',
		group: 'options',
	},
	{
		field: 'machineUuid',
		flag: 'machine-uuid',
		valueName: 'UUID',
		fileKey: 'machineUuid',
		parse: text,
		default: null,
		help: "This machine's bus machine UUID (sessions with it are local)",
		group: 'options',
	},
	{
		field: 'author',
		flag: 'author',
		valueName: 'TEXT',
		fileKey: 'author',
		parse: text,
		default: 'session-status',
		help: 'Log entry author when no current session',
		group: 'options',
	},
	{field: 'verbose', flag: 'verbose', parse: onOff, default: false, help: 'Full timestamps and bus details', group: 'options'},
	{flag: 'status-line', parse: onOff, help: 'Print one summary line for a status bar and exit; writes nothing', group: 'options'},
	{
		field: 'format',
		flag: 'format',
		valueName: 'FORMAT',
		parse: FORMAT,
		default: 'plain',
		help: `With --status-line: ${FORMAT.takes}`,
		group: 'options',
	},
	{
		field: 'defaultTab',
		flag: 'tab',
		valueName: 'NAME',
		fileKey: 'defaultTab',
		parse: TAB,
		default: TAB_IDS[0],
		help: `Live dashboard: the tab to open, ${TAB.takes}`,
		group: 'options',
	},
	{
		field: 'bell',
		flag: 'bell',
		fileKey: 'bell',
		parse: onOff,
		default: false,
		help: 'Ring the terminal bell when a new critical alert arrives (live dashboard)',
		group: 'options',
	},
	{
		field: 'notify',
		flag: 'notify',
		valueName: 'COMMAND',
		fileKey: 'notify',
		parse: notifyCommand,
		default: null,
		help: 'Live dashboard: run COMMAND (by /bin/sh) when something needs you; the event is in its environment and on its stdin',
		group: 'options',
	},
	{
		field: 'operator',
		flag: 'operator',
		valueName: 'ID',
		env: 'SESSION_STATUS_OPERATOR',
		fileKey: 'operator',
		parse: text,
		default: 'operator',
		help: 'Your id on the bus when there is no current session: m sends as it, mail to it is yours',
		group: 'options',
	},
	{
		field: 'refreshMs',
		flag: 'refresh',
		valueName: 'MS',
		fileKey: 'refreshMs',
		parse: number('a number of milliseconds, at least 50', ms => ms >= 50),
		default: 250,
		help: 'How often the live dashboard checks the bus for commits',
		group: 'options',
	},
	{
		field: 'remotes',
		flag: 'remote',
		valueName: 'DEST',
		repeatable: true,
		flagsAdd: true,
		fileKey: 'remotes',
		parse: remote,
		checkList: duplicateRemote,
		default: [],
		help: "Also show the bus of DEST (a host, user@host or an ssh alias; its name is DEST), read by session-status serve there through ssh; repeatable, added to the config file's remotes. The ssh command is SESSION_STATUS_SSH_COMMAND (default: ssh), split into words as a shell would (quotes, backslashes) but run without one: nothing in it is expanded but a leading ~/, which is your home folder",
		group: 'options',
	},
	{
		field: 'noLocal',
		flag: 'no-local',
		parse: onOff,
		default: false,
		help: "Leave this machine's bus out (show only the remotes)",
		group: 'options',
	},
	{
		field: 'remoteTimeoutMs',
		flag: 'remote-timeout',
		valueName: 'SECONDS',
		fileKey: 'remoteTimeout',
		parse: number('a positive number of seconds', seconds => seconds > 0, 1000),
		default: 5,
		help: 'How long --once and --json wait for each remote',
		group: 'options',
	},
	{field: 'sshCommand', env: 'SESSION_STATUS_SSH_COMMAND', parse: commandWords, default: 'ssh'},
	// NO_COLOR (https://no-color.org): set to any text, no colour.
	{field: 'color', env: 'NO_COLOR', parse: noColor, default: true},
	{flag: 'version', parse: onOff, help: 'Print the version', group: 'options'},
	{flag: 'help', parse: onOff, help: 'Print this help', group: 'options'},
] as const satisfies ReadonlyArray<Setting<Config>>;

export type Flags = FlagsOf<typeof SETTINGS>;
export type ParsedArgs = {flags: Flags; input: string[]};

function context(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): Context {
	return {env, home, cwd: process.cwd()};
}

/** Reads argv through the table; a bad flag or value throws a UsageError. */
export function parseFlags(argv: string[]): ParsedArgs {
	const {flags, input} = readFlags(SETTINGS, argv, context());
	return {flags: flags as Flags, input};
}

export function helpText(description: string): string {
	return renderHelp(SETTINGS, description);
}

export function defaultConfig(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): Config {
	return tableDefaults(SETTINGS, context(env, home)) as Config;
}

/**
 * Applies a config file onto `config`; returns one warning per problem. A missing
 * file is not a problem (unless it was asked for by name).
 */
export function applyConfigFile(config: Config, file: string, options: {required: boolean; home?: string}): string[] {
	return applyFile(SETTINGS, config, file, options.required, context(process.env, options.home));
}

/** Defaults, then the config file, then the environment: what flags start from. */
export function loadConfig(
	env: NodeJS.ProcessEnv,
	configPath: string | undefined,
	home = os.homedir(),
): {config: Config; warnings: string[]} {
	const config = defaultConfig(env, home);
	const named = configPath ?? CONFIG_FILE.parse.read(env[CONFIG_FILE.env], context(env, home));
	const warnings = applyConfigFile(config, named ?? defaultConfigPath(env, home), {required: named !== undefined, home});
	warnings.push(...applyEnvironment(SETTINGS, config, context(env, home)));
	return {config, warnings};
}

/**
 * Everything resolved: defaults, file, environment, then flags. Each config-file
 * problem goes to `warn`.
 */
export function resolveConfig(flags: Flags, warn: (warning: string) => void, env: NodeJS.ProcessEnv = process.env): Config {
	const {config, warnings} = loadConfig(env, flags.config);
	for (const warning of warnings) warn(warning);
	applyFlags(SETTINGS, config, flags);
	return config;
}
