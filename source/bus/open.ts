import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {EXIT_CODES} from '../exit-codes.js';

/**
 * Opening the bus, and every way that can fail, as a `BusError` with a message a
 * person can act on and a distinct exit code.
 */

export type BusErrorKind = 'not-found' | 'not-a-database' | 'not-a-bus' | 'corrupt' | 'locked' | 'read-only' | 'unreadable' | 'unsupported';

const EXIT_BY_KIND: Record<BusErrorKind, number> = {
	'not-found': EXIT_CODES.notFound,
	'not-a-database': EXIT_CODES.notADatabase,
	'not-a-bus': EXIT_CODES.notADatabase,
	corrupt: EXIT_CODES.notADatabase,
	locked: EXIT_CODES.locked,
	'read-only': EXIT_CODES.error,
	unreadable: EXIT_CODES.error,
	/** The bus lacks what a write needs (the v2 message columns). */
	unsupported: EXIT_CODES.error,
};

export class BusError extends Error {
	readonly kind: BusErrorKind;
	readonly exitCode: number;

	constructor(kind: BusErrorKind, message: string) {
		super(message);
		this.name = 'BusError';
		this.kind = kind;
		this.exitCode = EXIT_BY_KIND[kind];
	}
}

export function defaultDatabasePath(home: string): string {
	return path.join(home, '.coditect-data', 'context-storage', 'messaging.db');
}

function sqliteCode(error: unknown): string {
	return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

/**
 * Turns a better-sqlite3 error met on `dbPath` into a BusError (or returns null if it is not one
 * we explain). By its code, not `instanceof SqliteError`: a process running two bundles (the
 * demo) holds two copies of that class.
 */
export function explainSqliteError(error: unknown, dbPath: string): BusError | null {
	const code = sqliteCode(error);
	if (code === 'SQLITE_NOTADB') return new BusError('not-a-database', `${dbPath} is not an SQLite database.`);
	if (code.startsWith('SQLITE_CORRUPT')) return new BusError('corrupt', `${dbPath} is corrupt (SQLite: ${(error as Error).message}).`);
	if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
		return new BusError('locked', `${dbPath} is locked by another process; gave up waiting.`);
	}
	if (code.startsWith('SQLITE_READONLY')) {
		return new BusError(
			'read-only',
			`${dbPath} cannot be written (${(error as Error).message}); viewing still works. Use --read-only to make no writes.`,
		);
	}
	if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR'))
		return new BusError('unreadable', cantOpenMessage(dbPath, error));
	return null;
}

function cantOpenMessage(dbPath: string, error: unknown): string {
	const directory = path.dirname(dbPath);
	const shmMissing = !fs.existsSync(`${dbPath}-shm`);
	let directoryWritable = true;
	try {
		fs.accessSync(directory, fs.constants.W_OK);
	} catch {
		directoryWritable = false;
	}
	if (shmMissing && !directoryWritable) {
		return (
			`${dbPath} cannot be opened: it is a WAL database in a read-only directory (${directory}) and its -shm file ` +
			`does not exist, so SQLite cannot open it at all. Open it once from a writable place, or copy it elsewhere.`
		);
	}
	return `${dbPath} cannot be opened (${(error as Error).message}).`;
}

export type OpenOptions = {busyTimeoutMs?: number};

function checkFile(dbPath: string): void {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(dbPath);
	} catch (error) {
		const code = sqliteCode(error);
		if (code === 'ENOENT' || code === 'ENOTDIR') {
			throw new BusError(
				'not-found',
				`Database not found: ${dbPath}\n` +
					`Point elsewhere with --db PATH or SESSION_STATUS_DB=PATH, or try the demo bus: session-status demo`,
			);
		}
		throw new BusError('unreadable', `${dbPath} cannot be read (${(error as Error).message}).`);
	}
	if (!stat.isFile()) throw new BusError('not-a-database', `${dbPath} is not a file, so not an SQLite database.`);
}

// better-sqlite3's JavaScript is bundled (scripts/build.mjs), where esbuild turns the require
// below into its copy, run at the first open: loaded as a package, a dozen module files, it took
// 7 ms of every start; run from the sources (tests), the package is loaded. Its addon is handed
// over (nativeAddon), so its own lookup, which would search from the bundle's folder, never runs.
type Sqlite = {Database: typeof Database; addon: string | object};
let sqlite: Sqlite | undefined;
function loadSqlite(): Sqlite {
	if (!sqlite) {
		const installed = createRequire(import.meta.url);
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- the one require esbuild bundles (above)
		const load = (): unknown => (typeof require === 'function' ? require('better-sqlite3') : installed('better-sqlite3'));
		sqlite = {Database: load() as typeof Database, addon: nativeAddon(installed)};
	}
	return sqlite;
}

/**
 * The installed better-sqlite3's addon: its Release build by path (where npm builds it), else
 * what its own lookup (`bindings`, a dozen paths, a Debug build among them) finds from the
 * package's folder, loaded.
 */
function nativeAddon(installed: NodeJS.Require): string | object {
	try {
		return installed.resolve('better-sqlite3/build/Release/better_sqlite3.node');
	} catch {
		const root = path.dirname(installed.resolve('better-sqlite3/package.json'));
		const bindings = createRequire(path.join(root, 'package.json'))('bindings') as (options: {
			bindings: string;
			module_root: string;
		}) => object;
		return bindings({bindings: 'better_sqlite3.node', module_root: root});
	}
}

/** better-sqlite3's Database with the addon handed over (its types say a path; an addon object is accepted too). */
function newDatabase(dbPath: string, options: Database.Options): Database.Database {
	const {Database, addon} = loadSqlite();
	return new Database(dbPath, {...options, nativeBinding: addon as string});
}

function open(dbPath: string, readonly: boolean, options: OpenOptions): Database.Database {
	checkFile(dbPath);
	let db: Database.Database | undefined;
	try {
		db = newDatabase(dbPath, {readonly, fileMustExist: true});
		db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 100}`);
		// A reader's page cache holds 4 MB, not SQLite's 16: what a refresh reads again fits;
		// the whole-history counts pass over their index once and would only fill it.
		if (readonly) db.pragma('cache_size = -4000');
		// Opening is lazy: touch the schema so "not a database" is known now.
		db.prepare('SELECT count(*) FROM sqlite_master').get();
		return db;
	} catch (error) {
		db?.close();
		throw explainSqliteError(error, dbPath) ?? error;
	}
}

/** A handle that creates the file when it is missing: for a bus this project makes itself (the demo's, the tests'). */
export function createDatabase(dbPath: string): Database.Database {
	return newDatabase(dbPath, {});
}

/** The handle every read goes through: it can never write. */
export function openReader(dbPath: string, options: OpenOptions = {}): Database.Database {
	return open(dbPath, true, options);
}

/** A separate handle only for the few writes the delivery loop makes; short busy timeout, callers retry. */
export function openWriter(dbPath: string, options: OpenOptions = {}): Database.Database {
	return open(dbPath, false, {busyTimeoutMs: options.busyTimeoutMs ?? 20});
}

/**
 * The file's identity (device and inode), or null when it is missing. A database that
 * was deleted or replaced has another one, which neither `PRAGMA data_version` nor an
 * open handle (still on the old inode) can notice.
 */
export function fileIdentity(dbPath: string): string | null {
	try {
		const stat = fs.statSync(dbPath);
		return `${stat.dev}:${stat.ino}`;
	} catch {
		return null;
	}
}

export function fileSize(dbPath: string): number {
	try {
		return fs.statSync(dbPath).size;
	} catch {
		return 0;
	}
}
