import type {BusSnapshot, MessageRow} from '../bus/types.js';
import {
	type Judgement,
	type ReadingMessage,
	SCALARS,
	type ScalarName,
	TABLES,
	type TableChange,
	type TableName,
	boundPayload,
	rowKey,
} from './protocol.js';
import {MAX_ROWS, ROW_OF, SCALAR_OF, judgement as judgementOf} from './untrusted.js';

/**
 * Readings as changes: `serve` sends each table's rows added, changed and removed since
 * what it last sent (a row the reader kept is not even compared), and the viewer rebuilds
 * the snapshot from them. The viewer's side takes untrusted input: every row through
 * untrusted.ts, every table bounded.
 */

const MESSAGE_TABLES: ReadonlySet<TableName> = new Set(['alerts', 'unread', 'lifecycle']);

type Sent = {row: object; json: string};

/** What a table's row is on the wire: messages with bounded payloads. */
function wireRow(table: TableName, row: object): object {
	if (!MESSAGE_TABLES.has(table)) return row;
	const message = row as MessageRow;
	const {value, cut} = boundPayload(message.payload);
	return cut ? {...message, payload: value, payloadCut: true} : message;
}

export class ChangeEncoder {
	private tables = new Map<TableName, Map<string, Sent>>();
	private orders = new Map<TableName, string[]>();
	private scalars = new Map<ScalarName, string>();
	private judgement: string | null = null;

	/** Forget what was sent: the next message is whole. */
	reset(): void {
		this.tables.clear();
		this.orders.clear();
		this.scalars.clear();
		this.judgement = null;
	}

	/** The message taking the viewer from what was last sent to this, or null when nothing changed. */
	encode(snapshot: BusSnapshot, judgement: Judgement, now: number): ReadingMessage | null {
		const full = this.judgement === null;
		const message: ReadingMessage = {type: 'reading', full, now, tables: {}, scalars: {}};
		let changed = full;
		for (const table of TABLES) {
			const before = this.tables.get(table) ?? new Map<string, Sent>();
			const after = new Map<string, Sent>();
			const change: TableChange = {put: [], remove: []};
			const order: string[] = [];
			for (const row of snapshot[table] as object[]) {
				const key = rowKey(table, row as never);
				order.push(key);
				const previous = before.get(key);
				if (previous?.row === row) {
					after.set(key, previous);
					continue;
				}
				const wire = wireRow(table, row);
				const json = JSON.stringify(wire);
				after.set(key, {row, json});
				if (previous?.json !== json) change.put.push(wire);
			}
			for (const key of before.keys()) if (!after.has(key)) change.remove.push(key);
			const lastOrder = this.orders.get(table);
			if (full || !lastOrder || lastOrder.length !== order.length || lastOrder.some((key, index) => key !== order[index]))
				change.order = order;
			this.tables.set(table, after);
			this.orders.set(table, order);
			if (change.put.length > 0 || change.remove.length > 0 || change.order) {
				message.tables[table] = change;
				changed = true;
			}
		}
		for (const scalar of SCALARS) {
			if (scalar === 'takenAt') continue;
			const json = JSON.stringify(snapshot[scalar]);
			if (this.scalars.get(scalar) === json) continue;
			this.scalars.set(scalar, json);
			message.scalars[scalar] = snapshot[scalar];
			changed = true;
		}
		const judgementJson = JSON.stringify(judgement);
		if (judgementJson !== this.judgement) {
			this.judgement = judgementJson;
			message.judgement = judgement;
			changed = true;
		}
		if (!changed) return null;
		message.scalars.takenAt = snapshot.takenAt;
		return message;
	}
}

const EMPTY_SNAPSHOT: BusSnapshot = {
	takenAt: 0,
	database: {path: '', sizeBytes: 0, journalMode: '', schema: {missing: [], hasV2Messages: false, isBus: true}},
	staleTimeoutMs: 300_000,
	sessions: [],
	sessionCounts: {total: 0, ended: 0},
	claims: [],
	locks: [],
	alerts: [],
	alertCounts: {open: 0, critical: 0, byType: []},
	unread: [],
	unreadByRecipient: [],
	lifecycle: [],
	counts: null,
};

/** All a remote's rows together, as JSON text, at most this many characters: more rows are dropped. */
export const MAX_REMOTE_CHARS = 64 * 1024 * 1024;

/** The viewer's copy of a remote's snapshot, rebuilt from its change messages; its size bounded by MAX_REMOTE_CHARS. */
export class ChangeDecoder {
	private rows = new Map<TableName, Map<string, object>>();
	private sizes = new Map<string, number>();
	private total = 0;
	private orders = new Map<TableName, string[]>();
	private snapshot: BusSnapshot = EMPTY_SNAPSHOT;
	private judgement: Judgement | null = null;

	/** Whether a whole reading has arrived. */
	get ready(): boolean {
		return this.judgement !== null;
	}

	/** Applies one message (untrusted); returns the snapshot and judgement it leaves, or null before a whole reading. */
	apply(message: ReadingMessage): {snapshot: BusSnapshot; judgement: Judgement} | null {
		if (message.full) {
			this.rows.clear();
			this.sizes.clear();
			this.total = 0;
			this.orders.clear();
			this.snapshot = EMPTY_SNAPSHOT;
			this.judgement = null;
		} else if (!this.ready) return null;
		const next: BusSnapshot = {...this.snapshot};
		const tables = typeof message.tables === 'object' && message.tables !== null ? message.tables : {};
		for (const table of TABLES) {
			const change = (tables as Record<string, unknown>)[table] as Partial<TableChange> | undefined;
			if (!change || typeof change !== 'object') continue;
			const rows = this.rows.get(table) ?? new Map<string, object>();
			const drop = (key: string) => {
				rows.delete(key);
				this.total -= this.sizes.get(`${table}:${key}`) ?? 0;
				this.sizes.delete(`${table}:${key}`);
			};
			if (Array.isArray(change.remove)) for (const key of change.remove) drop(String(key));
			if (Array.isArray(change.put))
				for (const value of change.put) {
					const row = ROW_OF[table](value);
					if (row === null) continue;
					const key = rowKey(table, row);
					if (!rows.has(key) && rows.size >= MAX_ROWS[table]) continue;
					const size = JSON.stringify(row).length;
					const before = this.sizes.get(`${table}:${key}`) ?? 0;
					if (this.total - before + size > MAX_REMOTE_CHARS) continue;
					rows.set(key, row);
					this.sizes.set(`${table}:${key}`, size);
					this.total += size - before;
				}
			this.rows.set(table, rows);
			const order = Array.isArray(change.order) ? change.order.slice(0, MAX_ROWS[table]).map(String) : (this.orders.get(table) ?? []);
			this.orders.set(table, order);
			const listed = new Set<string>();
			(next as Record<TableName, object[]>)[table] = order.flatMap(key => {
				const row = rows.get(key);
				if (!row || listed.has(key)) return [];
				listed.add(key);
				return [row];
			});
			// Rows the order does not name are dropped: the order is the remote's whole list.
			for (const key of [...rows.keys()]) if (!listed.has(key)) drop(key);
		}
		const scalars = typeof message.scalars === 'object' && message.scalars !== null ? (message.scalars as Record<string, unknown>) : {};
		for (const scalar of SCALARS) if (scalar in scalars) (next as Record<ScalarName, unknown>)[scalar] = SCALAR_OF[scalar](scalars[scalar]);
		if (message.judgement !== undefined) this.judgement = judgementOf(message.judgement);
		this.snapshot = next;
		return this.judgement ? {snapshot: next, judgement: this.judgement} : null;
	}
}
