import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {defaultDatabasePath} from './bus/open.js';
import {defaultLogBase} from './report/session-log.js';

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
	/** How the setting is checked and stored. */
	apply: (config: Config, value: unknown, home: string) => string | null;
};

const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** The keys a config file may hold: each returns an error text, or null when applied. */
export const FILE_KEYS: Record<string, FileKey> = {
	db: {apply: (config, value, home) => (typeof value === 'string' && value !== '' ? ((config.dbPath = expandHome(value, home)), null) : 'must be a path (text)')},
	logDir: {apply: (config, value, home) => (typeof value === 'string' && value !== '' ? ((config.logBase = expandHome(value, home)), null) : 'must be a folder path (text)')},
	refreshMs: {apply: (config, value) => (positive(value) && (value as number) >= 50 ? ((config.refreshMs = value as number), null) : 'must be a number of milliseconds, at least 50')},
	staleTimeout: {apply: (config, value) => (positive(value) ? ((config.staleTimeoutMs = (value as number) * 1000), null) : 'must be a positive number of seconds')},
	bell: {apply: (config, value) => (typeof value === 'boolean' ? ((config.bell = value), null) : 'must be true or false')},
	readOnly: {apply: (config, value) => (typeof value === 'boolean' ? ((config.readOnly = value), null) : 'must be true or false')},
	defaultTab: {
		apply: (config, value) =>
			typeof value === 'string' && (TAB_NAMES as readonly string[]).includes(value) ? ((config.defaultTab = value), null) : `must be one of ${TAB_NAMES.join(', ')}`,
	},
	machineUuid: {apply: (config, value) => (typeof value === 'string' && value !== '' ? ((config.machineUuid = value), null) : 'must be text')},
	author: {apply: (config, value) => (typeof value === 'string' && value !== '' ? ((config.author = value), null) : 'must be text')},
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
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [`config file ${file}: must hold a JSON object; using defaults`];
	const warnings: string[] = [];
	for (const [key, value] of Object.entries(parsed)) {
		const known = FILE_KEYS[key];
		if (!known) {
			warnings.push(`config file ${file}: unknown key "${key}" (known: ${Object.keys(FILE_KEYS).join(', ')}); ignored`);
			continue;
		}
		const problem = known.apply(config, value, options.home ?? os.homedir());
		if (problem) warnings.push(`config file ${file}: key "${key}" ${problem}; using the default`);
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
export function loadConfig(env: NodeJS.ProcessEnv, configPath: string | undefined, home = os.homedir()): {config: Config; warnings: string[]} {
	const config = defaultConfig(env, home);
	const file = configPath ?? env['SESSION_STATUS_CONFIG'] ?? defaultConfigPath(env, home);
	const warnings = applyConfigFile(config, file, {required: configPath !== undefined || env['SESSION_STATUS_CONFIG'] !== undefined, home});
	applyEnvironment(config, env);
	return {config, warnings};
}
