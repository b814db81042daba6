import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {tempDir} from './fixtures.js';

/**
 * Runs the BUILT command line (`node dist/cli.js ...`) as a subprocess, with HOME
 * pointed at a temporary folder and none of the caller's SESSION_STATUS_* settings,
 * so nothing reads or touches the real home.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'dist', 'cli.js');
/** The installed command: the shell launcher that starts Node on cli.js. */
export const LAUNCHER = path.join(ROOT, 'dist', 'session-status');

/** The command the launcher ran, from the trace `sh -x` wrote of it ('' when it ran none). */
export function launchedCommand(trace: string): string {
	return /^\+ exec (.*)$/m.exec(trace)?.[1] ?? '';
}

/** Fails loudly, once, when the CLI was not built (npm test builds before testing). */
export function requireBuiltCli(): void {
	if (!fs.existsSync(CLI)) {
		throw new Error(
			`${CLI} does not exist: these tests run the built CLI. Run \`npm run build\` first (\`npm test\` builds before testing).`,
		);
	}
}

export type RunResult = {
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
	/** Raw stdout bytes. */
	raw: Buffer;
	lines: string[];
	ms: number;
};

export type RunOptions = {
	/** HOME of the child; a fresh temporary folder when omitted. */
	home?: string;
	/** Extra environment (SESSION_STATUS_DB, ...). */
	env?: Record<string, string>;
	timeoutMs?: number;
};

let scratchRoot: string | null = null;

/** A fresh folder under one temporary root per test process (removed at exit). */
export function scratch(prefix = 'tmp-'): string {
	scratchRoot ??= tempDir('session-status-cli-');
	return fs.mkdtempSync(path.join(scratchRoot, prefix));
}

export function run(args: string[], options: RunOptions = {}): RunResult {
	const home = options.home ?? scratch('home-');
	const env: Record<string, string> = {PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', ...options.env};
	const started = Date.now();
	const result = spawnSync(process.execPath, [CLI, ...args], {
		cwd: home,
		env,
		encoding: 'buffer',
		timeout: options.timeoutMs ?? 20_000,
		maxBuffer: 512 * 1024 * 1024,
	});
	const ms = Date.now() - started;
	if (result.error) throw result.error;
	const stdout = result.stdout.toString('utf8');
	return {
		code: result.status,
		signal: result.signal,
		stdout,
		stderr: result.stderr.toString('utf8'),
		raw: result.stdout,
		lines: stdout.replace(/\n$/, '').split('\n'),
		ms,
	};
}

/** Every row of every table (rowid order), as one comparable value. */
export function dumpDatabase(dbPath: string): Record<string, unknown[]> {
	const db = new Database(dbPath, {readonly: true, fileMustExist: true});
	try {
		const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{name: string}>).map(
			row => row.name,
		);
		return Object.fromEntries(tables.map(table => [table, db.prepare(`SELECT rowid AS _rowid, * FROM "${table}" ORDER BY rowid`).all()]));
	} finally {
		db.close();
	}
}

/** Runs `fn` on a fresh read-write connection and closes it. */
export function withDb<T>(dbPath: string, fn: (db: Database.Database) => T): T {
	const db = new Database(dbPath, {fileMustExist: true});
	try {
		return fn(db);
	} finally {
		db.close();
	}
}

/** `YYYY-MM-DD` (UTC) of an epoch ms. */
export function utcDate(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** Every file and folder under `dir`, relative, sorted. */
export function listTree(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return (fs.readdirSync(dir, {recursive: true}) as string[]).map(String).sort();
}

/** Any raw control character: C0 except newline, DEL, C1, bidi embeddings/overrides/isolates. */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A stack-trace frame line, which no error output should show. */
export const STACK_FRAME = '    at ';
