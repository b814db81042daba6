/**
 * The SQL of one snapshot, built from the schema found (tables and columns may be
 * missing): every statement bounded by what is open, never by the whole history, except
 * the whole-history counts. Shared with the benchmark's floor, so both run the same SQL.
 */
import type Database from 'better-sqlite3';
import {OPEN_MESSAGE_SQL} from './rules.js';
import {HOLD_COLUMNS, MESSAGE_COLUMNS, SESSION_COLUMNS, UNREAD_SUMMARY_COLUMNS} from './rows.js';
import {type BusSchema, hasV2Messages, selectList} from './schema.js';

/** How many rows each bounded statement reads at most. */
export const LIMITS = {
	openAlerts: 500,
	recentReadAlerts: 50,
	unreadRows: 500,
	unreadSummaryRows: 20_000,
	lifecycle: 50,
} as const;

/** The prepared statements of one schema; null: what it reads is missing. */
export type Statements = {
	schema: BusSchema;
	sessions: Database.Statement;
	claims: Database.Statement | null;
	locks: Database.Statement | null;
	openAlerts: Database.Statement | null;
	readAlerts: Database.Statement | null;
	unreadRows: Database.Statement | null;
	unreadSummary: Database.Statement | null;
	lifecycle: Database.Statement | null;
	legacyCount: Database.Statement | null;
	statusCounts: Database.Statement | null;
	totalCount: Database.Statement | null;
};

export type SnapshotSql = Record<Exclude<keyof Statements, 'schema'>, string | null>;

/** Each statement's SQL for `schema`; null: what it reads is missing. */
export function snapshotSql(schema: BusSchema): SnapshotSql {
	const v2 = hasV2Messages(schema);
	const messages = schema.columns.has('session_messages');
	const select = messages ? selectList(schema, 'session_messages', MESSAGE_COLUMNS) : '';
	const open = OPEN_MESSAGE_SQL;
	return {
		sessions: schema.columns.has('session_registry')
			? `SELECT rowid, ${selectList(schema, 'session_registry', SESSION_COLUMNS)} FROM session_registry`
			: `SELECT NULL AS rowid WHERE 0`,
		claims: schema.columns.has('task_claims')
			? `SELECT rowid, ${selectList(schema, 'task_claims', HOLD_COLUMNS.task_claims)} FROM task_claims`
			: null,
		locks: schema.columns.has('file_locks')
			? `SELECT rowid, ${selectList(schema, 'file_locks', HOLD_COLUMNS.file_locks)} FROM file_locks`
			: null,
		openAlerts: v2
			? `SELECT ${select} FROM session_messages WHERE channel = 'operator_alerts' AND ${open} ORDER BY priority DESC, id DESC LIMIT ${LIMITS.openAlerts}`
			: null,
		readAlerts: v2
			? `SELECT ${select} FROM session_messages WHERE channel = 'operator_alerts' AND status = 'read' AND message_type IS NOT NULL ORDER BY id DESC LIMIT ${LIMITS.recentReadAlerts}`
			: null,
		unreadRows: v2
			? `SELECT ${select} FROM session_messages WHERE recipient_id IS NOT NULL AND ${open} ORDER BY priority DESC, id DESC LIMIT ${LIMITS.unreadRows}`
			: null,
		unreadSummary: v2
			? `SELECT ${selectList(schema, 'session_messages', UNREAD_SUMMARY_COLUMNS)} FROM session_messages WHERE recipient_id IS NOT NULL AND ${open} LIMIT ${LIMITS.unreadSummaryRows}`
			: null,
		lifecycle: messages
			? `SELECT ${select} FROM session_messages WHERE channel = 'session_lifecycle' ORDER BY id DESC LIMIT ${LIMITS.lifecycle}`
			: null,
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

/** Prepares what snapshotSql wrote. Row statements hand back arrays (see Row in rows.ts); the counts stay objects. */
export function prepareStatements(db: Database.Database, schema: BusSchema, sql: SnapshotSql): Statements {
	const prepare = (source: string | null) => (source === null ? null : db.prepare(source));
	const rows = (source: string | null) => prepare(source)?.raw(true) ?? null;
	return {
		schema,
		sessions: rows(sql.sessions)!,
		claims: rows(sql.claims),
		locks: rows(sql.locks),
		openAlerts: rows(sql.openAlerts),
		readAlerts: rows(sql.readAlerts),
		unreadRows: rows(sql.unreadRows),
		unreadSummary: rows(sql.unreadSummary),
		lifecycle: rows(sql.lifecycle),
		legacyCount: prepare(sql.legacyCount),
		statusCounts: prepare(sql.statusCounts),
		totalCount: prepare(sql.totalCount),
	};
}

/**
 * Statements whose rows rarely change between two refreshes (heartbeats change
 * sessions, not locks): each gets a fingerprint query, asked before its rows are read
 * again (when, see RowReuse in reuse.ts).
 */
export const FINGERPRINTED = ['claims', 'locks', 'openAlerts', 'readAlerts', 'unreadRows', 'unreadSummary', 'lifecycle'] as const;
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
