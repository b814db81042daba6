/**
 * What the status line reads, in one read transaction: the sessions marked active, with
 * what judging them needs, and the counts of open alerts and unread messages (counts.ts).
 * Nothing else: a status bar asks every few seconds.
 */
import type Database from 'better-sqlite3';
import {countOpen} from './counts.js';
import {integer} from './rows.js';
import {introspect, isBus} from './schema.js';
import {activeSessionsSql} from './sessions.js';
import {parseTimestamp} from './time.js';

export type StatusSession = {
	rowid: number;
	pid: number | null;
	hostname: string | null;
	machineUuid: string | null;
	heartbeatMs: number | null;
};

export type StatusReading = {sessions: StatusSession[]; alerts: number; critical: number; unread: number};

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The status line's reading; `recipient`: count only that session's unread (null: everyone's); null: not a message bus. */
export function readStatus(db: Database.Database, recipient: string | null, now: number): StatusReading | null {
	return db.transaction(() => {
		const schema = introspect(db);
		if (!isBus(schema)) return null;
		const sql = activeSessionsSql(schema);
		const rows = sql ? (db.prepare(sql).raw(true).all() as unknown[][]) : [];
		const sessions = rows.map(([rowid, pid, hostname, machineUuid, heartbeat]) => ({
			rowid: Number(rowid),
			pid: integer(pid),
			hostname: text(hostname),
			machineUuid: text(machineUuid),
			heartbeatMs: parseTimestamp(heartbeat),
		}));
		return {sessions, ...countOpen(db, schema, recipient, now)};
	})();
}
