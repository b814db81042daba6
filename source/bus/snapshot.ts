import type Database from 'better-sqlite3';
import {cleanText} from '../text/sanitize.js';
import {fileSize} from './open.js';
import {WalWatch, walPathOf} from './wal.js';
import {describeSchema, introspect} from './schema.js';
import {FINGERPRINTED, type FingerprintedName, type Statements, fingerprintSql, prepareStatements, snapshotSql} from './statements.js';
import type {BusSnapshot, Hold, MessageCounts, MessageRow, SessionRow} from './types.js';
import {
	type Convert,
	HOLD,
	MESSAGE,
	PLAIN,
	type Row,
	SESSION,
	UNREAD_SUMMARY,
	expiredAt,
	memoized,
	messageExpired,
	summariseUnread,
	toHold,
	toMessage,
	toSession,
} from './rows.js';

/**
 * One short read transaction -> BusSnapshot. Every query is bounded by what is
 * open (sessions, locks, claims, open messages, a fixed number of recent events),
 * never by the whole history, except the exact whole-history counts, which the
 * caller asks for only when it wants them.
 */

export type SnapshotOptions = {
	now: number;
	staleTimeoutMs: number;
	/** Count the whole message history (legacy, v2 by status). Costs a scan of an index. */
	countHistory: boolean;
};

/** The column that tells one row of a statement from another (null: rows are matched by position). */
const ROW_KEY: Record<FingerprintedName | 'sessions', number | null> = {
	sessions: SESSION.rowid,
	claims: HOLD.rowid,
	locks: HOLD.rowid,
	openAlerts: MESSAGE.id,
	readAlerts: MESSAGE.id,
	unreadRows: MESSAGE.id,
	unreadSummary: null,
	lifecycle: MESSAGE.id,
};

/**
 * Tables whose pages the reader maps, with their indexes' (dbstat), for WalWatch: a
 * commit that wrote none of a table's pages left its rows as they were read. The
 * message statements read session_messages, too big to map: they are known unchanged
 * only when every page committed belongs to one of these.
 */
const TRACKED = {sessions: 'session_registry', claims: 'task_claims', locks: 'file_locks'} as const;
type TrackedName = keyof typeof TRACKED;
const isTracked = (name: string): name is TrackedName => name in TRACKED;

/** Equal as SQLite values: blobs (Buffers) by their bytes. */
const sameValue = (a: unknown, b: unknown): boolean =>
	a === b || (a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0);

/**
 * The rows, each replaced by the last read's row with the same key when its values
 * are the same (so what was made from it is reused); the last list itself when every
 * row is the last read's, in the same order.
 */
function keepEqualRows(rows: Row[], last: Row[] | undefined, key: number | null): Row[] {
	if (!last) return rows;
	const lastByKey = key === null ? null : new Map(last.map(row => [row[key], row]));
	let same = rows.length === last.length;
	const reused = rows.map((row, index) => {
		const before = lastByKey ? lastByKey.get(row[key!]) : last[index];
		if (before === undefined || before.length !== row.length || !before.every((value, at) => sameValue(value, row[at]))) {
			same = false;
			return row;
		}
		if (before !== last[index]) same = false;
		return before;
	});
	return same ? last : reused;
}

/** The b-trees of each tracked table (the table's and its indexes'), and a dbstat statement listing one's pages; null without dbstat. */
function mappableTrees(db: Database.Database): {pages: Database.Statement; names: Map<TrackedName, string[]>} | null {
	let pages: Database.Statement;
	try {
		pages = db.prepare(`SELECT pageno FROM dbstat WHERE name = ?`).pluck();
	} catch {
		return null;
	}
	const trees = db.prepare(
		`SELECT name, type FROM sqlite_schema WHERE tbl_name = ? COLLATE NOCASE AND type IN ('table', 'index') AND rootpage > 0`,
	);
	const names = new Map<TrackedName, string[]>();
	for (const [name, table] of Object.entries(TRACKED) as Array<[TrackedName, string]>) {
		const rows = trees.all(table) as Array<{name: string; type: string}>;
		// Only a table with a b-tree of its own: a virtual table (or a view) by that name has
		// pages nobody can map, and must never pass for "not written".
		if (rows.some(row => row.type === 'table' && row.name.toLowerCase() === table))
			names.set(
				name,
				rows.map(row => row.name),
			);
	}
	return {pages, names};
}

/**
 * Holds the prepared statements of one open reader; re-prepares them when the
 * schema changes (another program may add a table or column while we run).
 */
export class SnapshotReader {
	readonly db: Database.Database;
	readonly dbPath: string;
	private statements: Statements | null = null;
	private schemaVersion = -1;
	private lastCounts: MessageCounts | null = null;
	private reads = 0;
	/** The fingerprint statement of each statement whose rows rarely change. */
	private fingerprints = new Map<FingerprintedName, Database.Statement>();
	/**
	 * The rows each statement gave last, with their fingerprint when known (null: read
	 * without one), and whether they had changed: rows that changed at the last read
	 * likely change again (a busy bus), so they are read at once rather than checked first;
	 * so are the first read's, which has nothing to compare with: the first frame with data
	 * comes 20 ms sooner, and the next read (the first commit after) takes the fingerprint,
	 * reading the rows once more. The reads after that are checks. Sessions, read every
	 * time, keep only rows.
	 */
	private lastRows = new Map<FingerprintedName | 'sessions', {fingerprint: string | null; rows: Row[]; changed: boolean}>();
	/** The lists last returned: what did not change comes back as the same objects, which is how the analysis knows what it need not judge again. */
	private lastLists = new Map<'sessions' | 'claims' | 'locks', unknown[]>();
	private readonly convert = memoized();
	/** Pages committed since the last read, from the write-ahead log (WAL databases, live readers only). */
	private readonly wal: WalWatch;
	/** The b-trees (table and indexes) of each tracked table, and a statement listing a b-tree's pages; null: no map. */
	private trees: {pages: Database.Statement; names: Map<TrackedName, string[]>} | null = null;
	/** Page -> the tracked table it belonged to when that table was last read, and each table's pages. */
	private pageOwner = new Map<number, TrackedName>();
	private ownedPages = new Map<TrackedName, number[]>();

	/** Keep rows between reads and re-read only what changed (the live dashboard); off for one-shot readers. */
	private readonly reuseRows: boolean;

	constructor(db: Database.Database, dbPath: string, options: {reuseRows?: boolean} = {}) {
		this.db = db;
		this.dbPath = dbPath;
		this.reuseRows = options.reuseRows ?? true;
		this.wal = new WalWatch(walPathOf(dbPath));
	}

	private prepare(): Statements {
		const version = Number(this.db.pragma('schema_version', {simple: true}));
		if (this.statements && version === this.schemaVersion) return this.statements;
		const schema = introspect(this.db);
		const sql = snapshotSql(schema);
		this.statements = prepareStatements(this.db, schema, sql);
		this.fingerprints.clear();
		this.lastRows.clear();
		this.pageOwner.clear();
		this.ownedPages.clear();
		this.trees = this.reuseRows ? mappableTrees(this.db) : null;
		for (const name of this.reuseRows ? FINGERPRINTED : []) {
			const statement = this.statements[name];
			if (statement)
				this.fingerprints.set(
					name,
					this.db.prepare(
						fingerprintSql(
							sql[name]!,
							statement.columns().map(column => column.name),
						),
					),
				);
		}
		this.schemaVersion = version;
		this.lastCounts = null;
		return this.statements;
	}

	// Rows read again with the same values come back as the same arrays (keepEqualRows): convert each once.
	private converted = new WeakMap<Row, SessionRow | Hold | MessageRow>();

	/** What `convert` makes of a row, made once for each row array. */
	private once<T extends SessionRow | Hold | MessageRow>(row: Row, convert: (row: Row) => T): T {
		let converted = this.converted.get(row) as T | undefined;
		if (!converted) this.converted.set(row, (converted = convert(row)));
		return converted;
	}

	/** A claim or lock, converted once; only `expired` follows the clock. */
	private hold(row: Row, now: number, convert: (row: Row) => Hold): Hold {
		const hold = this.once(row, convert);
		const expired = expiredAt(hold.expiresAt, now);
		return expired === hold.expired ? hold : {...hold, expired};
	}

	/** The sessions, each converted once while its values stay the same (a one-shot reader converts each); null: as last read. */
	private sessionRows(values: Row[] | null, c: Convert): SessionRow[] {
		if (values === null) return this.lastLists.get('sessions') as SessionRow[];
		const session = (row: Row) => toSession(row, c);
		if (!this.reuseRows) return values.map(session);
		return this.unchangedList(
			'sessions',
			this.reused('sessions', values, null).map(row => this.once(row, session)),
		);
	}

	/** Rows just read, reusing the last read's (see keepEqualRows), remembered with their fingerprint. */
	private reused(name: FingerprintedName | 'sessions', rows: Row[], fingerprint: string | null): Row[] {
		const last = this.lastRows.get(name);
		const reused = keepEqualRows(rows, last?.rows, ROW_KEY[name]);
		const changed = last !== undefined && reused !== last.rows;
		// Unchanged rows keep their fingerprint when read without one.
		this.lastRows.set(name, {fingerprint: fingerprint ?? (changed ? null : (last?.fingerprint ?? null)), rows: reused, changed});
		return reused;
	}

	/** The list returned last time when every element is the same object (and in the same order). */
	private unchangedList<T>(name: 'sessions' | 'claims' | 'locks', list: T[]): T[] {
		if (!this.reuseRows) return list;
		const last = this.lastLists.get(name) as T[] | undefined;
		if (last && last.length === list.length && last.every((item, index) => item === list[index])) return last;
		this.lastLists.set(name, list);
		return list;
	}

	/** `PRAGMA data_version`: changes only when another connection commits. */
	dataVersion(): number {
		return Number(this.db.pragma('data_version', {simple: true}));
	}

	/** `read`, forgetting what the log and the page map said should it fail part way (the next read starts from unknown). */
	private guarded<T>(read: () => T): T {
		try {
			return read();
		} catch (error) {
			this.wal.reset();
			this.pageOwner.clear();
			this.ownedPages.clear();
			throw error;
		}
	}

	/** Which tracked tables, and whether any other b-tree ('other'), the pages committed since the last read belong to; null: unknown. */
	private writtenTables(committed: Set<number> | null): Set<TrackedName | 'other'> | null {
		if (committed === null) return null;
		const written = new Set<TrackedName | 'other'>();
		for (const page of committed) written.add(this.pageOwner.get(page) ?? 'other');
		return written;
	}

	/** Maps the pages of a tracked table, in the read transaction its rows were read in. */
	private mapPages(name: TrackedName): void {
		const trees = this.trees?.names.get(name);
		// No b-tree to map: the table is never known unchanged.
		if (!this.trees || !trees) return;
		for (const page of this.ownedPages.get(name) ?? []) if (this.pageOwner.get(page) === name) this.pageOwner.delete(page);
		const pages: number[] = [];
		for (const tree of trees) for (const page of this.trees.pages.all(tree) as number[]) pages.push(page);
		for (const page of pages) this.pageOwner.set(page, name);
		this.ownedPages.set(name, pages);
	}

	read(options: SnapshotOptions): BusSnapshot {
		return this.guarded(() => this.readOnce(options));
	}

	private readOnce(options: SnapshotOptions): BusSnapshot {
		const {now} = options;
		const journalMode = String(this.db.pragma('journal_mode', {simple: true})).toUpperCase();
		// Inside a transaction already open, the snapshot would predate the first scan.
		const wal = this.reuseRows && journalMode === 'WAL' && !this.db.inTransaction ? this.wal : null;
		if (!wal) this.wal.reset();
		wal?.beforeSnapshot();
		// One deferred read transaction: a consistent view, released as soon as we return.
		const raw = this.db.transaction(() => {
			// Its first statement takes the snapshot.
			const s = this.prepare();
			const written = this.writtenTables(wal?.afterSnapshot() ?? null);
			/** Known not written since the last read: its rows are as they were (a tracked table's pages must be mapped). */
			const unchanged = (name: FingerprintedName | 'sessions') =>
				written !== null &&
				this.lastRows.has(name) &&
				(isTracked(name) ? this.ownedPages.has(name) && !written.has(name) : !written.has('other'));
			/** A tracked table read again gets its pages mapped again (they change as it grows and shrinks). */
			const mapped = (name: FingerprintedName | 'sessions', rows: Row[]) => {
				if (wal && isTracked(name)) this.mapPages(name);
				return rows;
			};
			const all = (statement: Database.Statement | null) => (statement ? (statement.all() as Row[]) : []);
			const unlessUnchanged = (name: FingerprintedName) => {
				// A reader used once has nothing to compare with: just read.
				if (!this.reuseRows) return all(s[name]);
				const fingerprint = this.fingerprints.get(name);
				if (!fingerprint) return [];
				const last = this.lastRows.get(name);
				if (last && unchanged(name)) return last.rows;
				// The first read has nothing to compare with, and rows that changed likely change again: read.
				if (!last || last.changed) return mapped(name, this.reused(name, all(s[name]), null));
				const {f} = fingerprint.get({last: last.fingerprint}) as {f: string | null};
				return mapped(name, f === null ? last.rows : this.reused(name, all(s[name]), f));
			};
			return {
				schema: s.schema,
				sessions: unchanged('sessions')
					? null
					: mapped(
							'sessions',
							all(s.sessions).filter(row => row[SESSION.rowid] !== null),
						),
				claims: unlessUnchanged('claims'),
				locks: unlessUnchanged('locks'),
				openAlerts: unlessUnchanged('openAlerts'),
				readAlerts: unlessUnchanged('readAlerts'),
				unreadRows: unlessUnchanged('unreadRows'),
				unreadSummary: unlessUnchanged('unreadSummary'),
				lifecycle: unlessUnchanged('lifecycle'),
				legacy: options.countHistory && s.legacyCount ? Number((s.legacyCount.get() as {n: number}).n) : null,
				statuses: options.countHistory && s.statusCounts ? (s.statusCounts.all() as Array<Record<string, unknown>>) : null,
				total: options.countHistory && s.totalCount ? Number((s.totalCount.get() as {n: number}).n) : null,
			};
		})();

		if (raw.legacy !== null) {
			const byStatus: Record<string, number> = {};
			let v2 = 0;
			const statuses = [...(raw.statuses ?? [])];
			if (raw.total !== null) {
				const read = raw.total - raw.legacy - statuses.reduce((sum, row) => sum + Number(row['n']), 0);
				if (read > 0) {
					const at = statuses.findIndex(row => row['before_read'] === 0);
					statuses.splice(at < 0 ? statuses.length : at, 0, {status: 'read', n: read});
				}
			}
			for (const row of statuses) {
				const key = cleanText(row['status']) ?? '(null)';
				const n = Number(row['n']);
				byStatus[key] = (byStatus[key] ?? 0) + n;
				v2 += n;
			}
			this.lastCounts = {legacy: raw.legacy, v2, byStatus, countedAt: now};
		}

		const c = this.reads++ === 0 ? PLAIN : this.convert;
		const message = (row: Row) => toMessage(row, c);
		const claim = (row: Row) => toHold('claim', row, now, c);
		const lock = (row: Row) => toHold('lock', row, now, c);
		const unexpired = <P extends {expires_at: number; created_at: number; ttl_seconds: number}>(rows: Row[], at: P) =>
			rows.filter(row => !messageExpired(row[at.expires_at], row[at.created_at], row[at.ttl_seconds], now, c));
		const snapshot: BusSnapshot = {
			takenAt: now,
			database: {path: cleanText(this.dbPath) ?? '', sizeBytes: fileSize(this.dbPath), journalMode, schema: describeSchema(raw.schema)},
			staleTimeoutMs: options.staleTimeoutMs,
			sessions: this.sessionRows(raw.sessions, c),
			claims: this.unchangedList(
				'claims',
				raw.claims.map(row => this.hold(row, now, claim)),
			),
			locks: this.unchangedList(
				'locks',
				raw.locks.map(row => this.hold(row, now, lock)),
			),
			alerts: [...unexpired(raw.openAlerts, MESSAGE), ...raw.readAlerts].map(row => this.once(row, message)),
			unread: unexpired(raw.unreadRows, MESSAGE).map(row => this.once(row, message)),
			unreadByRecipient: summariseUnread(unexpired(raw.unreadSummary, UNREAD_SUMMARY), c),
			lifecycle: raw.lifecycle.map(row => this.once(row, message)),
			counts: this.lastCounts,
		};
		// Last: the log's position moves on only once every list read is stored.
		wal?.readDone();
		return snapshot;
	}
}
