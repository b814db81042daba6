import os from 'node:os';
import type Database from 'better-sqlite3';
import {liveSessionIds} from '../build-bus.js';
import {nowNs} from './time.js';

/** One session heartbeats: a one-row UPDATE of session_registry. */
export function heartbeatStatement(db: Database.Database): Database.Statement {
	return db.prepare(`UPDATE session_registry SET last_heartbeat = ? WHERE session_id = ?`);
}

/** In one transaction: message `i` arrives for one of `ids` while the oldest open direct message is read (the open count stays put). */
export function messageExchange(db: Database.Database, ids: string[]): (i: number, at: string) => void {
	const insert = db.prepare(
		`INSERT INTO session_messages (sender_id, channel, payload, created_at, recipient_id, message_type, priority, status) VALUES (?, 'direct', ?, ?, ?, 'message', 1, 'pending')`,
	);
	const readOldest = db.prepare(
		`UPDATE session_messages SET status = 'read', delivered_at = coalesce(delivered_at, @at), read_at = @at WHERE id = (SELECT id FROM session_messages WHERE channel = 'direct' AND status IN ('pending','delivered') AND recipient_id IS NOT NULL AND message_type IS NOT NULL ORDER BY priority, id LIMIT 1)`,
	);
	return db.transaction((i: number, at: string) => {
		insert.run(ids[i % ids.length], JSON.stringify({text: `busy writer message ${i}`}), at, ids[(i * 7) % ids.length]);
		readOldest.run({at});
	});
}

/** Writers committing `perSecond` times a second: heartbeats, and every 10th commit a message arrives while the oldest open one is read (the open count stays put). */
export function startWriters(db: Database.Database, perSecond: number): {stop: () => {commits: number; seconds: number}} {
	const ids = liveSessionIds(db);
	// The writes act for live sessions: the messages' sender_id is one of them.
	if (ids.length === 0) throw new Error(`no live session on ${db.name} to write for (freshen its heartbeats first)`);
	const heartbeat = heartbeatStatement(db);
	const exchange = messageExchange(db, ids);
	let commits = 0;
	const started = Date.now();
	const timer = setInterval(() => {
		const due = Math.floor(((Date.now() - started) * perSecond) / 1000);
		while (commits < due) {
			const at = new Date().toISOString();
			if (commits % 10 === 9) exchange(commits, at);
			else heartbeat.run(at, ids[(commits * 13) % ids.length]);
			commits++;
		}
	}, 4);
	return {
		stop: () => {
			clearInterval(timer);
			return {commits, seconds: (Date.now() - started) / 1000};
		},
	};
}

/** A new agent on `hostname` registers: a session with a unique id (and its lifecycle `started` event), in one commit. Returns the commit time. */
export function registerMarker(db: Database.Database, sessionId: string, pid: number, hostname = os.hostname()): bigint {
	const at = new Date().toISOString();
	db.transaction(() => {
		// Below every rowid, so it is the first row of the Sessions view (which keeps the bus's order) and on screen.
		const rowid = (db.prepare(`SELECT min(rowid) AS r FROM session_registry`).get() as {r: number}).r - 1;
		db.prepare(
			`INSERT INTO session_registry (rowid, session_id, session_uuid, machine_uuid, hostname, llm_vendor, llm_model, project_id, tty, cwd, pid, status, registered_at, last_heartbeat, metadata)
			 VALUES (?, ?, NULL, NULL, ?, 'claude', 'opus-4.6', 'BENCH', NULL, '/home/dev0/projects/bench', ?, 'active', ?, ?, NULL)`,
		).run(rowid, sessionId, hostname, pid, at, at);
		db.prepare(
			`INSERT INTO session_messages (sender_id, channel, payload, created_at, message_type, priority, status, project_id) VALUES (?, 'session_lifecycle', ?, ?, 'started', 1, 'pending', 'BENCH')`,
		).run(sessionId, JSON.stringify({session_id: sessionId, project_id: 'BENCH', cwd: '/home/dev0/projects/bench', reason: null}), at);
	})();
	return nowNs();
}
