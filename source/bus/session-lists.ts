/**
 * The session lists beyond the live ones (sessions.ts has their SQL): the ended sessions the
 * live ones still need, and the ended history, page by page, while a view shows it.
 */
import type Database from 'better-sqlite3';
import {HOLD, type Row, SESSION} from './rows.js';
import {keepEqualRows} from './reuse.js';

/** The holders named by each list of hold rows (the reader hands back the same list while its rows are unchanged). */
const holdersOf = new WeakMap<Row[], Set<unknown>>();

function holders(rows: Row[]): Set<unknown> {
	let ids = holdersOf.get(rows);
	if (!ids) holdersOf.set(rows, (ids = new Set(rows.map(row => row[HOLD.session_id]))));
	return ids;
}

/**
 * The sessions not ended (`live`), with the ended ones they still need: the holders of a
 * lock or claim (`holds`) and the current session, looked up by id (keptSessionsSql); the
 * ended history is not walked. By rowid.
 */
export function withKeptSessions(kept: Database.Statement | null, live: Row[], holds: Row[][], current: string | null): Row[] {
	if (!kept) return live;
	const ids = new Set(live.map(row => row[SESSION.session_id]));
	const wanted = new Set<string>();
	const want = (id: unknown) => {
		if (typeof id === 'string' && !ids.has(id)) wanted.add(id);
	};
	for (const rows of holds) for (const id of holders(rows)) want(id);
	want(current);
	if (wanted.size === 0) return live;
	const rows = kept.all({ids: JSON.stringify([...wanted])}) as Row[];
	return rows.length === 0 ? live : mergeByRowid(live, rows);
}

/** Two lists each in rowid order, as one in rowid order. */
function mergeByRowid(a: Row[], b: Row[]): Row[] {
	const merged: Row[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length && j < b.length) merged.push(Number(a[i][SESSION.rowid]) <= Number(b[j][SESSION.rowid]) ? a[i++] : b[j++]);
	while (i < a.length) merged.push(a[i++]);
	while (j < b.length) merged.push(b[j++]);
	return merged;
}

/** Above every rowid: where the first page starts. */
const TOP = 9223372036854775807n;

/**
 * The ended sessions a view asked for, newest registered first, read by keyset pages
 * (endedSessionsSql): the rows kept are read again, from the lowest one kept up, only when
 * the registry was written; a new page starts below the lowest one kept. Nothing is read
 * while none is asked for.
 */
export class EndedPages {
	private kept: {rows: Row[]; complete: boolean} | null = null;

	forget(): void {
		this.kept = null;
	}

	/** Ended sessions, at least `wanted` of them when there are that many (Infinity: all); `unwritten`: the registry is known unchanged. */
	rows(statements: {page: Database.Statement; range: Database.Statement} | null, wanted: number, unwritten: boolean): Row[] {
		if (statements === null || wanted <= 0) {
			this.kept = null;
			return [];
		}
		const last = this.kept;
		const lowest = (rows: Row[]) => (rows.length === 0 ? null : (rows[rows.length - 1][SESSION.rowid] as number));
		let rows: Row[];
		let complete = false;
		if (last && unwritten) ({rows, complete} = last);
		else if (last && lowest(last.rows) !== null)
			rows = keepEqualRows(statements.range.all({floor: lowest(last.rows)}) as Row[], last.rows, SESSION.rowid);
		else rows = [];
		if (rows.length < wanted && !complete) {
			const limit = Number.isFinite(wanted) ? wanted - rows.length : -1;
			const page = statements.page.all({before: lowest(rows) ?? TOP, limit}) as Row[];
			complete = limit < 0 || page.length < limit;
			if (page.length > 0) rows = [...rows, ...page];
		}
		this.kept = {rows, complete};
		return rows;
	}
}
