import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {performance} from 'node:perf_hooks';
import {spawn, type ChildProcess} from 'node:child_process';
import Database from 'better-sqlite3';
import {tempDir} from './helpers/fixtures.js';
import {freezeMeter} from './helpers/freeze-meter.js';
import {BusWriter} from '../source/bus/writer.js';
import {DeliveryWriter, type SessionTarget} from '../source/bus/delivery.js';
import {BusError, openReader, openWriter} from '../source/bus/open.js';
import {EXIT_CODES} from '../source/exit-codes.js';
import {SnapshotReader} from '../source/bus/reader.js';
import {isoNow} from '../source/bus/time.js';

const NOW = Date.UTC(2026, 1, 11, 12, 0, 0);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children: ChildProcess[] = [];

after(() => {
	for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function freshPath(): string {
	return path.join(tempDir(), 'messaging.db');
}

type MessageState = {status: string | null; delivered_at: string | null; read_at: string | null};

function message(dbPath: string, id: number): MessageState {
	const db = openReader(dbPath);
	try {
		return db.prepare(`SELECT status, delivered_at, read_at FROM session_messages WHERE id = ?`).get(id) as MessageState;
	} finally {
		db.close();
	}
}

/** Every row of every table, for "nothing changed". */
function dump(dbPath: string): string {
	const db = openReader(dbPath);
	try {
		const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{name: string}>).map(
			row => row.name,
		);
		return JSON.stringify(tables.map(table => [table, db.prepare(`SELECT rowid AS _rowid, * FROM "${table}" ORDER BY rowid`).all()]));
	} finally {
		db.close();
	}
}

function sessionTarget(dbPath: string, sessionId: string): SessionTarget {
	const db = openReader(dbPath);
	try {
		const row = new SnapshotReader(db, dbPath)
			.read({now: NOW, staleTimeoutMs: 300_000, countHistory: false})
			.sessions.find(s => s.sessionId === sessionId)!;
		return {rowid: row.rowid, sessionId: row.sessionId, heartbeatText: row.lastHeartbeat.text};
	} finally {
		db.close();
	}
}

function writer(dbPath: string, extra: Partial<ConstructorParameters<typeof DeliveryWriter>[1]> = {}): DeliveryWriter {
	return new DeliveryWriter(dbPath, {readOnly: false, now: () => NOW, ...extra});
}

const isBusError = (kind: string) => (error: unknown) => {
	assert.ok(error instanceof BusError, `expected a BusError, got ${String(error)}`);
	assert.equal(error.kind, kind);
	return true;
};

describe('markDelivered / acknowledge', () => {
	function setup() {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const ids = {
			p1: bus.send({senderId: 'a', recipientId: 'b'}),
			p2: bus.send({senderId: 'a', channel: 'operator_alerts', messageType: 'task_conflict'}),
			p3: bus.send({senderId: 'a', recipientId: 'b'}),
			read: bus.send({senderId: 'a', recipientId: 'b', status: 'read'}),
			delivered: bus.send({senderId: 'a', recipientId: 'b', status: 'delivered'}),
			legacy: bus.send({senderId: 'a', recipientId: 'b', messageType: null}),
			legacyDelivered: bus.send({senderId: 'a', recipientId: 'b', messageType: null, status: 'delivered'}),
			expired: bus.send({senderId: 'a', recipientId: 'b', status: 'expired'}),
		};
		bus.db.prepare(`UPDATE session_messages SET delivered_at = 'earlier' WHERE id = ?`).run(ids.delivered);
		bus.close();
		return {dbPath, ids};
	}

	it('moves pending to delivered, with delivered_at; nothing else', async () => {
		const {dbPath, ids} = setup();
		const w = writer(dbPath);
		assert.equal(
			await w.markDelivered([ids.p1, ids.p2, ids.read, ids.delivered, ids.legacy, ids.legacyDelivered, ids.expired, 999_999]),
			2,
		);
		assert.deepEqual(message(dbPath, ids.p1), {status: 'delivered', delivered_at: isoNow(NOW), read_at: null});
		assert.deepEqual(message(dbPath, ids.p2), {status: 'delivered', delivered_at: isoNow(NOW), read_at: null});
		assert.deepEqual(message(dbPath, ids.p3), {status: 'pending', delivered_at: null, read_at: null}, 'not asked for');
		assert.deepEqual(message(dbPath, ids.read), {status: 'read', delivered_at: null, read_at: null}, 'read never goes back to delivered');
		assert.deepEqual(message(dbPath, ids.delivered), {status: 'delivered', delivered_at: 'earlier', read_at: null});
		assert.deepEqual(message(dbPath, ids.legacy), {status: 'pending', delivered_at: null, read_at: null}, 'legacy rows are never touched');
		assert.deepEqual(message(dbPath, ids.expired), {status: 'expired', delivered_at: null, read_at: null});
		assert.equal(await w.markDelivered([ids.p1, ids.p2]), 0, 'a second time changes nothing');
		assert.equal(await w.markDelivered([]), 0);
		w.close();
	});

	it('acknowledges pending and delivered as read, with read_at; never moves back', async () => {
		const {dbPath, ids} = setup();
		const first = writer(dbPath);
		assert.equal(await first.markDelivered([ids.p1]), 1);
		first.close();
		const later = writer(dbPath, {now: () => NOW + 1000});
		assert.equal(await later.acknowledge([ids.p1, ids.p3, ids.delivered, ids.read, ids.legacy, ids.legacyDelivered, ids.expired]), 3);
		assert.deepEqual(message(dbPath, ids.p1), {status: 'read', delivered_at: isoNow(NOW), read_at: isoNow(NOW + 1000)});
		assert.deepEqual(message(dbPath, ids.p3), {status: 'read', delivered_at: isoNow(NOW + 1000), read_at: isoNow(NOW + 1000)});
		assert.deepEqual(message(dbPath, ids.delivered), {status: 'read', delivered_at: 'earlier', read_at: isoNow(NOW + 1000)});
		assert.deepEqual(message(dbPath, ids.read), {status: 'read', delivered_at: null, read_at: null}, 'already read: untouched');
		assert.deepEqual(message(dbPath, ids.legacy), {status: 'pending', delivered_at: null, read_at: null});
		assert.deepEqual(message(dbPath, ids.legacyDelivered), {status: 'delivered', delivered_at: null, read_at: null});
		assert.deepEqual(message(dbPath, ids.expired), {status: 'expired', delivered_at: null, read_at: null});
		assert.equal(await later.acknowledge([ids.p1, ids.p3]), 0);
		assert.equal(await later.markDelivered([ids.p1, ids.p3]), 0);
		assert.equal(message(dbPath, ids.p1).status, 'read');
		assert.equal(await later.acknowledge([]), 0);
		later.close();
	});

	it('handles id lists longer than one statement chunk', async () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const ids: number[] = [];
		bus.db.transaction(() => {
			for (let i = 0; i < 1234; i++) ids.push(bus.send({senderId: 'a', recipientId: 'b'}));
		})();
		bus.send({senderId: 'a', recipientId: 'b'});
		bus.close();
		const asked = [...ids, ...Array.from({length: 300}, (_, i) => 1_000_000 + i)].reverse();
		const w = writer(dbPath);
		assert.equal(await w.markDelivered(asked), 1234);
		const count = (status: string) => {
			const db = openReader(dbPath);
			const n = (db.prepare(`SELECT count(*) AS n FROM session_messages WHERE status = ?`).get(status) as {n: number}).n;
			db.close();
			return n;
		};
		assert.equal(count('delivered'), 1234);
		assert.equal(count('pending'), 1);
		assert.equal(await w.acknowledge(asked), 1234);
		assert.equal(count('read'), 1234);
		assert.equal(count('pending'), 1);
		w.close();
	});

	it('writes nothing on a bus without v2 columns, and picks them up once a writer adds them', async () => {
		const dbPath = freshPath();
		const db = new Database(dbPath);
		db.pragma('journal_mode = WAL');
		db.exec(
			`CREATE TABLE session_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL, ttl_seconds INTEGER)`,
		);
		const old = Number(
			db.prepare(`INSERT INTO session_messages (sender_id, channel, payload, created_at) VALUES ('a', 'direct', '{}', ?)`).run(isoNow(NOW))
				.lastInsertRowid,
		);
		const w = writer(dbPath);
		assert.equal(await w.markDelivered([old]), 0);
		const before = dump(dbPath);
		assert.equal(await w.acknowledge([old]), 0);
		assert.equal(dump(dbPath), before);

		// The bus is migrated while the dashboard runs.
		for (const column of [
			'recipient_id TEXT',
			'message_type TEXT',
			'priority INTEGER DEFAULT 1',
			"status TEXT DEFAULT 'pending'",
			'delivered_at TEXT',
			'read_at TEXT',
		]) {
			db.exec(`ALTER TABLE session_messages ADD COLUMN ${column}`);
		}
		const fresh = Number(
			db
				.prepare(
					`INSERT INTO session_messages (sender_id, channel, payload, created_at, recipient_id, message_type) VALUES ('a', 'direct', '{}', ?, 'b', 'message')`,
				)
				.run(isoNow(NOW)).lastInsertRowid,
		);
		db.close();
		assert.equal(await w.markDelivered([old, fresh]), 1);
		assert.deepEqual(message(dbPath, fresh), {status: 'delivered', delivered_at: isoNow(NOW), read_at: null});
		assert.equal(message(dbPath, old).status, 'pending', 'the legacy row stays as it was');
		w.close();
	});
});

describe('releaseSession', () => {
	function setup() {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', projectId: 'PILOT', cwd: '/repo', registeredAt: NOW - 3_600_000});
		bus.heartbeat('claude-1', NOW - 20 * 60_000);
		bus.register({sessionId: 'codex-2', projectId: 'PILOT', registeredAt: NOW});
		bus.claim('T1', 'claude-1');
		bus.claim('T2', 'claude-1', {type: 'shared'});
		bus.claim('T3', 'codex-2');
		bus.lock('/repo/a.ts', 'claude-1');
		bus.lock('/repo/b.ts', 'codex-2');
		return {dbPath, bus};
	}

	function rows(dbPath: string, sql: string): unknown[] {
		const db = openReader(dbPath);
		try {
			return db.prepare(sql).all();
		} finally {
			db.close();
		}
	}

	it('marks the session stale, drops its claims and locks only, and publishes ended', async () => {
		const {dbPath, bus} = setup();
		bus.close();
		const target = sessionTarget(dbPath, 'claude-1');
		const lastId = (rows(dbPath, `SELECT max(id) AS id FROM session_messages`)[0] as {id: number}).id;
		const w = writer(dbPath);
		assert.equal(await w.releaseSession(target, 'heartbeat expired'), 'released');
		assert.deepEqual(rows(dbPath, `SELECT session_id, status FROM session_registry ORDER BY session_id`), [
			{session_id: 'claude-1', status: 'stale'},
			{session_id: 'codex-2', status: 'active'},
		]);
		assert.deepEqual(rows(dbPath, `SELECT task_id, session_id FROM task_claims`), [{task_id: 'T3', session_id: 'codex-2'}]);
		assert.deepEqual(rows(dbPath, `SELECT file_path, session_id FROM file_locks`), [{file_path: '/repo/b.ts', session_id: 'codex-2'}]);
		const events = rows(dbPath, `SELECT * FROM session_messages WHERE id > ${lastId}`) as Array<Record<string, unknown>>;
		assert.equal(events.length, 1);
		const event = events[0];
		assert.equal(event['sender_id'], 'claude-1');
		assert.equal(event['channel'], 'session_lifecycle');
		assert.equal(event['message_type'], 'ended');
		assert.equal(event['status'], 'pending');
		assert.equal(event['project_id'], 'PILOT');
		assert.equal(event['created_at'], isoNow(NOW));
		assert.deepEqual(JSON.parse(String(event['payload'])), {
			session_id: 'claude-1',
			project_id: 'PILOT',
			cwd: '/repo',
			reason: 'heartbeat expired',
		});
		w.close();
	});

	it("refuses ('changed') when the session heartbeated since it was judged, changing nothing", async () => {
		const {dbPath, bus} = setup();
		const target = sessionTarget(dbPath, 'claude-1');
		bus.heartbeat('claude-1', NOW);
		bus.close();
		const before = dump(dbPath);
		const w = writer(dbPath);
		assert.equal(await w.releaseSession(target, 'heartbeat expired'), 'changed');
		assert.equal(dump(dbPath), before);
		w.close();
	});

	it("refuses ('changed') a session that ended or was released meanwhile: one ended event, never ended -> stale", async () => {
		const {dbPath, bus} = setup();
		bus.close();
		const target = sessionTarget(dbPath, 'claude-1');
		const w = writer(dbPath);
		const other = writer(dbPath);
		assert.equal(await other.releaseSession(target, 'heartbeat expired'), 'released');
		const afterFirst = dump(dbPath);
		assert.equal(await w.releaseSession(target, 'heartbeat expired'), 'changed');
		assert.equal(dump(dbPath), afterFirst, 'a second dashboard publishes no second ended event');

		const {dbPath: second, bus: bus2} = setup();
		const judged = sessionTarget(second, 'claude-1');
		bus2.db.prepare(`UPDATE session_registry SET status = 'ended' WHERE session_id = 'claude-1'`).run();
		bus2.close();
		const before = dump(second);
		const w2 = writer(second);
		assert.equal(await w2.releaseSession(judged, 'heartbeat expired'), 'changed');
		assert.equal(dump(second), before);
		w.close();
		other.close();
		w2.close();
	});

	it("answers 'gone' for a missing row or a row that now holds another session", async () => {
		const {dbPath, bus} = setup();
		bus.close();
		const target = sessionTarget(dbPath, 'claude-1');
		const before = dump(dbPath);
		const w = writer(dbPath);
		assert.equal(await w.releaseSession({...target, rowid: 987_654}, 'heartbeat expired'), 'gone');
		assert.equal(await w.releaseSession({...target, sessionId: 'someone-else'}, 'heartbeat expired'), 'gone');
		assert.equal(dump(dbPath), before);
		w.close();
	});

	it('releases on an old schema: no v2 message columns, no file_locks', async () => {
		const dbPath = freshPath();
		const db = new Database(dbPath);
		db.pragma('journal_mode = WAL');
		db.exec(`CREATE TABLE session_registry (session_id TEXT PRIMARY KEY, pid INTEGER, status TEXT NOT NULL DEFAULT 'active', registered_at TEXT NOT NULL, last_heartbeat TEXT NOT NULL);
			CREATE TABLE task_claims (task_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, claim_type TEXT NOT NULL DEFAULT 'exclusive', claimed_at TEXT NOT NULL, expires_at TEXT);
			CREATE TABLE session_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL, ttl_seconds INTEGER);
			INSERT INTO session_registry VALUES ('claude-1', 1, 'active', '2026-02-11 10:00:00', '2026-02-11 10:00:00');
			INSERT INTO session_registry VALUES ('codex-2', 2, 'active', '2026-02-11 10:00:00', '2026-02-11 11:59:00');
			INSERT INTO task_claims (task_id, session_id, claimed_at) VALUES ('T1', 'claude-1', '2026-02-11 10:00:00'), ('T2', 'codex-2', '2026-02-11 10:00:00');`);
		db.close();
		const target = sessionTarget(dbPath, 'claude-1');
		assert.equal(target.heartbeatText, '2026-02-11 10:00:00');
		const w = writer(dbPath);
		assert.equal(await w.releaseSession(target, 'heartbeat expired'), 'released');
		const check = openReader(dbPath);
		assert.deepEqual(check.prepare(`SELECT session_id, status FROM session_registry ORDER BY session_id`).all(), [
			{session_id: 'claude-1', status: 'stale'},
			{session_id: 'codex-2', status: 'active'},
		]);
		assert.deepEqual(check.prepare(`SELECT task_id FROM task_claims`).all(), [{task_id: 'T2'}]);
		const event = check.prepare(`SELECT sender_id, channel, payload, created_at FROM session_messages`).all() as Array<
			Record<string, string>
		>;
		assert.equal(event.length, 1);
		assert.equal(event[0]['sender_id'], 'claude-1');
		assert.equal(event[0]['channel'], 'session_lifecycle');
		assert.equal(event[0]['created_at'], isoNow(NOW));
		assert.deepEqual(JSON.parse(event[0]['payload']), {session_id: 'claude-1', project_id: null, cwd: null, reason: 'heartbeat expired'});
		check.close();
		w.close();
	});

	it('releases a session whose heartbeat is stored as epoch numbers', async () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW});
		bus.db.prepare(`UPDATE session_registry SET last_heartbeat = ? WHERE session_id = 'claude-1'`).run(1770769897.25);
		bus.close();
		const target = sessionTarget(dbPath, 'claude-1');
		const w = writer(dbPath);
		assert.equal(await w.releaseSession(target, 'heartbeat expired'), 'released');
		w.close();
	});

	it('deletes claims from a table a writer created after the dashboard opened the bus', async () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW});
		bus.register({sessionId: 'codex-2', registeredAt: NOW});
		bus.db.exec('DROP TABLE task_claims');
		const w = writer(dbPath);
		assert.equal(await w.markDelivered([1]), 1, 'the handle is open now');
		bus.db.exec(
			`CREATE TABLE task_claims (task_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, claim_type TEXT NOT NULL DEFAULT 'exclusive', claimed_at TEXT NOT NULL, expires_at TEXT)`,
		);
		bus.claim('T1', 'claude-1');
		bus.close();
		assert.equal(await w.releaseSession(sessionTarget(dbPath, 'claude-1'), 'heartbeat expired'), 'released');
		const check = openReader(dbPath);
		assert.deepEqual(check.prepare(`SELECT task_id FROM task_claims`).all(), []);
		check.close();
		w.close();
	});
});

describe('releaseLock / releaseClaim', () => {
	function setup() {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.claim('T1', 'claude-1');
		bus.claim('T2', 'claude-1');
		bus.lock('/a', 'claude-1');
		bus.lock('/b', 'claude-1');
		const rowid = (table: string, key: string, value: string) =>
			(bus.db.prepare(`SELECT rowid AS r FROM ${table} WHERE ${key} = ?`).get(value) as {r: number}).r;
		return {dbPath, bus, rowid};
	}

	it('releases by rowid when the holder is unchanged', async () => {
		const {dbPath, bus, rowid} = setup();
		const lock = {rowid: rowid('file_locks', 'file_path', '/a'), key: '/a', sessionId: 'claude-1'};
		const claim = {rowid: rowid('task_claims', 'task_id', 'T1'), key: 'T1', sessionId: 'claude-1'};
		bus.close();
		const w = writer(dbPath);
		assert.equal(await w.releaseLock(lock), 'released');
		assert.equal(await w.releaseClaim(claim), 'released');
		const check = openReader(dbPath);
		assert.deepEqual(check.prepare(`SELECT file_path FROM file_locks`).all(), [{file_path: '/b'}]);
		assert.deepEqual(check.prepare(`SELECT task_id FROM task_claims`).all(), [{task_id: 'T2'}]);
		check.close();
		assert.equal(await w.releaseLock(lock), 'gone', 'a second time: gone');
		assert.equal(await w.releaseClaim(claim), 'gone');
		w.close();
	});

	it("refuses ('changed') when another session holds it now, and 'gone' for another key", async () => {
		const {dbPath, bus, rowid} = setup();
		const lock = {rowid: rowid('file_locks', 'file_path', '/a'), key: '/a', sessionId: 'claude-1'};
		const claim = {rowid: rowid('task_claims', 'task_id', 'T1'), key: 'T1', sessionId: 'claude-1'};
		bus.db.exec(
			`UPDATE file_locks SET session_id = 'codex-2' WHERE file_path = '/a'; UPDATE task_claims SET session_id = 'codex-2' WHERE task_id = 'T1';`,
		);
		bus.close();
		const before = dump(dbPath);
		const w = writer(dbPath);
		assert.equal(await w.releaseLock(lock), 'changed');
		assert.equal(await w.releaseClaim(claim), 'changed');
		assert.equal(await w.releaseLock({...lock, key: '/b'}), 'gone');
		assert.equal(await w.releaseClaim({...claim, key: 'T2'}), 'gone');
		assert.equal(await w.releaseLock({...lock, rowid: 424_242}), 'gone');
		assert.equal(dump(dbPath), before);
		w.close();
	});
});

describe('read-only mode', () => {
	it('rejects every write with BusError read-only and leaves the database unchanged', async () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW - 3_600_000});
		bus.claim('T1', 'claude-1');
		bus.lock('/a', 'claude-1');
		const id = bus.send({senderId: 'a', recipientId: 'claude-1'});
		bus.close();
		const target = sessionTarget(dbPath, 'claude-1');
		const before = dump(dbPath);
		const w = writer(dbPath, {readOnly: true});
		assert.equal(w.readOnly, true);
		await assert.rejects(w.markDelivered([id]), isBusError('read-only'));
		await assert.rejects(w.acknowledge([id]), isBusError('read-only'));
		await assert.rejects(w.releaseSession(target, 'heartbeat expired'), isBusError('read-only'));
		await assert.rejects(w.releaseLock({rowid: 1, key: '/a', sessionId: 'claude-1'}), isBusError('read-only'));
		await assert.rejects(w.releaseClaim({rowid: 1, key: 'T1', sessionId: 'claude-1'}), isBusError('read-only'));
		await assert.rejects(w.release({kind: 'session', ...target, reason: 'heartbeat expired'}), isBusError('read-only'));
		await assert.rejects(w.release({kind: 'lock', rowid: 1, key: '/a', sessionId: 'claude-1', reason: 'expired'}), isBusError('read-only'));
		assert.equal(dump(dbPath), before);
		w.close();
	});
});

describe('a locked database', () => {
	/** A child process that takes the write lock (BEGIN IMMEDIATE) and keeps it for `holdMs`. */
	async function holdLock(dbPath: string, holdMs: number): Promise<ChildProcess> {
		const script = `
			const Database = require('better-sqlite3');
			const db = new Database(process.argv[1]);
			db.exec('BEGIN IMMEDIATE');
			db.prepare("UPDATE session_registry SET hostname = 'locker' WHERE 0").run();
			process.stdout.write('locked\\n');
			setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, Number(process.argv[2]));`;
		const child = spawn(process.execPath, ['-e', script, dbPath, String(holdMs)], {cwd: REPO, stdio: ['ignore', 'pipe', 'inherit']});
		children.push(child);
		await new Promise<void>((resolve, reject) => {
			let out = '';
			child.stdout.on('data', (chunk: Buffer) => {
				out += chunk.toString();
				if (out.includes('locked')) resolve();
			});
			child.once('exit', code => reject(new Error(`lock holder exited early (${code})`)));
		});
		return child;
	}

	/** Runs `work`, measuring the event loop's longest pause meanwhile (see freezeMeter). */
	async function timed<T>(
		work: () => Promise<T>,
	): Promise<{result: PromiseSettledResult<T>; elapsedMs: number; maxGapMs: number; ticks: number}> {
		const meter = freezeMeter();
		const start = performance.now();
		const [result] = await Promise.allSettled([work()]);
		const elapsedMs = performance.now() - start;
		const maxGapMs = meter.stop();
		return {result: result, elapsedMs, maxGapMs, ticks: meter.ticks()};
	}

	function lockedSetup() {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW});
		const id = bus.send({senderId: 'a', recipientId: 'claude-1'});
		bus.close();
		return {dbPath, id};
	}

	it('gives up with BusError locked after retryForMs, changing nothing, without freezing the event loop', async () => {
		const {dbPath, id} = lockedSetup();
		const w = writer(dbPath, {retryForMs: 300});
		assert.equal(await w.acknowledge([0]), 0, 'warm-up: the handle is open before the lock is taken');
		const child = await holdLock(dbPath, 3000);
		const run = await timed(() => w.acknowledge([id]));
		assert.equal(run.result.status, 'rejected');
		isBusError('locked')(run.result.reason);
		assert.equal((run.result.reason as BusError).exitCode, EXIT_CODES.locked);
		assert.ok(run.elapsedMs >= 280, `waited ${run.elapsedMs} ms`);
		assert.ok(run.elapsedMs < 1500, `waited ${run.elapsedMs} ms`);
		assert.ok(run.maxGapMs < 100, `event loop blocked for ${run.maxGapMs} ms`);
		assert.ok(run.ticks >= 5, `${run.ticks} ticks`);
		assert.ok(child.exitCode === null, 'the lock was still held');
		assert.deepEqual(message(dbPath, id), {status: 'pending', delivered_at: null, read_at: null});
		child.kill('SIGKILL');
		await new Promise(resolve => child.once('exit', resolve));
		assert.deepEqual(message(dbPath, id), {status: 'pending', delivered_at: null, read_at: null});
		w.close();
	});

	it('succeeds when the lock is released within the retry window', async () => {
		const {dbPath, id} = lockedSetup();
		const w = writer(dbPath, {retryForMs: 5000});
		assert.equal(await w.acknowledge([0]), 0, 'warm-up');
		const child = await holdLock(dbPath, 400);
		const run = await timed(() => w.acknowledge([id]));
		assert.deepEqual(run.result, {status: 'fulfilled', value: 1});
		assert.ok(run.elapsedMs >= 150, `it waited for the lock (${run.elapsedMs} ms)`);
		assert.ok(run.maxGapMs < 100, `event loop blocked for ${run.maxGapMs} ms`);
		assert.equal(message(dbPath, id).status, 'read');
		await new Promise(resolve => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
		w.close();
	});
});

describe('opening the bus', () => {
	function openError(open: () => unknown): BusError {
		try {
			open();
		} catch (error) {
			assert.ok(error instanceof BusError, `expected a BusError, got ${String(error)}`);
			return error;
		}
		assert.fail('opened without an error');
	}

	it('a missing path: not-found, naming the path, --db and the demo', () => {
		const missing = path.join(tempDir(), 'nope', 'messaging.db');
		for (const open of [openReader, openWriter]) {
			const error = openError(() => open(missing));
			assert.equal(error.kind, 'not-found');
			assert.equal(error.exitCode, EXIT_CODES.notFound);
			assert.ok(error.message.includes(missing), error.message);
			assert.match(error.message, /--db/);
			assert.match(error.message, /demo/);
		}
		assert.equal(fs.existsSync(missing), false, 'nothing was created');
	});

	it('a path under a regular file (ENOTDIR): not-found', () => {
		const file = path.join(tempDir(), 'plain.txt');
		fs.writeFileSync(file, 'x');
		const error = openError(() => openReader(path.join(file, 'messaging.db')));
		assert.equal(error.kind, 'not-found');
		assert.ok(error.message.includes(path.join(file, 'messaging.db')));
	});

	it('a text file: not-a-database', () => {
		const file = path.join(tempDir(), 'notes.db');
		fs.writeFileSync(file, 'these are not the droids\n'.repeat(200));
		const error = openError(() => openReader(file));
		assert.equal(error.kind, 'not-a-database');
		assert.equal(error.exitCode, EXIT_CODES.notADatabase);
		assert.ok(error.message.includes(file));
	});

	it('a directory: not-a-database', () => {
		const dir = tempDir();
		const error = openError(() => openReader(dir));
		assert.equal(error.kind, 'not-a-database');
		assert.ok(error.message.includes(dir));
	});

	it('a truncated database: a BusError, not a raw crash', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.db.transaction(() => {
			for (let i = 0; i < 200; i++) bus.send({senderId: `sender-${i}`.repeat(10), payload: {i, text: 'x'.repeat(200)}});
		})();
		bus.close();
		assert.ok(fs.statSync(dbPath).size > 8192);
		fs.truncateSync(dbPath, 1000);
		let error: unknown;
		try {
			const db = openReader(dbPath);
			// Should the open succeed, the first snapshot must fail as a BusError too.
			try {
				new SnapshotReader(db, dbPath).read({now: NOW, staleTimeoutMs: 300_000, countHistory: true});
			} finally {
				db.close();
			}
		} catch (caught) {
			error = caught;
		}
		assert.ok(error instanceof BusError, `expected a BusError, got ${String(error)}`);
		assert.ok(['corrupt', 'not-a-database'].includes(error.kind), error.kind);
		assert.equal(error.exitCode, EXIT_CODES.notADatabase);
	});

	it('the reader handle cannot write', () => {
		const dbPath = freshPath();
		new BusWriter(dbPath).close();
		const db = openReader(dbPath);
		assert.throws(() => db.exec(`DELETE FROM session_registry`), /readonly/i);
		db.close();
	});

	it('a DeliveryWriter on a missing path rejects with not-found', async () => {
		const w = writer(path.join(tempDir(), 'absent.db'));
		await assert.rejects(w.acknowledge([1]), isBusError('not-found'));
		w.close();
	});
});
