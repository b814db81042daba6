/**
 * SnapshotReader: one short read transaction -> BusSnapshot. Every query is bounded by
 * what is open or shown (statements.ts), except the whole-history counts, which the caller
 * asks for only when it wants them; a live reader re-reads only what changed (reuse.ts).
 */
import type Database from 'better-sqlite3';
import {cleanText} from '../text/sanitize.js';
import {fileSize} from './open.js';
import {WalWatch, walPathOf} from './wal.js';
import {describeSchema, introspect} from './schema.js';
import {type FingerprintedName, LIMITS, type OpenLimits, type Statements, prepareStatements, snapshotSql} from './statements.js';
import {type KeptName, type ListName, PageMap, RowReuse} from './reuse.js';
import {OpenCounter, type OpenCountRows} from './counts.js';
import {EndedPages, withKeptSessions} from './session-lists.js';
import {endedSessionsSql, keptSessionsSql} from './sessions.js';
import type {BusSnapshot, Hold, MessageCounts, MessageRow, SessionCounts, SessionRow} from './types.js';
import {
	type Convert,
	MESSAGE,
	PLAIN,
	type Row,
	SESSION,
	expiredAt,
	memoized,
	messageExpired,
	toCounts,
	toHold,
	toMessage,
	toSession,
	withOpenStatuses,
} from './rows.js';

export type SnapshotOptions = {
	now: number;
	staleTimeoutMs: number;
	/** Count the whole message history (legacy, v2 by status). Costs a scan of an index. */
	countHistory: boolean;
	/** How many ended sessions to list besides those always read (default 0; Infinity: all), newest registered first. */
	endedSessions?: number;
};

export type ReaderOptions = {
	/** Keep rows between reads and re-read only what changed (the live dashboard); off for one-shot readers. */
	reuseRows?: boolean;
	/** The current session: its row is read even when it has ended. */
	currentSessionId?: string | null;
	/** How many open alerts and unread messages to list (default LIMITS). */
	limits?: OpenLimits;
};

/**
 * Holds the prepared statements of one open reader; re-prepares them when the
 * schema changes (another program may add a table or column while we run).
 */
export class SnapshotReader {
	readonly db: Database.Database;
	readonly dbPath: string;
	private statements: Statements | null = null;
	private ended: {page: Database.Statement; range: Database.Statement} | null = null;
	private kept: Database.Statement | null = null;
	private schemaVersion = -1;
	private lastCounts: MessageCounts | null = null;
	/** Whether the message history may have changed since its counts were taken (unknown counts as changed). */
	private historyChanged = true;
	private sessionCounts: SessionCounts = {total: 0, ended: 0};

	/** Scan the registry for the live sessions while at most half have ended (the last counts say); walk the status index otherwise, or when not known. */
	private scanSessions(): boolean {
		const {total, ended} = this.sessionCounts;
		return total > 0 && ended * 2 <= total;
	}
	private reads = 0;
	/** Rows and lists kept from the last read (live readers only). */
	private readonly reuse = new RowReuse();
	private readonly endedPages = new EndedPages();
	private readonly counter = new OpenCounter();
	private readonly convert = memoized();
	/** Pages committed since the last read, from the write-ahead log (WAL databases, live readers only). */
	private readonly wal: WalWatch;
	/** Which tracked table each page belongs to, to tell which tables those commits wrote. */
	private readonly pages = new PageMap();
	private readonly options: Required<ReaderOptions>;

	constructor(db: Database.Database, dbPath: string, options: ReaderOptions = {}) {
		this.db = db;
		this.dbPath = dbPath;
		this.options = {
			reuseRows: options.reuseRows ?? true,
			currentSessionId: options.currentSessionId ?? null,
			limits: options.limits ?? LIMITS,
		};
		this.wal = new WalWatch(walPathOf(dbPath));
	}

	private get reuseRows(): boolean {
		return this.options.reuseRows;
	}

	private prepare(): Statements {
		const version = Number(this.db.pragma('schema_version', {simple: true}));
		if (this.statements && version === this.schemaVersion) return this.statements;
		const schema = introspect(this.db);
		const sql = snapshotSql(schema, this.options.limits);
		this.statements = prepareStatements(this.db, schema, sql);
		const kept = keptSessionsSql(schema);
		this.kept = kept === null ? null : this.db.prepare(kept).raw(true);
		const ended = endedSessionsSql(schema);
		this.ended = ended && {page: this.db.prepare(ended.page).raw(true), range: this.db.prepare(ended.range).raw(true)};
		this.endedPages.forget();
		this.pages.restart(this.reuseRows ? this.db : null);
		this.reuse.restart(this.reuseRows ? this.db : null, sql, this.statements);
		this.schemaVersion = version;
		this.lastCounts = null;
		this.historyChanged = true;
		return this.statements;
	}

	/**
	 * Whether the whole-history counts may differ from the last ones taken: the message table
	 * was written since (or it is not known that it was not). A live loop counts again only then.
	 */
	get historyMayHaveChanged(): boolean {
		return this.historyChanged;
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

	/** The live sessions, each converted once while its values stay the same (a one-shot reader converts each); null: as last read. */
	private sessionRows(values: Row[] | null, c: Convert): SessionRow[] {
		if (values === null) return this.reuse.lastList<SessionRow>('sessions');
		const session = (row: Row) => toSession(row, c);
		if (!this.reuseRows) return values.map(session);
		return this.unchangedList(
			'sessions',
			this.reuse.reused('sessions', values, null).map(row => this.once(row, session)),
		);
	}

	/** The live sessions, then the ended ones listed that are not among them. */
	private listed(live: SessionRow[], ended: Row[], c: Convert): SessionRow[] {
		if (ended.length === 0) return this.unchangedList('listed', live);
		const rowids = new Set(live.map(row => row.rowid));
		const more = ended.filter(row => !rowids.has(Number(row[SESSION.rowid]))).map(row => this.once(row, value => toSession(value, c)));
		return this.unchangedList('listed', [...live, ...more]);
	}

	/** The list returned last time when every element is the same object (and in the same order). */
	private unchangedList<T>(name: ListName, list: T[]): T[] {
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
			this.endedPages.forget();
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
			/** Known not written since the last read. */
			const unwritten = (name: KeptName) => this.reuseRows && this.pages.unwritten(name, written);
			/** Known not written since the last read, and kept: its rows are as they were. */
			const unchanged = (name: KeptName) => this.reuse.has(name) && unwritten(name);
			/** A tracked table read again gets its pages mapped again when they may have changed (they do as it grows and shrinks). */
			const mapped = (name: KeptName, rows: Row[]) => {
				if (wal) this.pages.map(name, written);
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
			if (!unwritten('openCounts')) this.historyChanged = true;
			const claims = unlessUnchanged('claims');
			const locks = unlessUnchanged('locks');
			const sessionsUnchanged = unchanged('sessions');
			const sessions = sessionsUnchanged
				? null
				: mapped(
						'sessions',
						withKeptSessions(
							this.kept,
							all(this.scanSessions() && s.sessionsScan ? s.sessionsScan : s.sessions).filter(row => row[SESSION.rowid] !== null),
							[claims, locks],
							this.options.currentSessionId,
						),
					);
			return {
				schema: s.schema,
				sessions,
				// Counted again only when a row may have come or gone (a heartbeat adds none).
				sessionTotal:
					sessionsUnchanged || !s.sessionTotal
						? null
						: this.reuse.value('sessionTotal', this.reuseRows && this.pages.rowCountUnwritten('sessions', written), () =>
								Number(all(s.sessionTotal)[0][0]),
							),
				ended: this.endedPages.rows(this.ended, options.endedSessions ?? 0, unwritten('ended')),
				claims,
				locks,
				openAlerts: unlessUnchanged('openAlerts'),
				readAlerts: unlessUnchanged('readAlerts'),
				unreadRows: unlessUnchanged('unreadRows'),
				lifecycle: unlessUnchanged('lifecycle'),
				open: this.reuse.value<OpenCountRows | null>('openCounts', unwritten('openCounts'), () =>
					s.alertCounts
						? {
								alerts: [all(s.alertCounts), all(s.alertsExpiring)],
								unread: [all(s.unreadCounts), all(s.unreadExpiring)],
								statuses: all(s.openStatuses),
							}
						: null,
				),
				legacy: options.countHistory && s.legacyCount ? Number((s.legacyCount.get() as {n: number}).n) : null,
				statuses: options.countHistory && s.statusCounts ? (s.statusCounts.all() as Array<Record<string, unknown>>) : null,
				total: options.countHistory && s.totalCount ? Number((s.totalCount.get() as {n: number}).n) : null,
			};
		})();

		if (raw.legacy !== null) {
			this.lastCounts = toCounts(raw.legacy, raw.statuses, raw.total, now);
			this.historyChanged = false;
		}
		if (raw.sessions !== null) {
			const notEnded = raw.sessions.filter(row => row[SESSION.status] !== 'ended').length;
			const total = raw.sessionTotal ?? 0;
			this.sessionCounts = {total, ended: Math.max(0, total - notEnded)};
		}

		const c = this.reads++ === 0 ? PLAIN : this.convert;
		const message = (row: Row) => toMessage(row, c);
		const claim = (row: Row) => toHold('claim', row, now, c);
		const lock = (row: Row) => toHold('lock', row, now, c);
		const unexpired = (rows: Row[]) =>
			rows.filter(row => !messageExpired(row[MESSAGE.expires_at], row[MESSAGE.created_at], row[MESSAGE.ttl_seconds], now, c));
		const open = raw.open && this.counter.count(raw.open, now, c);
		const snapshot: BusSnapshot = {
			takenAt: now,
			database: {path: cleanText(this.dbPath) ?? '', sizeBytes: fileSize(this.dbPath), journalMode, schema: describeSchema(raw.schema)},
			staleTimeoutMs: options.staleTimeoutMs,
			sessions: this.listed(this.sessionRows(raw.sessions, c), raw.ended, c),
			sessionCounts: this.sessionCounts,
			claims: this.unchangedList(
				'claims',
				raw.claims.map(row => this.hold(row, now, claim)),
			),
			locks: this.unchangedList(
				'locks',
				raw.locks.map(row => this.hold(row, now, lock)),
			),
			alerts: [...unexpired(raw.openAlerts), ...raw.readAlerts].map(row => this.once(row, message)),
			alertCounts: open ? open.alertCounts : {open: 0, critical: 0, byType: []},
			unread: unexpired(raw.unreadRows).map(row => this.once(row, message)),
			unreadByRecipient: open ? open.unreadByRecipient : [],
			lifecycle: raw.lifecycle.map(row => this.once(row, message)),
			counts: this.lastCounts && open ? withOpenStatuses(this.lastCounts, open.openStatuses) : this.lastCounts,
		};
		// Last: the log's position moves on only once every list read is stored.
		wal?.readDone();
		return snapshot;
	}
}
