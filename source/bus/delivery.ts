import type Database from 'better-sqlite3';
import {cleanText} from '../text/sanitize.js';
import {BusError, explainSqliteError, fileIdentity, openWriter} from './open.js';
import {type BusSchema, hasColumn, hasV2Messages, introspect, selectList} from './schema.js';
import {isoNow} from './time.js';
import {OPEN_STATUS_SQL} from './rules.js';
import {type SendRequest, type SendResult, insertMessage} from './send.js';

/**
 * The only writes the dashboard makes: delivery state, acknowledgements,
 * releasing dead or stale sessions, locks and claims, and the operator's messages. Each is one tiny
 * BEGIN IMMEDIATE transaction on a handle with a short busy timeout; when the
 * database is locked we wait a few milliseconds *asynchronously* and try again,
 * so the screen and the keyboard never freeze, then give up with a message.
 */

export type SessionTarget = {rowid: number; sessionId: string; heartbeatText: string | null};
export type HoldTarget = {rowid: number; key: string; sessionId: string};
export type ReleaseResult = 'released' | 'changed' | 'gone';
/** Something `x` can release, with the cause that goes into the lifecycle event. */
export type ReleaseTarget =
	({kind: 'session'} & SessionTarget & {reason: string}) | ({kind: 'lock' | 'claim'} & HoldTarget & {reason: string});

export type DeliveryOptions = {
	readOnly: boolean;
	/** How long one write keeps retrying a locked database before it reports. */
	retryForMs?: number;
	retryStepMs?: number;
	now?: () => number;
};

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));
const CHUNK = 500;

function isBusy(error: unknown): boolean {
	const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
	return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

export class DeliveryWriter {
	private db: Database.Database | null = null;
	/** The identity of the file `db` was opened on. */
	private openedIdentity: string | null = null;
	private schema: BusSchema | null = null;
	private schemaVersion = -1;
	private readonly dbPath: string;
	private readonly options: Required<DeliveryOptions>;

	constructor(dbPath: string, options: DeliveryOptions) {
		this.dbPath = dbPath;
		this.options = {retryForMs: 2000, retryStepMs: 25, now: Date.now, ...options};
	}

	get readOnly(): boolean {
		return this.options.readOnly;
	}

	/**
	 * The open handle, reopened when the file at the path is no longer the one it was
	 * opened on: an old handle would write into a deleted or replaced database, and the
	 * acknowledgement would be lost while reported as done.
	 */
	private handle(): Database.Database {
		const identity = fileIdentity(this.dbPath);
		if (this.db && identity !== this.openedIdentity) this.close();
		if (!this.db) {
			this.db = openWriter(this.dbPath);
			this.openedIdentity = identity;
		}
		return this.db;
	}

	/**
	 * The schema as it is now, inside the write transaction (the write lock keeps it
	 * still): a writer may add a table or the v2 columns while the dashboard runs.
	 */
	private currentSchema(db: Database.Database): BusSchema {
		const version = Number(db.pragma('schema_version', {simple: true}));
		if (!this.schema || version !== this.schemaVersion) {
			this.schema = introspect(db);
			this.schemaVersion = version;
		}
		return this.schema;
	}

	/** Runs `work` in BEGIN IMMEDIATE, retrying while the database is locked. */
	private async write<T>(work: (db: Database.Database, schema: BusSchema) => T): Promise<T> {
		if (this.options.readOnly) throw new BusError('read-only', 'Read-only mode: no writes are made (started with --read-only).');
		const deadline = Date.now() + this.options.retryForMs;
		for (;;) {
			try {
				const db = this.handle();
				return db.transaction(() => work(db, this.currentSchema(db))).immediate();
			} catch (error) {
				if (isBusy(error) && Date.now() < deadline) {
					await sleep(this.options.retryStepMs);
					continue;
				}
				if (isBusy(error)) {
					throw new BusError(
						'locked',
						`The database stayed locked for ${(this.options.retryForMs / 1000).toFixed(1)} s; nothing was written. Try again.`,
					);
				}
				// A replaced file or a schema change: start from a fresh handle next time.
				this.close();
				throw explainSqliteError(error, this.dbPath) ?? error;
			}
		}
	}

	/** pending -> delivered, for v2 messages only; never moves a message backwards. */
	async markDelivered(ids: number[]): Promise<number> {
		if (ids.length === 0) return 0;
		return this.updateMessages(ids, {status: "'delivered'", delivered_at: '@now'}, "status = 'pending'");
	}

	/** pending|delivered -> read (acknowledged). */
	async acknowledge(ids: number[]): Promise<number> {
		if (ids.length === 0) return 0;
		return this.updateMessages(ids, {status: "'read'", read_at: '@now', delivered_at: 'COALESCE(delivered_at, @now)'}, OPEN_STATUS_SQL);
	}

	/** `assignments`: column -> SQL value; columns an older schema lacks are left out. */
	private async updateMessages(ids: number[], assignments: Record<string, string>, fromStatus: string): Promise<number> {
		return this.write((db, schema) => {
			if (!hasV2Messages(schema)) return 0;
			const set = Object.entries(assignments)
				.filter(([column]) => hasColumn(schema, 'session_messages', column))
				.map(([column, value]) => `${column} = ${value}`)
				.join(', ');
			const now = isoNow(this.options.now());
			let changed = 0;
			for (let start = 0; start < ids.length; start += CHUNK) {
				const chunk = ids.slice(start, start + CHUNK);
				const statement = db.prepare(
					`UPDATE session_messages SET ${set} WHERE id IN (${chunk.map(() => '?').join(',')}) AND ${fromStatus} AND message_type IS NOT NULL`,
				);
				changed += statement.run(...chunk, {now}).changes;
			}
			return changed;
		});
	}

	/**
	 * Marks a session stale, deletes its claims and locks, and publishes a lifecycle
	 * `ended` event, in one transaction, only if the row still holds the heartbeat
	 * that was judged: a session that heartbeats in between keeps everything.
	 */
	async releaseSession(target: SessionTarget, reason: string): Promise<ReleaseResult> {
		return this.write((db, schema) => {
			const row = db
				.prepare(
					`SELECT session_id, last_heartbeat, ${selectList(schema, 'session_registry', ['project_id', 'cwd', 'status'])} FROM session_registry WHERE rowid = ?`,
				)
				.get(target.rowid) as
				{session_id: unknown; last_heartbeat: unknown; project_id: unknown; cwd: unknown; status: unknown} | undefined;
			if (!row || cleanText(row.session_id) !== target.sessionId) return 'gone';
			if (cleanText(row.last_heartbeat) !== target.heartbeatText) return 'changed';
			// Judged stale as an active row: one that ended, or that another dashboard released
			// meanwhile, is left alone (no ended -> stale, no second `ended` event).
			if (row.status !== null && row.status !== 'active') return 'changed';
			db.prepare(`UPDATE session_registry SET status = 'stale' WHERE rowid = ?`).run(target.rowid);
			if (schema.columns.has('task_claims')) db.prepare(`DELETE FROM task_claims WHERE session_id = ?`).run(row.session_id);
			if (schema.columns.has('file_locks')) db.prepare(`DELETE FROM file_locks WHERE session_id = ?`).run(row.session_id);
			if (schema.columns.has('session_messages')) {
				const payload = JSON.stringify({session_id: row.session_id, project_id: row.project_id, cwd: row.cwd, reason});
				const values: Record<string, unknown> = {
					sender_id: row.session_id,
					channel: 'session_lifecycle',
					payload,
					created_at: isoNow(this.options.now()),
					message_type: 'ended',
					priority: 1,
					status: 'pending',
					project_id: row.project_id,
				};
				const columns = Object.keys(values).filter(column => hasColumn(schema, 'session_messages', column));
				db.prepare(`INSERT INTO session_messages (${columns.join(', ')}) VALUES (${columns.map(c => `@${c}`).join(', ')})`).run(
					Object.fromEntries(columns.map(c => [c, values[c]])),
				);
			}
			return 'released';
		});
	}

	/** The operator's message to an agent (send.ts), refused under --read-only and without the v2 columns. */
	send(request: SendRequest): Promise<SendResult> {
		return this.write((db, schema) => insertMessage(db, schema, request, isoNow(this.options.now())));
	}

	release(target: ReleaseTarget): Promise<ReleaseResult> {
		if (target.kind === 'session') return this.releaseSession(target, target.reason);
		return target.kind === 'lock' ? this.releaseLock(target) : this.releaseClaim(target);
	}

	releaseLock(target: HoldTarget): Promise<ReleaseResult> {
		return this.releaseHold('file_locks', 'file_path', target);
	}

	releaseClaim(target: HoldTarget): Promise<ReleaseResult> {
		return this.releaseHold('task_claims', 'task_id', target);
	}

	private releaseHold(table: 'file_locks' | 'task_claims', keyColumn: string, target: HoldTarget): Promise<ReleaseResult> {
		return this.write((db, schema) => {
			if (!schema.columns.has(table)) return 'gone';
			const row = db.prepare(`SELECT ${keyColumn} AS k, session_id FROM ${table} WHERE rowid = ?`).get(target.rowid) as
				{k: unknown; session_id: unknown} | undefined;
			if (!row || cleanText(row.k) !== target.key) return 'gone';
			if (cleanText(row.session_id) !== target.sessionId) return 'changed';
			db.prepare(`DELETE FROM ${table} WHERE rowid = ?`).run(target.rowid);
			return 'released';
		});
	}

	close(): void {
		this.db?.close();
		this.db = null;
		this.openedIdentity = null;
		this.schema = null;
		this.schemaVersion = -1;
	}
}
