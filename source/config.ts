import os from 'node:os';
import {defaultDatabasePath} from './bus/open.js';
import {defaultLogBase} from './report/session-log.js';

/** Every setting, resolved: flags beat environment, environment beats the config file, the file beats defaults. */
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
