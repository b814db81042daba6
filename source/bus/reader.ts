/**
 * SnapshotReader: one short read transaction -> BusSnapshot. Every query is bounded by
 * what is open (statements.ts), except the whole-history counts, which the caller asks
 * for only when it wants them; a live reader re-reads only what changed (reuse.ts).
 */
import type Database from 'better-sqlite3';
import {cleanText} from '../text/sanitize.js';
import {fileSize} from './open.js';
import {WalWatch, walPathOf} from './wal.js';
import {describeSchema, introspect} from './schema.js';
import {type FingerprintedName, type Statements, prepareStatements, snapshotSql} from './statements.js';
import {type KeptName, PageMap, RowReuse} from './reuse.js';
import type {BusSnapshot, Hold, MessageCounts, MessageRow, SessionRow} from './types.js';
import {
	type Convert,
	MESSAGE,
	PLAIN,
	type Row,
	SESSION,
	UNREAD_SUMMARY,
	expiredAt,
	memoized,
	messageExpired,
	summariseUnread,
	toCounts,
	toHold,
	toMessage,
	toSession,
} from './rows.js';

export type SnapshotOptions = {
	now: number;
	staleTimeoutMs: number;
	/** Count the whole message history (legacy, v2 by status). Costs a scan of an index. */
	countHistory: boolean;
};

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
	/** Rows and lists kept from the last read (live readers only). */
	private readonly reuse = new RowReuse();
	private readonly convert = memoized();
	/** Pages committed since the last read, from the write-ahead log (WAL databases, live readers only). */
	private readonly wal: WalWatch;
	/** Which tracked table each page belongs to, to tell which tables those commits wrote. */
	private readonly pages = new PageMap();

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
		this.pages.restart(this.reuseRows ? this.db : null);
		this.reuse.restart(this.reuseRows ? this.db : null, sql, this.statements);
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
		if (values === null) return this.reuse.lastList<SessionRow>('sessions');
		const session = (row: Row) => toSession(row, c);
		if (!this.reuseRows) return values.map(session);
		return this.unchangedList(
			'sessions',
			this.reuse.reused('sessions', values, null).map(row => this.once(row, session)),
		);
	}

	/** The list returned last time when every element is the same object (and in the same order). */
	private unchangedList<T>(name: 'sessions' | 'claims' | 'locks', list: T[]): T[] {
		return this.reuseRows ? this.reuse.unchangedList(name, list) : list;
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
			this.pages.forget();
			throw error;
		}
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
			const written = this.pages.written(wal?.afterSnapshot() ?? null);
			/** Known not written since the last read: its rows are as they were. */
			const unchanged = (name: KeptName) => this.reuse.has(name) && this.pages.unwritten(name, written);
			/** A tracked table read again gets its pages mapped again (they change as it grows and shrinks). */
			const mapped = (name: KeptName, rows: Row[]) => {
				if (wal) this.pages.map(name);
				return rows;
			};
			const all = (statement: Database.Statement | null) => (statement ? (statement.all() as Row[]) : []);
			// A reader used once has nothing to compare with: just read.
			const unlessUnchanged = (name: FingerprintedName) =>
				this.reuseRows
					? this.reuse.rows(
							name,
							unchanged(name),
							() => all(s[name]),
							rows => mapped(name, rows),
						)
					: all(s[name]);
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

		if (raw.legacy !== null) this.lastCounts = toCounts(raw.legacy, raw.statuses, raw.total, now);

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
