/**
 * Exact counts of what is open, in SQL: operator alerts by type and priority, directed
 * messages by recipient and channel, v2 messages by open status. A message that carries no
 * expiry is counted by SQL (from the index idx_messages_open_lasting alone, where the bus has
 * it); one that may have expired is fetched and judged in code, as the contract asks. The
 * snapshot and the status line count with these; no count is the length of a bounded list.
 */
import type Database from 'better-sqlite3';
import {type Convert, PLAIN, type Row, expiryOf, integer} from './rows.js';
import {OPEN_MESSAGE_SQL, expirySql, isCritical} from './rules.js';
import {type BusSchema, type OwnIndex, hasColumn, hasV2Messages, indexedBy, selectList} from './schema.js';
import type {AlertCounts, UnreadSummary} from './types.js';

/** Where a count looks: the operator alerts, every directed message, or one recipient's (bound as @recipient). */
const SCOPES = {
	alerts: `channel = 'operator_alerts'`,
	unread: 'recipient_id IS NOT NULL',
	unreadOf: 'recipient_id = @recipient',
} as const;
type Scope = keyof typeof SCOPES;

const PART_INDEX: Record<'lasting' | 'expiring', OwnIndex> = {lasting: 'idx_messages_open_lasting', expiring: 'idx_messages_open_expiring'};

/** `FROM session_messages [INDEXED BY ...] WHERE <scope> AND <open> AND <lasting | expiring>`. */
function openMessages(schema: BusSchema, scope: Scope, part: 'lasting' | 'expiring'): string {
	const has = (column: string) => hasColumn(schema, 'session_messages', column);
	const expiry = expirySql({expiresAt: has('expires_at'), ttlSeconds: has('ttl_seconds')});
	return `FROM session_messages${indexedBy(schema, PART_INDEX[part])} WHERE ${SCOPES[scope]} AND ${OPEN_MESSAGE_SQL} AND ${expiry[part]}`;
}

/** What an expiring row carries besides its expiry: `columns`, then created_at, ttl_seconds, expires_at. */
const expiringRows = (schema: BusSchema, scope: Scope, columns: string[]) =>
	`SELECT ${selectList(schema, 'session_messages', [...columns, 'created_at', 'ttl_seconds', 'expires_at'])} ${openMessages(schema, scope, 'expiring')}`;

// A priority as toMessage reads it (a number; anything else normal, 1), for the highest of a group.
const PRIORITY = `CASE WHEN typeof(priority) IN ('integer', 'real') THEN priority ELSE 1 END`;

export type CountSql = {
	/** Rows: message_type, priority, n. */
	alertCounts: string;
	/** Rows: message_type, priority, created_at, ttl_seconds, expires_at. */
	alertsExpiring: string;
	/** Rows: recipient_id, channel, highest priority, n. */
	unreadCounts: string;
	/** Rows: recipient_id, channel, priority, created_at, ttl_seconds, expires_at. */
	unreadExpiring: string;
	/** Rows: status, n. Open statuses by count, expired or not: the current part of the history counts. */
	openStatuses: string;
};

/** The counts' SQL for `schema`; null when the bus has no v2 messages (nothing is ever open). */
export function countSql(schema: BusSchema): CountSql | null {
	if (!hasV2Messages(schema)) return null;
	return {
		alertCounts: `SELECT message_type, priority, count(*) AS n ${openMessages(schema, 'alerts', 'lasting')} GROUP BY 1, 2`,
		alertsExpiring: expiringRows(schema, 'alerts', ['message_type', 'priority']),
		unreadCounts: `SELECT recipient_id, channel, max(${PRIORITY}) AS priority, count(*) AS n ${openMessages(schema, 'unread', 'lasting')} GROUP BY 2, 1`,
		unreadExpiring: expiringRows(schema, 'unread', ['recipient_id', 'channel', 'priority']),
		openStatuses: `SELECT status, count(*) AS n FROM session_messages WHERE ${OPEN_MESSAGE_SQL} GROUP BY status`,
	};
}

/** The expiring rows (their last three columns: created_at, ttl_seconds, expires_at) still open at `now`, and when the first of them expires. */
function unexpired(rows: Row[], now: number, c: Convert): {rows: Row[]; until: number} {
	let until = Infinity;
	const open = rows.filter(row => {
		const at = row.length - 3;
		const expiry = expiryOf(row[at + 2], row[at], row[at + 1], c);
		if (expiry === null) return true;
		if (expiry <= now) return false;
		until = Math.min(until, expiry);
		return true;
	});
	return {rows: open, until};
}

const priorityOf = (value: unknown) => integer(value) ?? 1;

/** Open operator alerts by type, from the counted rows and the expiring ones still open (each [type, priority, ...]). */
function toAlertCounts(counted: Row[], expiring: Row[], c: Convert): AlertCounts {
	const byType = new Map<string, {count: number; critical: number; maxPriority: number}>();
	const add = (type: unknown, priority: number, n: number) => {
		const key = c.text(type) ?? '(untyped)';
		const entry = byType.get(key) ?? {count: 0, critical: 0, maxPriority: -Infinity};
		entry.count += n;
		if (isCritical(priority)) entry.critical += n;
		entry.maxPriority = Math.max(entry.maxPriority, priority);
		byType.set(key, entry);
	};
	for (const row of counted) add(row[0], priorityOf(row[1]), Number(row[2]));
	for (const row of expiring) add(row[0], priorityOf(row[1]), 1);
	const types = [...byType].map(([type, entry]) => ({type, ...entry}));
	types.sort((a, b) => b.maxPriority - a.maxPriority || b.count - a.count || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
	return {
		open: types.reduce((sum, entry) => sum + entry.count, 0),
		critical: types.reduce((sum, entry) => sum + entry.critical, 0),
		byType: types,
	};
}

/** Open directed messages by recipient: count, highest priority, count by channel (most first); from counted rows and the expiring ones still open. */
function toUnreadSummaries(counted: Row[], expiring: Row[], c: Convert): UnreadSummary[] {
	const byRecipient = new Map<string, {count: number; maxPriority: number; channels: Map<string, number>}>();
	const add = (recipient: unknown, channel: unknown, priority: number, n: number) => {
		const key = c.text(recipient) ?? '';
		const name = c.text(channel) ?? '(none)';
		const entry = byRecipient.get(key) ?? {count: 0, maxPriority: -Infinity, channels: new Map<string, number>()};
		entry.count += n;
		entry.maxPriority = Math.max(entry.maxPriority, priority);
		entry.channels.set(name, (entry.channels.get(name) ?? 0) + n);
		byRecipient.set(key, entry);
	};
	for (const row of counted) add(row[0], row[1], priorityOf(row[2]), Number(row[3]));
	for (const row of expiring) add(row[0], row[1], priorityOf(row[2]), 1);
	return [...byRecipient.entries()]
		.map(([recipientId, entry]) => ({
			recipientId,
			count: entry.count,
			maxPriority: entry.maxPriority,
			byChannel: [...entry.channels.entries()].map(([channel, count]) => ({channel, count})).sort((a, b) => b.count - a.count),
		}))
		.sort((a, b) => b.maxPriority - a.maxPriority || b.count - a.count);
}

/** The count statements' rows as read: counted by SQL, then the expiring ones to judge (alerts, unread), and the open statuses. */
export type OpenCountRows = {alerts: [Row[], Row[]]; unread: [Row[], Row[]]; statuses: Row[]};

export type OpenCounts = {alertCounts: AlertCounts; unreadByRecipient: UnreadSummary[]; openStatuses: Record<string, number>};

/** What is open, counted from the rows read: made again only when the rows are new, or once one that may expire has. */
export class OpenCounter {
	private last: {rows: OpenCountRows; until: number; counts: OpenCounts} | null = null;

	count(rows: OpenCountRows, now: number, c: Convert = PLAIN): OpenCounts {
		if (this.last && this.last.rows === rows && now < this.last.until) return this.last.counts;
		const alerts = unexpired(rows.alerts[1], now, c);
		const unread = unexpired(rows.unread[1], now, c);
		const counts = {
			alertCounts: toAlertCounts(rows.alerts[0], alerts.rows, c),
			unreadByRecipient: toUnreadSummaries(rows.unread[0], unread.rows, c),
			openStatuses: Object.fromEntries(rows.statuses.map(row => [c.text(row[0]) ?? '(null)', Number(row[1])])),
		};
		this.last = {rows, until: Math.min(alerts.until, unread.until), counts};
		return counts;
	}
}

/** The status line's counts of open messages: alerts, critical ones, and the unread of `recipient` (everyone's when null). */
export function countOpen(
	db: Database.Database,
	schema: BusSchema,
	recipient: string | null,
	now: number,
): {alerts: number; critical: number; unread: number} {
	const sql = countSql(schema);
	if (!sql) return {alerts: 0, critical: 0, unread: 0};
	const rows = (source: string, params?: object) => {
		const statement = db.prepare(source).raw(true);
		return (params ? statement.all(params) : statement.all()) as Row[];
	};
	const alerts = toAlertCounts(rows(sql.alertCounts), unexpired(rows(sql.alertsExpiring), now, PLAIN).rows, PLAIN);
	const scope: Scope = recipient === null ? 'unread' : 'unreadOf';
	const params = recipient === null ? undefined : {recipient};
	const counted = Number(rows(`SELECT count(*) ${openMessages(schema, scope, 'lasting')}`, params)[0][0]);
	const unread = counted + unexpired(rows(expiringRows(schema, scope, []), params), now, PLAIN).rows.length;
	return {alerts: alerts.open, critical: alerts.critical, unread};
}
