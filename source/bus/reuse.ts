/**
 * What a live reader keeps between two reads: rows read again with the same values come
 * back as the same arrays (so what was made from them is reused), and a statement whose
 * rows are known unchanged (the write-ahead log, a fingerprint) is not read again.
 */
import type Database from 'better-sqlite3';
import {HOLD, MESSAGE, type Row, SESSION} from './rows.js';
import {FINGERPRINTED, type FingerprintedName, type SnapshotSql, type Statements, fingerprintSql} from './statements.js';

/**
 * What a live reader keeps between reads: the rows of the fingerprinted statements and of
 * the sessions (read every time a table they read was written), the counts of what is open,
 * and the ended sessions listed.
 */
export type KeptName = FingerprintedName | 'sessions' | 'sessionTotal' | 'openCounts' | 'ended';

/** The column that tells one row of a statement from another (null: rows are matched by position). */
const ROW_KEY: Record<Exclude<KeptName, 'sessionTotal' | 'openCounts' | 'ended'>, number | null> = {
	sessions: SESSION.rowid,
	claims: HOLD.rowid,
	locks: HOLD.rowid,
	openAlerts: MESSAGE.id,
	readAlerts: MESSAGE.id,
	unreadRows: MESSAGE.id,
	lifecycle: MESSAGE.id,
};

/** Equal as SQLite values: blobs (Buffers) by their bytes. */
const sameValue = (a: unknown, b: unknown): boolean =>
	a === b || (a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0);

/**
 * The rows, each replaced by the last read's row with the same key when its values
 * are the same (so what was made from it is reused); the last list itself when every
 * row is the last read's, in the same order.
 */
export function keepEqualRows(rows: Row[], last: Row[] | undefined, key: number | null): Row[] {
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

/** The lists handed back as the same array while their elements are the same: the live sessions, every session listed, the holds. */
export type ListName = 'sessions' | 'listed' | 'claims' | 'locks';

/** The rows each statement gave last, the fingerprint statements that tell whether they changed, and the lists last returned. */
export class RowReuse {
	/** The fingerprint statement of each statement whose rows rarely change. */
	private fingerprints = new Map<FingerprintedName, Database.Statement>();
	/**
	 * The rows each statement gave last, with their fingerprint when known (null: read
	 * without one), and whether they had changed: rows that changed at the last read
	 * likely change again (a busy bus), so they are read at once rather than checked first;
	 * so are the first read's, which has nothing to compare with (the first frame with
	 * data comes sooner), and the next read (the first commit after) takes the fingerprint,
	 * reading the rows once more. The reads after that are checks. Sessions, read every
	 * time, keep only rows.
	 */
	private lastRows = new Map<KeptName, {fingerprint: string | null; rows: Row[]; changed: boolean}>();
	/** The lists last returned: what did not change comes back as the same objects, which is how the analysis knows what it need not judge again. */
	private lastLists = new Map<ListName, unknown[]>();
	/** Values read last that are not row lists (the open counts). */
	private lastValues = new Map<KeptName, unknown>();

	/** Forgets every row kept (the schema changed) and, given `db`, prepares the fingerprints of the statements just prepared. */
	restart(db: Database.Database | null, sql: SnapshotSql, statements: Statements): void {
		this.fingerprints.clear();
		this.lastRows.clear();
		this.lastValues.clear();
		for (const name of db ? FINGERPRINTED : []) {
			const statement = statements[name];
			if (statement)
				this.fingerprints.set(
					name,
					db!.prepare(
						fingerprintSql(
							sql[name]!,
							statement.columns().map(column => column.name),
						),
					),
				);
		}
	}

	/** Whether rows of `name` are kept from an earlier read. */
	has(name: KeptName): boolean {
		return this.lastRows.has(name);
	}

	/** The value kept for `name` when known `unwritten` since, else `read()` (kept for next time). */
	value<T>(name: KeptName, unwritten: boolean, read: () => T): T {
		if (unwritten && this.lastValues.has(name)) return this.lastValues.get(name) as T;
		const value = read();
		this.lastValues.set(name, value);
		return value;
	}

	/** Rows just read, reusing the last read's (see keepEqualRows), remembered with their fingerprint. */
	reused(name: Exclude<KeptName, 'sessionTotal' | 'openCounts' | 'ended'>, rows: Row[], fingerprint: string | null): Row[] {
		const last = this.lastRows.get(name);
		const reused = keepEqualRows(rows, last?.rows, ROW_KEY[name]);
		const changed = last !== undefined && reused !== last.rows;
		// Unchanged rows keep their fingerprint when read without one.
		this.lastRows.set(name, {fingerprint: fingerprint ?? (changed ? null : (last?.fingerprint ?? null)), rows: reused, changed});
		return reused;
	}

	/**
	 * The rows of a fingerprinted statement: as last read when known `unwritten`, else read
	 * (`read`) at once or only once its fingerprint differs (see lastRows); every list but
	 * the unwritten one goes through `mapped`, for the page map.
	 */
	rows(name: FingerprintedName, unwritten: boolean, read: () => Row[], mapped: (rows: Row[]) => Row[]): Row[] {
		const fingerprint = this.fingerprints.get(name);
		if (!fingerprint) return [];
		const last = this.lastRows.get(name);
		if (last && unwritten) return last.rows;
		// The first read has nothing to compare with, and rows that changed likely change again: read.
		if (!last || last.changed) return mapped(this.reused(name, read(), null));
		const {f} = fingerprint.get({last: last.fingerprint}) as {f: string | null};
		return mapped(f === null ? last.rows : this.reused(name, read(), f));
	}

	/** The list returned last time when every element is the same object (and in the same order). */
	unchangedList<T>(name: ListName, list: T[]): T[] {
		const last = this.lastLists.get(name) as T[] | undefined;
		if (last && last.length === list.length && last.every((item, index) => item === list[index])) return last;
		this.lastLists.set(name, list);
		return list;
	}

	/** The list returned last time. */
	lastList<T>(name: ListName): T[] {
		return this.lastLists.get(name) as T[];
	}
}

/**
 * Tables whose pages the reader maps, with their indexes' (dbstat), for WalWatch: a
 * commit that wrote none of a table's pages left its rows as they were read. The
 * message statements read session_messages, too big to map: they are known unchanged
 * only when every page committed belongs to one of these.
 */
const TRACKED = {sessions: 'session_registry', claims: 'task_claims', locks: 'file_locks'} as const;
type TrackedName = keyof typeof TRACKED;
const isTracked = (name: string): name is TrackedName => name in TRACKED;

/**
 * Which tracked tables, and whether any other b-tree ('other'), the pages committed since the
 * last read belong to; 'header' when page 1 was among them, which every commit that frees or
 * allocates a page writes (the free-page list and the file's size are in its header);
 * `rows:<table>` when one was a page of the table's rows index (see Trees).
 */
export type Written = Set<TrackedName | `rows:${TrackedName}` | 'other' | 'header'>;

/**
 * The tables each kept value is read from: it is as it was while none of them was written.
 * The live sessions read the holds too (an ended session is read while it holds one).
 */
const READS: Record<KeptName, Array<TrackedName | 'other'>> = {
	sessions: ['sessions', 'claims', 'locks'],
	sessionTotal: ['sessions'],
	ended: ['sessions'],
	claims: ['claims'],
	locks: ['locks'],
	openAlerts: ['other'],
	readAlerts: ['other'],
	unreadRows: ['other'],
	lifecycle: ['other'],
	openCounts: ['other'],
};

/** The b-trees of each tracked table (the table's and its indexes'), and a dbstat statement listing one's pages; null without dbstat. */
function mappableTrees(db: Database.Database): Trees | null {
	let pages: Database.Statement;
	try {
		pages = db.prepare(`SELECT pageno FROM dbstat WHERE name = ?`).pluck();
	} catch {
		return null;
	}
	const trees = db.prepare(
		`SELECT name, type FROM sqlite_schema WHERE tbl_name = ? COLLATE NOCASE AND type IN ('table', 'index') AND rootpage > 0`,
	);
	const named = db.prepare(`SELECT 1 FROM sqlite_schema WHERE name = ? COLLATE NOCASE`).pluck();
	// A full index with a b-tree of its own (not the table's, as a WITHOUT ROWID table's key is),
	// the status index first: every row has an entry there.
	const rowsIndex = db
		.prepare(
			`SELECT l.name FROM pragma_index_list(@table) AS l JOIN sqlite_schema AS s ON s.name = l.name AND s.type = 'index'
			 WHERE l.partial = 0 AND s.rootpage > 0 AND s.rootpage IS NOT (SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = @table COLLATE NOCASE)
			 ORDER BY l.name = 'idx_sessions_status' DESC, l.name LIMIT 1`,
		)
		.pluck();
	const names = new Map<TrackedName, string[]>();
	const rowsTrees = new Map<TrackedName, string>();
	const absent = new Set<TrackedName>();
	for (const [name, table] of Object.entries(TRACKED) as Array<[TrackedName, string]>) {
		if (named.get(table) === undefined) absent.add(name);
		const rows = trees.all(table) as Array<{name: string; type: string}>;
		// Only a table with a b-tree of its own: a virtual table (or a view) by that name has
		// pages nobody can map, and must never pass for "not written".
		if (rows.some(row => row.type === 'table' && row.name.toLowerCase() === table)) {
			names.set(
				name,
				rows.map(row => row.name),
			);
			const index = rowsIndex.get({table}) as string | undefined;
			if (index !== undefined && rows.some(row => row.name === index)) rowsTrees.set(name, index);
		}
	}
	return {pages, names, rowsTrees, absent};
}

/**
 * The b-trees of each tracked table, the statement listing a b-tree's pages, and the tracked
 * tables the bus has no object for. `rowsTrees`: a full index of the table, where every
 * INSERT and DELETE writes a page (an UPDATE of other columns, a heartbeat, writes none):
 * while none of its pages is written, the table holds as many rows as when last counted.
 */
type Trees = {pages: Database.Statement; names: Map<TrackedName, string[]>; rowsTrees: Map<TrackedName, string>; absent: Set<TrackedName>};

/** Page -> the tracked table it belonged to when that table was last read: which tables the pages a commit wrote belong to. */
export class PageMap {
	/** The b-trees (table and indexes) of each tracked table, and a statement listing a b-tree's pages; null: no map. */
	private trees: Trees | null = null;
	/** Page -> the tracked table it belonged to when that table was last read, and each table's pages. */
	private pageOwner = new Map<number, TrackedName>();
	private ownedPages = new Map<TrackedName, number[]>();
	/** Page -> the tracked table whose rows index (Trees) it was a page of, when that table was last mapped. */
	private rowsPageOwner = new Map<number, TrackedName>();

	/** Forgets every page (the schema changed) and, given `db`, lists the tracked tables' b-trees again; null: maps nothing. */
	restart(db: Database.Database | null): void {
		this.forget();
		this.trees = db ? mappableTrees(db) : null;
	}

	/** Forgets every page's owner: no table is known unwritten until it is read and mapped again. */
	forget(): void {
		this.pageOwner.clear();
		this.ownedPages.clear();
		this.rowsPageOwner.clear();
	}

	/** What the pages committed since the last read wrote; null: unknown. */
	written(committed: Set<number> | null): Written | null {
		if (committed === null) return null;
		const written: Written = new Set();
		for (const page of committed) {
			written.add(this.pageOwner.get(page) ?? 'other');
			const rows = this.rowsPageOwner.get(page);
			if (rows) written.add(`rows:${rows}`);
		}
		if (committed.has(1)) written.add('header');
		return written;
	}

	/**
	 * Known not written since the last read: of each table `name` reads, a tracked table's
	 * pages must be mapped (unless the bus has no such table at all) and none written; for
	 * any other, no page outside the tracked tables written.
	 */
	unwritten(name: KeptName, written: Written | null): boolean {
		if (written === null) return false;
		return READS[name].every(table =>
			table === 'other'
				? !written.has('other')
				: !written.has(table) && (this.ownedPages.has(table) || this.trees?.absent.has(table) === true),
		);
	}

	/**
	 * Known to hold as many rows as when last counted: no commit since wrote a page of the
	 * table's rows index (mapped, and no page changed hands: page 1 unwritten).
	 */
	rowCountUnwritten(name: TrackedName, written: Written | null): boolean {
		if (written === null || written.has('header') || written.has(`rows:${name}`)) return false;
		return this.ownedPages.has(name) && this.trees?.rowsTrees.has(name) === true;
	}

	/**
	 * Maps the pages of a tracked table (others: nothing), in the read transaction its rows were
	 * read in; again only when a page may have changed hands since it was mapped (`written`
	 * unknown, or holding page 1): a long registry is not walked at every heartbeat.
	 */
	map(name: KeptName, written: Written | null): void {
		if (!isTracked(name)) return;
		const trees = this.trees?.names.get(name);
		// No b-tree to map: the table is never known unchanged.
		if (!this.trees || !trees) return;
		if (written !== null && !written.has('header') && this.ownedPages.has(name)) return;
		for (const page of this.ownedPages.get(name) ?? []) {
			if (this.pageOwner.get(page) === name) this.pageOwner.delete(page);
			if (this.rowsPageOwner.get(page) === name) this.rowsPageOwner.delete(page);
		}
		const pages: number[] = [];
		const rowsTree = this.trees.rowsTrees.get(name);
		for (const tree of trees)
			for (const page of this.trees.pages.all(tree) as number[]) {
				pages.push(page);
				if (tree === rowsTree) this.rowsPageOwner.set(page, name);
			}
		for (const page of pages) this.pageOwner.set(page, name);
		this.ownedPages.set(name, pages);
	}
}
