/**
 * The SQL of the session lists. A live read takes the sessions that are not ended, and
 * the ended ones that still matter to them (a lock or a claim held, or the current
 * session); the ended history is read only when it is shown, a page at a time, newest
 * registered first, by keyset on (status, rowid) (idx_sessions_status): a page costs the
 * same however long the history, and nothing of it is read while it is hidden.
 */
import {SESSION_COLUMNS} from './rows.js';
import {type BusSchema, hasColumn, indexedBy, selectList} from './schema.js';

const columns = (schema: BusSchema) => `rowid, ${selectList(schema, 'session_registry', SESSION_COLUMNS)}`;

/** Rows in SESSION order (rows.ts), by rowid: every session not ended. */
export function liveSessionsSql(schema: BusSchema): string {
	if (!schema.columns.has('session_registry')) return `SELECT NULL AS rowid WHERE 0`;
	const select = `SELECT ${columns(schema)} FROM session_registry`;
	if (!hasColumn(schema, 'session_registry', 'status')) return select;
	const hint = indexedBy(schema, 'idx_sessions_status');
	// Three ranges of the status index (an inequality alone would scan it whole); one scan without it.
	return hint
		? `${[`status < 'ended'`, `status > 'ended'`, `status IS NULL`].map(range => `${select}${hint} WHERE ${range}`).join(' UNION ALL ')} ORDER BY 1`
		: `${select} WHERE status IS NOT 'ended'`;
}

/**
 * The ended sessions among the ids in @ids (a JSON array), by rowid: those the live ones
 * still need (holders of a lock or claim, the current session). Looked up by session id,
 * the primary key (`+status` keeps the planner off the status index, which would walk every ended one).
 */
/**
 * The same rows as liveSessionsSql by one scan of the table: cheaper while few sessions
 * have ended (the index walk fetches each row apart), costlier once ended ones dominate.
 */
export function liveSessionsScanSql(schema: BusSchema): string | null {
	if (!hasColumn(schema, 'session_registry', 'status')) return null;
	return `SELECT ${columns(schema)} FROM session_registry WHERE status IS NOT 'ended' ORDER BY 1`;
}

export function keptSessionsSql(schema: BusSchema): string | null {
	if (!hasColumn(schema, 'session_registry', 'status') || !hasColumn(schema, 'session_registry', 'session_id')) return null;
	return `SELECT ${columns(schema)} FROM session_registry WHERE +status = 'ended' AND session_id IN (SELECT value FROM json_each(@ids)) ORDER BY 1`;
}

export type EndedSql = {
	/** The next page: ended sessions below rowid @before, newest first, at most @limit (-1: all). */
	page: string;
	/** The pages read so far, again: every ended session from rowid @floor up, newest first. */
	range: string;
};

/** Ended sessions, newest registered first; null when the registry has no status (nothing is ended). */
export function endedSessionsSql(schema: BusSchema): EndedSql | null {
	if (!hasColumn(schema, 'session_registry', 'status')) return null;
	const select = `SELECT ${columns(schema)} FROM session_registry${indexedBy(schema, 'idx_sessions_status')} WHERE status = 'ended'`;
	return {
		page: `${select} AND rowid < @before ORDER BY rowid DESC LIMIT @limit`,
		range: `${select} AND rowid >= @floor ORDER BY rowid DESC`,
	};
}

/** Every registered session, counted ("historical"). */
export function sessionTotalSql(schema: BusSchema): string | null {
	return schema.columns.has('session_registry') ? `SELECT count(*) FROM session_registry` : null;
}

/** The status line's sessions: rowid, pid, hostname, machine_uuid, last_heartbeat of each marked active (or with no status). */
export function activeSessionsSql(schema: BusSchema): string | null {
	if (!schema.columns.has('session_registry')) return null;
	const select = `SELECT rowid, ${selectList(schema, 'session_registry', ['pid', 'hostname', 'machine_uuid', 'last_heartbeat'])} FROM session_registry`;
	if (!hasColumn(schema, 'session_registry', 'status')) return select;
	const hint = indexedBy(schema, 'idx_sessions_status');
	return hint
		? `${select}${hint} WHERE status = 'active' UNION ALL ${select}${hint} WHERE status IS NULL`
		: `${select} WHERE status = 'active' OR status IS NULL`;
}
