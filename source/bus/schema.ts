import type Database from 'better-sqlite3';
import {OPEN_MESSAGE_SQL, OPEN_STATUS_SQL, expirySql} from './rules.js';
import type {SchemaReport} from './types.js';

const EXPIRY = expirySql({expiresAt: true, ttlSeconds: true});

/**
 * The indexes this project adds to the contract's, so that what is read follows what is
 * shown, not what the bus has accumulated. Only the project's own writer creates them; a
 * bus without them is read all the same (the plans then visit rows instead of index entries).
 */
export const OWN_INDEXES = {
	/** The live sessions, and the ended ones a page at a time (keyset on rowid), without reading the history. */
	idx_sessions_status: `CREATE INDEX IF NOT EXISTS idx_sessions_status ON session_registry(status)`,
	/** Open messages that carry no expiry, counted from the index alone: alerts by type and priority, unread by channel and recipient. */
	idx_messages_open_lasting: `CREATE INDEX IF NOT EXISTS idx_messages_open_lasting ON session_messages(channel, recipient_id, priority, message_type, status, expires_at, ttl_seconds)
  WHERE ${OPEN_MESSAGE_SQL} AND ${EXPIRY.lasting}`,
	/** Open messages that may have expired (few): everything their judging needs, in the index. */
	idx_messages_open_expiring: `CREATE INDEX IF NOT EXISTS idx_messages_open_expiring ON session_messages(recipient_id, channel, priority, message_type, status, created_at, ttl_seconds, expires_at)
  WHERE ${OPEN_MESSAGE_SQL} AND ${EXPIRY.expiring}`,
	/**
	 * Open operator alerts, most urgent first, every column the Alerts list reads in the index: a
	 * commit makes SQLite drop its page cache, and the list is then read again from a few pages
	 * of this index, not from one page of the table for each alert.
	 */
	idx_messages_open_alerts: `CREATE INDEX IF NOT EXISTS idx_messages_open_alerts ON session_messages(priority DESC, id DESC, sender_id, channel, payload, created_at, ttl_seconds, recipient_id, message_type, status, project_id, task_id, activity, reply_to, expires_at, delivered_at, read_at)
  WHERE channel = 'operator_alerts' AND ${OPEN_MESSAGE_SQL}`,
	/** Open directed messages, most urgent first: the Unread list's first rows without sorting every open one. */
	idx_messages_unread_urgent: `CREATE INDEX IF NOT EXISTS idx_messages_unread_urgent ON session_messages(priority DESC, id DESC)
  WHERE ${OPEN_MESSAGE_SQL} AND recipient_id IS NOT NULL`,
} as const;
export type OwnIndex = keyof typeof OWN_INDEXES;

/** The canonical v2 schema of the bus contract, for databases this project creates. */
export const CANONICAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS session_registry (
  session_id     TEXT PRIMARY KEY,
  session_uuid   TEXT,
  machine_uuid   TEXT,
  hostname       TEXT,
  llm_vendor     TEXT,
  llm_model      TEXT,
  project_id     TEXT,
  tty            TEXT,
  cwd            TEXT,
  pid            INTEGER,
  status         TEXT NOT NULL DEFAULT 'active',
  registered_at  TEXT NOT NULL,
  last_heartbeat TEXT NOT NULL,
  metadata       TEXT
);
CREATE TABLE IF NOT EXISTS task_claims (
  task_id     TEXT PRIMARY KEY,
  session_id  TEXT NOT NULL,
  claim_type  TEXT NOT NULL DEFAULT 'exclusive',
  claimed_at  TEXT NOT NULL,
  expires_at  TEXT
);
CREATE TABLE IF NOT EXISTS file_locks (
  file_path   TEXT PRIMARY KEY,
  session_id  TEXT NOT NULL,
  lock_type   TEXT NOT NULL DEFAULT 'exclusive',
  locked_at   TEXT NOT NULL,
  expires_at  TEXT
);
CREATE TABLE IF NOT EXISTS session_messages (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  sender_id           TEXT NOT NULL,
  channel             TEXT NOT NULL,
  payload             TEXT,
  created_at          TEXT NOT NULL,
  ttl_seconds         INTEGER,
  sender_session_uuid TEXT,
  recipient_id        TEXT,
  message_type        TEXT,
  priority            INTEGER DEFAULT 1,
  status              TEXT DEFAULT 'pending',
  project_id          TEXT,
  task_id             TEXT,
  activity            TEXT,
  reply_to            INTEGER,
  expires_at          TEXT,
  delivered_at        TEXT,
  read_at             TEXT
);
CREATE INDEX IF NOT EXISTS idx_messages_channel   ON session_messages(channel, id);
CREATE INDEX IF NOT EXISTS idx_messages_recipient ON session_messages(recipient_id, status);
CREATE INDEX IF NOT EXISTS idx_messages_status    ON session_messages(status, message_type);
CREATE INDEX IF NOT EXISTS idx_claims_session     ON task_claims(session_id);
CREATE INDEX IF NOT EXISTS idx_locks_session      ON file_locks(session_id);
CREATE INDEX IF NOT EXISTS idx_messages_unread    ON session_messages(recipient_id, priority DESC, id DESC)
  WHERE ${OPEN_STATUS_SQL};
CREATE INDEX IF NOT EXISTS idx_messages_open      ON session_messages(channel, priority DESC, id DESC)
  WHERE ${OPEN_STATUS_SQL};
${Object.values(OWN_INDEXES).join(';\n')};
`;

export const TABLES = ['session_registry', 'task_claims', 'file_locks', 'session_messages'] as const;
export type TableName = (typeof TABLES)[number];

/** Columns the v2 delivery loop needs; without them every message is legacy. */
export const V2_MESSAGE_COLUMNS = ['recipient_id', 'message_type', 'priority', 'status'] as const;

/** What the open database actually has: table -> its columns (absent tables are missing). */
export type BusSchema = {
	columns: Map<TableName, Set<string>>;
	indexes: Set<string>;
	/** The indexes of OWN_INDEXES the database has, as defined there (a statement may name them). */
	ownIndexes: Set<OwnIndex>;
};

/** An index's CREATE statement in a form that compares equal however it was spaced or cased. */
const normalised = (sql: string) =>
	sql
		.replace(/IF NOT EXISTS/i, '')
		.replace(/\s+/g, ' ')
		.trim()
		.toLowerCase();

export function introspect(db: Database.Database): BusSchema {
	const columns = new Map<TableName, Set<string>>();
	for (const table of TABLES) {
		const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{name: string}>;
		if (rows.length > 0) columns.set(table, new Set(rows.map(row => row.name.toLowerCase())));
	}
	const rows = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index'`).all() as Array<{name: string; sql: string | null}>;
	// An index of one of our names but another definition would make INDEXED BY fail: it is not ours.
	const ownIndexes = new Set(
		rows
			.filter(row => Object.hasOwn(OWN_INDEXES, row.name) && row.sql !== null)
			.filter(row => normalised(row.sql!) === normalised(OWN_INDEXES[row.name as OwnIndex]))
			.map(row => row.name as OwnIndex),
	);
	return {columns, indexes: new Set(rows.map(row => row.name)), ownIndexes};
}

export function hasColumn(schema: BusSchema, table: TableName, column: string): boolean {
	return schema.columns.get(table)?.has(column) ?? false;
}

/** `"col"` for columns the table has, `NULL AS "col"` for those an older writer never added. */
export function selectList(schema: BusSchema, table: TableName, columns: readonly string[]): string {
	return columns.map(column => (hasColumn(schema, table, column) ? `"${column}"` : `NULL AS "${column}"`)).join(', ');
}

/** `INDEXED BY name` when the database has that index of ours, else nothing (the planner chooses). */
export function indexedBy(schema: BusSchema, index: OwnIndex): string {
	return schema.ownIndexes.has(index) ? ` INDEXED BY ${index}` : '';
}

export function hasV2Messages(schema: BusSchema): boolean {
	return V2_MESSAGE_COLUMNS.every(column => hasColumn(schema, 'session_messages', column));
}

/**
 * A database with neither the registry nor the messages is some other SQLite file, not
 * a quiet bus: reading it would show "0 sessions" as if all were well.
 */
export function isBus(schema: BusSchema): boolean {
	return schema.columns.has('session_registry') || schema.columns.has('session_messages');
}

export const NOT_A_BUS = 'not a message bus';
export const NOT_A_BUS_WHY = 'no session_registry or session_messages table';

/** In words, what this database lacks compared with the contract. */
export function describeSchema(schema: BusSchema): SchemaReport {
	const missing: string[] = [];
	for (const table of TABLES) {
		if (!schema.columns.has(table)) missing.push(`table ${table}`);
	}
	if (schema.columns.has('session_messages') && !hasV2Messages(schema)) {
		missing.push('v2 columns of session_messages (every message is legacy)');
	}
	return {missing, hasV2Messages: hasV2Messages(schema), isBus: isBus(schema)};
}
