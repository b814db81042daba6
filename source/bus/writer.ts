import type Database from 'better-sqlite3';
import {CANONICAL_SCHEMA} from './schema.js';
import {createDatabase} from './open.js';
import {isoNow} from './time.js';

/**
 * A bus writer with the canonical schema: what agents do to the bus (register,
 * heartbeat, claim, lock, send, alert, end). The demo and the tests build their
 * databases with it; the dashboard itself never uses it.
 */

export type Registration = {
	sessionId: string;
	sessionUuid?: string | null;
	machineUuid?: string | null;
	hostname?: string | null;
	vendor?: string | null;
	model?: string | null;
	projectId?: string | null;
	tty?: string | null;
	cwd?: string | null;
	pid?: number | null;
	/** Epoch ms; defaults to now. */
	registeredAt?: number;
	metadata?: unknown;
	/** Publish a lifecycle `started` event (default true). */
	announce?: boolean;
};

export type Hold = {type?: 'exclusive' | 'shared'; expiresAt?: number | null; at?: number};

export type Message = {
	senderId: string;
	recipientId?: string | null;
	channel?: string;
	messageType?: string | null;
	priority?: number;
	payload?: unknown;
	/** Stored as given when a string (so tests can store malformed JSON). */
	rawPayload?: string | null;
	projectId?: string | null;
	taskId?: string | null;
	activity?: string | null;
	replyTo?: number | null;
	expiresAt?: number | null;
	ttlSeconds?: number | null;
	status?: string;
	at?: number;
};

export type Alert = {
	type: string;
	priority?: number;
	sessions: string[];
	projectId?: string;
	cwd?: string;
	filePath?: string;
	taskId?: string;
	action?: string;
	senderId?: string;
	at?: number;
};

export type LifecycleEvent = 'started' | 'ended' | 'resumed';

const HOLD_TABLES = {
	claim: {name: 'task_claims', key: 'task_id', type: 'claim_type', at: 'claimed_at'},
	lock: {name: 'file_locks', key: 'file_path', type: 'lock_type', at: 'locked_at'},
} as const;

const stamp = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : isoNow(ms));

export class BusWriter {
	readonly db: Database.Database;

	constructor(path: string, options: {busyTimeoutMs?: number} = {}) {
		this.db = createDatabase(path);
		this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 3000}`);
		this.db.pragma('journal_mode = WAL');
		this.db.exec(CANONICAL_SCHEMA);
	}

	register(session: Registration): void {
		const at = session.registeredAt ?? Date.now();
		this.db.transaction(() => {
			this.db
				.prepare(
					`INSERT OR REPLACE INTO session_registry
					 (session_id, session_uuid, machine_uuid, hostname, llm_vendor, llm_model, project_id, tty, cwd, pid, status, registered_at, last_heartbeat, metadata)
					 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
				)
				.run(
					session.sessionId,
					session.sessionUuid ?? null,
					session.machineUuid ?? null,
					session.hostname ?? null,
					session.vendor ?? null,
					session.model ?? null,
					session.projectId ?? null,
					session.tty ?? null,
					session.cwd ?? null,
					session.pid ?? null,
					isoNow(at),
					isoNow(at),
					session.metadata === undefined ? null : JSON.stringify(session.metadata),
				);
			if (session.announce ?? true) {
				this.lifecycle('started', {sessionId: session.sessionId, projectId: session.projectId ?? null, cwd: session.cwd ?? null, at});
			}
		})();
	}

	heartbeat(sessionId: string, at = Date.now()): void {
		this.db.prepare(`UPDATE session_registry SET last_heartbeat = ? WHERE session_id = ?`).run(isoNow(at), sessionId);
	}

	claim(taskId: string, sessionId: string, hold: Hold = {}): void {
		this.hold(HOLD_TABLES.claim, taskId, sessionId, hold);
	}

	release(taskId: string): void {
		this.db.prepare(`DELETE FROM task_claims WHERE task_id = ?`).run(taskId);
	}

	lock(filePath: string, sessionId: string, hold: Hold = {}): void {
		this.hold(HOLD_TABLES.lock, filePath, sessionId, hold);
	}

	unlock(filePath: string): void {
		this.db.prepare(`DELETE FROM file_locks WHERE file_path = ?`).run(filePath);
	}

	private hold(table: (typeof HOLD_TABLES)[keyof typeof HOLD_TABLES], key: string, sessionId: string, hold: Hold): void {
		this.db
			.prepare(
				`INSERT OR REPLACE INTO ${table.name} (${table.key}, session_id, ${table.type}, ${table.at}, expires_at) VALUES (?, ?, ?, ?, ?)`,
			)
			.run(key, sessionId, hold.type ?? 'exclusive', isoNow(hold.at), stamp(hold.expiresAt));
	}

	/** Inserts one message; returns its id. */
	send(message: Message): number {
		const payload = message.rawPayload !== undefined ? message.rawPayload : JSON.stringify(message.payload ?? {});
		const result = this.db
			.prepare(
				`INSERT INTO session_messages
				 (sender_id, channel, payload, created_at, ttl_seconds, recipient_id, message_type, priority, status, project_id, task_id, activity, reply_to, expires_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			)
			.run(
				message.senderId,
				message.channel ?? 'direct',
				payload,
				isoNow(message.at),
				message.ttlSeconds ?? null,
				message.recipientId ?? null,
				message.messageType === undefined ? 'message' : message.messageType,
				message.priority ?? 1,
				message.status ?? 'pending',
				message.projectId ?? null,
				message.taskId ?? null,
				message.activity ?? null,
				message.replyTo ?? null,
				stamp(message.expiresAt),
			);
		return Number(result.lastInsertRowid);
	}

	alert(alert: Alert): number {
		const payload: Record<string, unknown> = {sessions: alert.sessions};
		if (alert.projectId !== undefined) payload['project_id'] = alert.projectId;
		if (alert.cwd !== undefined) payload['cwd'] = alert.cwd;
		if (alert.filePath !== undefined) payload['file_path'] = alert.filePath;
		if (alert.taskId !== undefined) payload['task_id'] = alert.taskId;
		if (alert.action !== undefined) payload['action'] = alert.action;
		return this.send({
			senderId: alert.senderId ?? 'conflict-detector',
			channel: 'operator_alerts',
			messageType: alert.type,
			priority: alert.priority ?? 2,
			payload,
			projectId: alert.projectId ?? null,
			taskId: alert.taskId ?? null,
			at: alert.at,
		});
	}

	lifecycle(
		event: LifecycleEvent,
		details: {sessionId: string; projectId?: string | null; cwd?: string | null; reason?: string | null; at?: number},
	): number {
		return this.send({
			senderId: details.sessionId,
			channel: 'session_lifecycle',
			messageType: event,
			priority: 1,
			payload: {
				session_id: details.sessionId,
				project_id: details.projectId ?? null,
				cwd: details.cwd ?? null,
				reason: details.reason ?? null,
			},
			projectId: details.projectId ?? null,
			at: details.at,
		});
	}

	/** A clean exit: status ended, claims and locks released, lifecycle `ended`. */
	end(sessionId: string, reason = 'session ended normally', at = Date.now()): void {
		this.db.transaction(() => {
			const row = this.db.prepare(`SELECT project_id, cwd FROM session_registry WHERE session_id = ?`).get(sessionId) as
				{project_id: string | null; cwd: string | null} | undefined;
			this.db.prepare(`UPDATE session_registry SET status = 'ended' WHERE session_id = ?`).run(sessionId);
			this.db.prepare(`DELETE FROM task_claims WHERE session_id = ?`).run(sessionId);
			this.db.prepare(`DELETE FROM file_locks WHERE session_id = ?`).run(sessionId);
			this.lifecycle('ended', {sessionId, projectId: row?.project_id, cwd: row?.cwd, reason, at});
		})();
	}

	close(): void {
		this.db.close();
	}
}
