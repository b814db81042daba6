import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {defaultDatabasePath} from './bus/open.js';
import {defaultLogBase} from './report/session-log.js';
import {UsageError} from './exit-codes.js';
import type {Flags} from './commands/flags.js';

/**
 * Every setting, resolved: flags beat environment, environment beats the config
 * file, the file beats defaults. A bad file never stops the dashboard: each
 * problem is reported with the file and the key, and that key keeps its default.
 */
export type Config = {
	dbPath: string;
	logBase: string;
	staleTimeoutMs: number;
	refreshMs: number;
	readOnly: boolean;
	bell: boolean;
	defaultTab: string;
	/** The session that launched the dashboard, if named. */
	sessionId: string | null;
	/** This machine's bus machine UUID, if known: sessions carrying it are local. */
	machineUuid: string | null;
	author: string;
	verbose: boolean;
	noLog: boolean;
	color: boolean;
};

export const TAB_NAMES = ['sessions', 'locks', 'claims', 'alerts', 'unread', 'lifecycle', 'stats'] as const;

export function defaultConfig(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): Config {
	return {
		dbPath: defaultDatabasePath(home),
		logBase: defaultLogBase(home),
		staleTimeoutMs: 300_000,
		refreshMs: 250,
		readOnly: false,
		bell: false,
		defaultTab: 'sessions',
		sessionId: null,
		machineUuid: null,
		author: 'session-status',
		verbose: false,
		noLog: false,
		color: env['NO_COLOR'] === undefined || env['NO_COLOR'] === '',
	};
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
	const base = env['XDG_CONFIG_HOME'] || path.join(home, '.config');
	return path.join(base, 'session-status', 'config.json');
}

function expandHome(value: string, home: string): string {
	return value === '~' || value.startsWith('~/') ? path.join(home, value.slice(1)) : value;
}

type FileKey = {
	/** Why the value is not acceptable, or null. */
	problem: (value: unknown) => string | null;
	set: (config: Config, value: never, home: string) => void;
};

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? null : 'must be text');
const flag = (value: unknown) => (typeof value === 'boolean' ? null : 'must be true or false');

/** The keys a config file may hold. */
export const FILE_KEYS: Record<string, FileKey> = {
	db: {problem: text, set: (config, value: string, home) => (config.dbPath = expandHome(value, home))},
	logDir: {problem: text, set: (config, value: string, home) => (config.logBase = expandHome(value, home))},
	refreshMs: {
		problem: value => (typeof value === 'number' && value >= 50 ? null : 'must be a number of milliseconds, at least 50'),
		set: (config, value: number) => (config.refreshMs = value),
	},
	staleTimeout: {
		problem: value => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? null : 'must be a positive number of seconds'),
		set: (config, value: number) => (config.staleTimeoutMs = value * 1000),
	},
	bell: {problem: flag, set: (config, value: boolean) => (config.bell = value)},
	readOnly: {problem: flag, set: (config, value: boolean) => (config.readOnly = value)},
	defaultTab: {
		problem: value => ((TAB_NAMES as readonly unknown[]).includes(value) ? null : `must be one of ${TAB_NAMES.join(', ')}`),
		set: (config, value: string) => (config.defaultTab = value),
	},
	machineUuid: {problem: text, set: (config, value: string) => (config.machineUuid = value)},
	author: {problem: text, set: (config, value: string) => (config.author = value)},
};

/**
 * Applies a config file onto `config`; returns one warning per problem. A missing
 * file is not a problem (unless it was asked for by name).
 */
export function applyConfigFile(config: Config, file: string, options: {required: boolean; home?: string}): string[] {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' && !options.required) return [];
		return [`config file ${file}: cannot be read (${(error as Error).message}); using defaults`];
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		return [`config file ${file}: not valid JSON (${(error as Error).message}); using defaults`];
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
		return [`config file ${file}: must hold a JSON object; using defaults`];
	const warnings: string[] = [];
	for (const [key, value] of Object.entries(parsed)) {
		const known = FILE_KEYS[key];
		if (!known) {
			warnings.push(`config file ${file}: unknown key "${key}" (known: ${Object.keys(FILE_KEYS).join(', ')}); ignored`);
			continue;
		}
		const problem = known.problem(value);
		if (problem) warnings.push(`config file ${file}: key "${key}" ${problem}; using the default`);
		else known.set(config, value as never, options.home ?? os.homedir());
	}
	return warnings;
}

/** Environment variables, applied after the file and before flags. */
export function applyEnvironment(config: Config, env: NodeJS.ProcessEnv): void {
	if (env['SESSION_STATUS_DB']) config.dbPath = env['SESSION_STATUS_DB'];
	if (env['SESSION_STATUS_SESSION']) config.sessionId = env['SESSION_STATUS_SESSION'];
	if (env['SESSION_STATUS_LOG_DIR']) config.logBase = env['SESSION_STATUS_LOG_DIR'];
}

/** Defaults, then the config file, then the environment: what flags start from. */
export function loadConfig(
	env: NodeJS.ProcessEnv,
	configPath: string | undefined,
	home = os.homedir(),
): {config: Config; warnings: string[]} {
	const config = defaultConfig(env, home);
	const file = configPath ?? env['SESSION_STATUS_CONFIG'] ?? defaultConfigPath(env, home);
	const warnings = applyConfigFile(config, file, {required: configPath !== undefined || env['SESSION_STATUS_CONFIG'] !== undefined, home});
	applyEnvironment(config, env);
	return {config, warnings};
}

/**
 * Everything resolved: defaults, file, environment, then flags. A bad flag value
 * throws a UsageError; each config-file problem goes to `warn`.
 */
export function resolveConfig(flags: Flags, warn: (warning: string) => void, env: NodeJS.ProcessEnv = process.env): Config {
	const {config, warnings} = loadConfig(env, flags.config);
	for (const warning of warnings) warn(warning);
	if (flags.db !== undefined) config.dbPath = flags.db;
	if (flags.session !== undefined) config.sessionId = flags.session;
	if (flags.tab !== undefined) {
		if (!(TAB_NAMES as readonly string[]).includes(flags.tab)) throw new UsageError(`--tab takes one of ${TAB_NAMES.join(', ')}`);
		config.defaultTab = flags.tab;
	}
	if (flags['log-dir'] !== undefined) config.logBase = flags['log-dir'];
	if (flags['machine-uuid'] !== undefined) config.machineUuid = flags['machine-uuid'];
	if (flags.author !== undefined) config.author = flags.author;
	const staleTimeout = flags['stale-timeout'];
	if (staleTimeout !== undefined) {
		if (!(staleTimeout > 0)) throw new UsageError('--stale-timeout takes a positive number of seconds');
		config.staleTimeoutMs = staleTimeout * 1000;
	}
	config.readOnly = flags['read-only'] || config.readOnly;
	config.noLog = flags['no-log'] || config.noLog;
	config.verbose = flags.verbose;
	config.bell = flags.bell || config.bell;
	if (flags.refresh !== undefined) {
		if (!(flags.refresh >= 50)) throw new UsageError('--refresh takes milliseconds, at least 50');
		config.refreshMs = flags.refresh;
	}
	return config;
}
