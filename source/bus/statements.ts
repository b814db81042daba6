/**
 * The SQL of one snapshot, built from the schema found (tables and columns may be
 * missing): every statement bounded by what is open or shown, never by the whole history,
 * except the whole-history counts. Shared with the benchmark's floor, so both run the same SQL.
 */
import type Database from 'better-sqlite3';
import {OPEN_MESSAGE_SQL} from './rules.js';
import {HOLD_COLUMNS, MESSAGE_COLUMNS} from './rows.js';
import {type BusSchema, hasV2Messages, indexedBy, selectList} from './schema.js';
import {countSql} from './counts.js';
import {liveSessionsScanSql, liveSessionsSql, sessionTotalSql} from './sessions.js';

/** How many rows each bounded list reads at most. The counts beside them are exact whatever these are. */
export const LIMITS = {
	openAlerts: 500,
	recentReadAlerts: 50,
	unreadRows: 500,
	lifecycle: 50,
} as const;

/**
 * How many open alerts and unread messages a snapshot lists (the counts are exact whatever
 * these are): LIMITS for the live views; Infinity for the printed sections that list them
 * and --json; none of the unread for the printed dashboard, which lists none.
 */
export type OpenLimits = {openAlerts: number; unreadRows: number};

/** The prepared statements of one schema; null: what it reads is missing. */
export type Statements = {
	schema: BusSchema;
	sessions: Database.Statement;
	/** The live sessions by a table scan (sessions.ts: which is cheaper depends on how many have ended). */
	sessionsScan: Database.Statement | null;
	sessionTotal: Database.Statement | null;
	claims: Database.Statement | null;
	locks: Database.Statement | null;
	openAlerts: Database.Statement | null;
	readAlerts: Database.Statement | null;
	unreadRows: Database.Statement | null;
	lifecycle: Database.Statement | null;
	alertCounts: Database.Statement | null;
	alertsExpiring: Database.Statement | null;
	unreadCounts: Database.Statement | null;
	unreadExpiring: Database.Statement | null;
	openStatuses: Database.Statement | null;
	legacyCount: Database.Statement | null;
	statusCounts: Database.Statement | null;
	totalCount: Database.Statement | null;
};

export type SnapshotSql = Record<Exclude<keyof Statements, 'schema'>, string | null>;

/** Each statement's SQL for `schema`; null: what it reads is missing. */
export function snapshotSql(schema: BusSchema, limits: OpenLimits = LIMITS): SnapshotSql {
	const v2 = hasV2Messages(schema);
	const messages = schema.columns.has('session_messages');
	const select = messages ? selectList(schema, 'session_messages', MESSAGE_COLUMNS) : '';
	const open = OPEN_MESSAGE_SQL;
	const counts = countSql(schema);
	const limit = (bound: number) => (Number.isFinite(bound) ? ` LIMIT ${bound}` : '');
	return {
		sessions: liveSessionsSql(schema),
		sessionsScan: liveSessionsScanSql(schema),
		sessionTotal: sessionTotalSql(schema),
		claims: schema.columns.has('task_claims')
			? `SELECT rowid, ${selectList(schema, 'task_claims', HOLD_COLUMNS.task_claims)} FROM task_claims`
			: null,
		locks: schema.columns.has('file_locks')
			? `SELECT rowid, ${selectList(schema, 'file_locks', HOLD_COLUMNS.file_locks)} FROM file_locks`
			: null,
		openAlerts: v2
			? `SELECT ${select} FROM session_messages${indexedBy(schema, 'idx_messages_open_alerts')} WHERE channel = 'operator_alerts' AND ${open} ORDER BY priority DESC, id DESC${limit(limits.openAlerts)}`
			: null,
		readAlerts: v2
			? `SELECT ${select} FROM session_messages WHERE channel = 'operator_alerts' AND status = 'read' AND message_type IS NOT NULL ORDER BY id DESC LIMIT ${LIMITS.recentReadAlerts}`
			: null,
		unreadRows: v2
			? `SELECT ${select} FROM session_messages${indexedBy(schema, 'idx_messages_unread_urgent')} WHERE ${open} AND recipient_id IS NOT NULL ORDER BY priority DESC, id DESC${limit(limits.unreadRows)}`
			: null,
		lifecycle: messages
			? `SELECT ${select} FROM session_messages WHERE channel = 'session_lifecycle' ORDER BY id DESC LIMIT ${LIMITS.lifecycle}`
			: null,
		alertCounts: counts?.alertCounts ?? null,
		alertsExpiring: counts?.alertsExpiring ?? null,
		unreadCounts: counts?.unreadCounts ?? null,
		unreadExpiring: counts?.unreadExpiring ?? null,
		openStatuses: counts?.openStatuses ?? null,
		legacyCount: messages
			? v2
				? `SELECT count(*) AS n FROM session_messages WHERE message_type IS NULL`
				: `SELECT count(*) AS n FROM session_messages`
			: null,
		// v2 messages by status: every status but 'read' through the status index (open ones are
		// few); 'read', nearly the whole history, is what the total leaves (SQLite counts a whole
		// table without visiting its rows, a range only row by row).
		// before_read: where GROUP BY status would have put 'read' among them.
		statusCounts: v2
			? `SELECT status, count(*) AS n, status < 'read' AS before_read FROM session_messages WHERE message_type IS NOT NULL AND (status < 'read' OR status > 'read' OR status IS NULL) GROUP BY status`
			: null,
		totalCount: v2 ? `SELECT count(*) AS n FROM session_messages` : null,
	};
}

/** The whole-history counts: read only when asked for (they scan an index), as objects. */
const HISTORY_COUNTS = new Set(['legacyCount', 'statusCounts', 'totalCount']);

/** Prepares what snapshotSql wrote. Every other statement hands back arrays (see Row in rows.ts). */
export function prepareStatements(db: Database.Database, schema: BusSchema, sql: SnapshotSql): Statements {
	const statements = Object.fromEntries(
		Object.entries(sql).map(([name, source]) => {
			if (source === null) return [name, null];
			const statement = db.prepare(source);
			return [name, HISTORY_COUNTS.has(name) ? statement : statement.raw(true)];
		}),
	) as Omit<Statements, 'schema'>;
	return {schema, ...statements};
}

/**
 * Statements whose rows rarely change between two refreshes (heartbeats change
 * sessions, not locks): each gets a fingerprint query, asked before its rows are read
 * again (when, see RowReuse in reuse.ts).
 */
export const FINGERPRINTED = ['claims', 'locks', 'openAlerts', 'readAlerts', 'unreadRows', 'lifecycle'] as const;
export type FingerprintedName = (typeof FINGERPRINTED)[number];

/**
 * Runs `sql` inside SQLite and makes its rows one text, without building a JavaScript
 * object per row. Every value goes in as an SQL literal (quote(): 5, '5', NULL, 'NULL'
 * and X'35' all differ, and a text's closing quote is found even when it holds the
 * separators), so equal texts mean equal rows. SQLite compares it with the last one
 * (bound as @last) and returns it only when it changed: an unchanged fingerprint never
 * becomes a JavaScript string, which would be garbage at once.
 */
export function fingerprintSql(sql: string, columns: string[]): string {
	const values = columns.map(column => `quote("${column}")`).join(', ');
	return `SELECT CASE WHEN f IS @last THEN NULL ELSE f END AS f FROM (SELECT count(*) || char(29) || ifnull(group_concat(concat_ws(char(31), ${values}), char(30)), '') AS f FROM (${sql}))`;
}
