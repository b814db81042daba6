import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import {tempDir} from './helpers/fixtures.js';
import {BusWriter} from '../source/bus/writer.js';
import {openReader} from '../source/bus/open.js';
import {introspect} from '../source/bus/schema.js';
import {SnapshotReader} from '../source/bus/reader.js';
import {LIMITS, snapshotSql} from '../source/bus/statements.js';
import {isoNow} from '../source/bus/time.js';
import {escapeControls} from '../source/text/sanitize.js';
import type {BusSnapshot, JsonValue, SessionRow} from '../source/bus/types.js';

const NOW = Date.UTC(2026, 1, 11, 12, 0, 0);
const STALE_MS = 300_000;

function freshPath(): string {
	return path.join(tempDir(), 'messaging.db');
}

function snapshot(dbPath: string, now = NOW, countHistory = true, endedSessions = 0): BusSnapshot {
	const db = openReader(dbPath);
	try {
		return new SnapshotReader(db, dbPath).read({now, staleTimeoutMs: STALE_MS, countHistory, endedSessions});
	} finally {
		db.close();
	}
}

/** A raw connection for building old or odd databases. */
function raw(dbPath: string): Database.Database {
	const db = new Database(dbPath);
	db.pragma('journal_mode = WAL');
	return db;
}

/** How the dashboard classes a session: status first, then heartbeat age. */
function state(row: SessionRow, snap: BusSnapshot): string {
	if (row.status !== 'active') return row.status;
	assert.notEqual(row.lastHeartbeat.ms, null);
	return snap.takenAt - row.lastHeartbeat.ms! > snap.staleTimeoutMs ? 'stale' : 'active';
}

const REGISTRY_DDL = `CREATE TABLE session_registry (
  session_id TEXT PRIMARY KEY, session_uuid TEXT, machine_uuid TEXT, hostname TEXT, llm_vendor TEXT, llm_model TEXT,
  project_id TEXT, tty TEXT, cwd TEXT, pid INTEGER, status TEXT NOT NULL DEFAULT 'active',
  registered_at TEXT NOT NULL, last_heartbeat TEXT NOT NULL, metadata TEXT)`;
const CLAIMS_DDL = `CREATE TABLE task_claims (task_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, claim_type TEXT NOT NULL DEFAULT 'exclusive', claimed_at TEXT NOT NULL, expires_at TEXT)`;
const LOCKS_DDL = `CREATE TABLE file_locks (file_path TEXT PRIMARY KEY, session_id TEXT NOT NULL, lock_type TEXT NOT NULL DEFAULT 'exclusive', locked_at TEXT NOT NULL, expires_at TEXT)`;
const V1_MESSAGES_DDL = `CREATE TABLE session_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL, ttl_seconds INTEGER)`;
const V2_ALTERS = [
	'sender_session_uuid TEXT',
	'recipient_id TEXT',
	'message_type TEXT',
	'priority INTEGER DEFAULT 1',
	"status TEXT DEFAULT 'pending'",
	'project_id TEXT',
	'task_id TEXT',
	'activity TEXT',
	'reply_to INTEGER',
	'expires_at TEXT',
	'delivered_at TEXT',
	'read_at TEXT',
]
	.map(column => `ALTER TABLE session_messages ADD COLUMN ${column};`)
	.join('\n');

function insertSession(db: Database.Database, id: string, heartbeat: unknown = isoNow(NOW)): void {
	db.prepare(`INSERT INTO session_registry (session_id, status, registered_at, last_heartbeat) VALUES (?, 'active', ?, ?)`).run(
		id,
		heartbeat,
		heartbeat,
	);
}

describe('snapshot of a canonical bus', () => {
	it('reports sessions with status and heartbeat: active, stale, ended', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({
			sessionId: 'claude-1',
			registeredAt: NOW - 3_600_000,
			pid: 4242,
			projectId: 'PILOT',
			cwd: '/repo',
			vendor: 'claude',
			model: 'opus-4.6',
			sessionUuid: 'u-1',
			machineUuid: 'm-1',
			hostname: 'h',
			tty: '/dev/ttys001',
			metadata: {k: 'v'},
		});
		bus.heartbeat('claude-1', NOW - 10_000);
		bus.register({sessionId: 'codex-2', registeredAt: NOW - 3_600_000});
		bus.heartbeat('codex-2', NOW - 20 * 60_000);
		bus.register({sessionId: 'edge-4', registeredAt: NOW - STALE_MS});
		bus.register({sessionId: 'gemini-3', registeredAt: NOW - 3_600_000});
		bus.end('gemini-3');
		bus.close();

		const live = snapshot(dbPath);
		assert.deepEqual(
			live.sessions.map(row => row.sessionId),
			['claude-1', 'codex-2', 'edge-4'],
			'an ended session is read only when asked for',
		);
		assert.deepEqual(live.sessionCounts, {total: 4, ended: 1}, 'but counted');
		const snap = snapshot(dbPath, NOW, true, Infinity);
		const byId = new Map(snap.sessions.map(row => [row.sessionId, row]));
		assert.equal(snap.sessions.length, 4);
		assert.equal(state(byId.get('claude-1')!, snap), 'active');
		assert.equal(state(byId.get('codex-2')!, snap), 'stale');
		assert.equal(state(byId.get('edge-4')!, snap), 'active', 'exactly at the timeout is not yet stale');
		assert.equal(state(byId.get('gemini-3')!, snap), 'ended');
		const claude = byId.get('claude-1')!;
		assert.deepEqual(claude.lastHeartbeat, {text: isoNow(NOW - 10_000), ms: NOW - 10_000});
		assert.deepEqual(claude.registeredAt, {text: isoNow(NOW - 3_600_000), ms: NOW - 3_600_000});
		assert.equal(claude.pid, 4242);
		assert.equal(claude.projectId, 'PILOT');
		assert.equal(claude.cwd, '/repo');
		assert.equal(claude.vendor, 'claude');
		assert.equal(claude.model, 'opus-4.6');
		assert.equal(claude.sessionUuid, 'u-1');
		assert.equal(claude.machineUuid, 'm-1');
		assert.equal(claude.tty, '/dev/ttys001');
		assert.deepEqual(claude.metadata, {k: 'v'});
		assert.equal(byId.get('codex-2')!.projectId, null);
		assert.equal(byId.get('codex-2')!.metadata, null);
		assert.equal(new Set(snap.sessions.map(row => row.rowid)).size, 4);
		assert.equal(snap.staleTimeoutMs, STALE_MS);
		assert.equal(snap.takenAt, NOW);
		assert.equal(snap.database.journalMode, 'WAL');
		assert.ok(snap.database.sizeBytes > 0);
		assert.deepEqual(snap.database.schema, {missing: [], hasV2Messages: true, isBus: true});
	});

	it('reports claims and locks, flagging expired ones', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW});
		bus.register({sessionId: 'codex-2', registeredAt: NOW});
		bus.claim('T1', 'claude-1', {at: NOW - 1000});
		bus.claim('T2', 'codex-2', {type: 'shared', at: NOW - 5000, expiresAt: NOW - 1});
		bus.claim('T3', 'claude-1', {at: NOW, expiresAt: NOW + 60_000});
		bus.claim('T4', 'claude-1', {at: NOW, expiresAt: NOW});
		bus.lock('/repo/a.ts', 'claude-1', {at: NOW});
		bus.lock('/repo/b.ts', 'codex-2', {type: 'shared', at: NOW - 120_000, expiresAt: NOW - 60_000});
		bus.close();

		const snap = snapshot(dbPath);
		const claims = [...snap.claims].sort((a, b) => a.key.localeCompare(b.key));
		assert.deepEqual(
			claims.map(claim => [claim.key, claim.sessionId, claim.type, claim.expired, claim.expiresAt.ms]),
			[
				['T1', 'claude-1', 'exclusive', false, null],
				['T2', 'codex-2', 'shared', true, NOW - 1],
				['T3', 'claude-1', 'exclusive', false, NOW + 60_000],
				['T4', 'claude-1', 'exclusive', true, NOW],
			],
		);
		assert.equal(claims[0].since.ms, NOW - 1000);
		const locks = [...snap.locks].sort((a, b) => a.key.localeCompare(b.key));
		assert.deepEqual(
			locks.map(lock => [lock.key, lock.sessionId, lock.type, lock.expired, lock.since.ms]),
			[
				['/repo/a.ts', 'claude-1', 'exclusive', false, NOW],
				['/repo/b.ts', 'codex-2', 'shared', true, NOW - 120_000],
			],
		);
		assert.ok(snap.claims.every(claim => Number.isInteger(claim.rowid) && claim.rowid > 0));
	});

	it('lists open alerts highest priority first, then recent read ones; never legacy or closed ones', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const sessions = ['claude-1', 'codex-2'];
		const a1 = bus.alert({type: 'weird_new_type', priority: 1, sessions, at: NOW});
		const a2 = bus.alert({type: 'project_conflict', priority: 3, sessions, projectId: 'PILOT', action: 'Coordinate', at: NOW});
		const a3 = bus.alert({type: 'file_conflict', priority: 2, sessions, filePath: '/repo/x.ts', at: NOW});
		const a4 = bus.alert({type: 'task_conflict', priority: 3, sessions, taskId: 'H.1', at: NOW});
		const a5 = bus.send({
			senderId: 'detector',
			channel: 'operator_alerts',
			messageType: 'cwd_overlap',
			priority: 0,
			status: 'delivered',
			payload: {sessions},
			at: NOW,
		});
		const readIds: number[] = [];
		for (let i = 0; i < LIMITS.recentReadAlerts + 10; i++) {
			readIds.push(
				bus.send({
					senderId: 'detector',
					channel: 'operator_alerts',
					messageType: 'task_conflict',
					priority: 3,
					status: 'read',
					at: NOW - 1000,
				}),
			);
		}
		bus.send({senderId: 'old', channel: 'operator_alerts', messageType: null, status: 'pending', priority: 3});
		bus.send({senderId: 'old', channel: 'operator_alerts', messageType: null, status: 'read', priority: 3});
		bus.send({senderId: 'detector', channel: 'operator_alerts', messageType: 'task_conflict', status: 'expired', priority: 3});
		bus.send({senderId: 'detector', channel: 'other', messageType: 'task_conflict', status: 'pending', priority: 3});
		bus.close();

		const snap = snapshot(dbPath);
		const expectedRead = readIds.slice(-LIMITS.recentReadAlerts).reverse();
		assert.deepEqual(
			snap.alerts.map(alert => alert.id),
			[a4, a2, a3, a1, a5, ...expectedRead],
		);
		const first = snap.alerts[0];
		assert.equal(first.messageType, 'task_conflict');
		assert.equal(first.priority, 3);
		assert.equal(first.status, 'pending');
		assert.deepEqual(first.payload, {sessions, task_id: 'H.1'});
		assert.deepEqual(snap.alerts[1].payload, {sessions, project_id: 'PILOT', action: 'Coordinate'});
		assert.equal(snap.alerts[3].messageType, 'weird_new_type');
		assert.equal(snap.alerts[4].status, 'delivered');
		assert.ok(snap.alerts.slice(5).every(alert => alert.status === 'read'));
	});

	it('counts unread per recipient with channel counts; expired, read, legacy and broadcast are not unread', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const to = (recipientId: string, extra: Partial<Parameters<BusWriter['send']>[0]> = {}) =>
			bus.send({senderId: 'codex-2', recipientId, channel: 'coordination', at: NOW - 1000, ...extra});
		const unread = [
			to('claude-1'),
			to('claude-1'),
			to('claude-1'),
			to('claude-1', {channel: 'review', status: 'delivered'}),
			to('claude-1', {channel: 'review', status: 'delivered'}),
			to('claude-1', {ttlSeconds: 600, at: NOW - 120_000}),
			to('claude-1', {expiresAt: NOW + 60_000}),
		];
		const critical = to('codex-2', {channel: 'direct', priority: 3});
		to('claude-1', {status: 'read'});
		to('claude-1', {status: 'expired'});
		to('claude-1', {expiresAt: NOW - 1});
		to('claude-1', {expiresAt: NOW});
		to('claude-1', {ttlSeconds: 60, at: NOW - 120_000});
		to('claude-1', {ttlSeconds: 60, at: NOW - 60_000});
		to('claude-1', {messageType: null});
		to('claude-1', {messageType: null, status: 'delivered'});
		bus.send({senderId: 'codex-2', recipientId: null, channel: 'broadcast', at: NOW});
		// expires_at in other forms: zone-less text in the future (UTC), epoch seconds in the past.
		const zoneless = to('claude-9');
		const epochPast = to('claude-9');
		bus.db.prepare(`UPDATE session_messages SET expires_at = ? WHERE id = ?`).run('2026-02-11 12:30:00', zoneless);
		bus.db.prepare(`UPDATE session_messages SET expires_at = ? WHERE id = ?`).run((NOW - 1000) / 1000, epochPast);
		bus.close();

		const snap = snapshot(dbPath);
		assert.deepEqual(
			snap.unread.map(message => message.id),
			[critical, ...[...unread, zoneless].sort((a, b) => b - a)],
		);
		assert.deepEqual(snap.unreadByRecipient, [
			{recipientId: 'codex-2', count: 1, maxPriority: 3, byChannel: [{channel: 'direct', count: 1}]},
			{
				recipientId: 'claude-1',
				count: 7,
				maxPriority: 1,
				byChannel: [
					{channel: 'coordination', count: 5},
					{channel: 'review', count: 2},
				],
			},
			{recipientId: 'claude-9', count: 1, maxPriority: 1, byChannel: [{channel: 'coordination', count: 1}]},
		]);
		// The same bus a minute later: the 600 s TTL message is still there, the 60 s-away expiry is gone.
		const later = snapshot(dbPath, NOW + 60_000);
		assert.equal(later.unreadByRecipient.find(entry => entry.recipientId === 'claude-1')!.count, 6);
	});

	it('keeps the unread count exact when the unread rows are bounded', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const total = LIMITS.unreadRows + 100;
		bus.db.transaction(() => {
			for (let i = 0; i < total; i++) bus.send({senderId: 'codex-2', recipientId: 'busy-1', channel: i % 3 ? 'a' : 'b', at: NOW});
		})();
		bus.close();
		const snap = snapshot(dbPath);
		assert.equal(snap.unread.length, LIMITS.unreadRows);
		assert.deepEqual(snap.unreadByRecipient, [
			{
				recipientId: 'busy-1',
				count: total,
				maxPriority: 1,
				byChannel: [
					{channel: 'a', count: (total * 2) / 3},
					{channel: 'b', count: total / 3},
				],
			},
		]);
	});

	it('never treats legacy rows as unread or alerts, whatever their status (ALTER TABLE gave them pending)', () => {
		const dbPath = freshPath();
		const db = raw(dbPath);
		db.exec(`${REGISTRY_DDL}; ${CLAIMS_DDL}; ${LOCKS_DDL}; ${V1_MESSAGES_DDL};`);
		const insertV1 = db.prepare(`INSERT INTO session_messages (sender_id, channel, payload, created_at) VALUES (?, ?, ?, ?)`);
		for (const channel of ['operator_alerts', 'operator_alerts', 'direct', 'session_lifecycle', 'direct'])
			insertV1.run('old-1', channel, '{}', isoNow(NOW));
		db.exec(V2_ALTERS);
		db.exec(`UPDATE session_messages SET recipient_id = 'claude-1' WHERE channel = 'direct'`);
		assert.equal(
			(db.prepare(`SELECT count(*) AS n FROM session_messages WHERE status = 'pending' AND message_type IS NULL`).get() as {n: number}).n,
			5,
		);
		const insertV2 = db.prepare(
			`INSERT INTO session_messages (sender_id, channel, payload, created_at, recipient_id, message_type, status) VALUES (?, ?, '{}', ?, ?, ?, ?)`,
		);
		const alert = Number(insertV2.run('detector', 'operator_alerts', isoNow(NOW), null, 'task_conflict', 'pending').lastInsertRowid);
		const direct = Number(insertV2.run('codex-2', 'direct', isoNow(NOW), 'claude-1', 'message', 'pending').lastInsertRowid);
		insertV2.run('codex-2', 'direct', isoNow(NOW), 'claude-1', 'message', 'read');
		db.close();

		const snap = snapshot(dbPath);
		assert.deepEqual(snap.database.schema, {missing: [], hasV2Messages: true, isBus: true});
		assert.deepEqual(
			snap.alerts.map(message => message.id),
			[alert],
		);
		assert.deepEqual(
			snap.unread.map(message => message.id),
			[direct],
		);
		assert.deepEqual(
			snap.unreadByRecipient.map(entry => [entry.recipientId, entry.count]),
			[['claude-1', 1]],
		);
		assert.equal(snap.counts!.legacy, 5);
		assert.equal(snap.counts!.v2, 3);
		assert.deepEqual(snap.counts!.byStatus, {pending: 2, read: 1});
		assert.equal(snap.lifecycle.length, 1);
		assert.equal(snap.lifecycle[0].messageType, null);
	});

	it('lists lifecycle events newest first, bounded', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const ids: number[] = [];
		bus.db.transaction(() => {
			for (let i = 0; i < LIMITS.lifecycle + 25; i++) {
				ids.push(
					bus.lifecycle(i % 3 === 0 ? 'started' : i % 3 === 1 ? 'ended' : 'resumed', {
						sessionId: `s-${i}`,
						projectId: 'P',
						cwd: '/c',
						reason: `r${i}`,
						at: NOW - (100 - i) * 1000,
					}),
				);
				bus.send({senderId: `s-${i}`, recipientId: 'x', channel: 'direct', at: NOW});
			}
		})();
		bus.close();

		const snap = snapshot(dbPath);
		assert.equal(snap.lifecycle.length, LIMITS.lifecycle);
		assert.deepEqual(
			snap.lifecycle.map(event => event.id),
			ids.slice(-LIMITS.lifecycle).reverse(),
		);
		const newest = snap.lifecycle[0];
		const i = LIMITS.lifecycle + 24;
		assert.equal(newest.channel, 'session_lifecycle');
		assert.equal(newest.senderId, `s-${i}`);
		assert.deepEqual(newest.payload, {session_id: `s-${i}`, project_id: 'P', cwd: '/c', reason: `r${i}`});
		assert.equal(newest.createdAt.ms, NOW - (100 - i) * 1000);
		assert.ok(snap.lifecycle.every(event => event.channel === 'session_lifecycle'));
	});

	it('counts the whole history only when asked, and keeps the last counts', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.send({senderId: 'a', status: 'pending'});
		bus.send({senderId: 'a', status: 'delivered'});
		bus.send({senderId: 'a', status: 'read'});
		bus.send({senderId: 'a', status: 'read'});
		bus.send({senderId: 'a', messageType: null});
		bus.close();
		assert.equal(snapshot(dbPath, NOW, false).counts, null);
		const db = openReader(dbPath);
		const reader = new SnapshotReader(db, dbPath);
		const first = reader.read({now: NOW, staleTimeoutMs: STALE_MS, countHistory: true});
		assert.deepEqual(first.counts, {legacy: 1, v2: 4, byStatus: {pending: 1, delivered: 1, read: 2}, countedAt: NOW});
		const second = reader.read({now: NOW + 5000, staleTimeoutMs: STALE_MS, countHistory: false});
		assert.deepEqual(second.counts, first.counts);
		db.close();
	});
});

describe('snapshot of old databases', () => {
	it('reads a bus whose session_messages lacks the v2 columns', () => {
		const dbPath = freshPath();
		const db = raw(dbPath);
		// An old registry too: no session_uuid, machine_uuid, llm_model, tty, metadata.
		db.exec(`CREATE TABLE session_registry (session_id TEXT PRIMARY KEY, hostname TEXT, llm_vendor TEXT, project_id TEXT, cwd TEXT, pid INTEGER,
			status TEXT NOT NULL DEFAULT 'active', registered_at TEXT NOT NULL, last_heartbeat TEXT NOT NULL);
			${CLAIMS_DDL}; ${LOCKS_DDL}; ${V1_MESSAGES_DDL};`);
		db.prepare(
			`INSERT INTO session_registry (session_id, llm_vendor, pid, registered_at, last_heartbeat) VALUES ('claude-1', 'claude', 7, ?, ?)`,
		).run(isoNow(NOW), isoNow(NOW));
		db.prepare(`INSERT INTO task_claims (task_id, session_id, claimed_at) VALUES ('T1', 'claude-1', ?)`).run(isoNow(NOW));
		db.prepare(`INSERT INTO file_locks (file_path, session_id, locked_at) VALUES ('/x', 'claude-1', ?)`).run(isoNow(NOW));
		const insert = db.prepare(`INSERT INTO session_messages (sender_id, channel, payload, created_at, ttl_seconds) VALUES (?, ?, ?, ?, ?)`);
		for (let i = 0; i < 4; i++)
			insert.run('claude-1', 'session_lifecycle', JSON.stringify({session_id: 'claude-1', n: i}), isoNow(NOW + i), null);
		for (let i = 0; i < 3; i++) insert.run('claude-1', 'operator_alerts', '{}', isoNow(NOW), 60);
		db.close();

		const snap = snapshot(dbPath);
		assert.equal(snap.database.schema.hasV2Messages, false);
		assert.equal(snap.database.schema.missing.length, 1);
		assert.match(snap.database.schema.missing[0], /v2 columns of session_messages/);
		assert.equal(snap.sessions.length, 1);
		const session = snap.sessions[0];
		assert.equal(session.vendor, 'claude');
		assert.equal(session.pid, 7);
		assert.equal(session.sessionUuid, null);
		assert.equal(session.model, null);
		assert.equal(session.tty, null);
		assert.equal(session.metadata, null);
		assert.equal(snap.claims.length, 1);
		assert.equal(snap.locks.length, 1);
		assert.deepEqual(snap.alerts, []);
		assert.deepEqual(snap.unread, []);
		assert.deepEqual(snap.unreadByRecipient, []);
		assert.equal(snap.lifecycle.length, 4);
		assert.deepEqual(
			snap.lifecycle.map(event => (event.payload as {n: number}).n),
			[3, 2, 1, 0],
		);
		assert.equal(snap.lifecycle[0].messageType, null);
		assert.equal(snap.lifecycle[0].recipientId, null);
		assert.equal(snap.lifecycle[0].createdAt.ms, NOW + 3);
		assert.deepEqual(snap.counts, {legacy: 7, v2: 0, byStatus: {}, countedAt: NOW});
	});

	it('reads a bus without file_locks', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW});
		bus.claim('T1', 'claude-1');
		bus.claim('T2', 'claude-1');
		bus.send({senderId: 'x', recipientId: 'claude-1', at: NOW});
		bus.db.exec('DROP TABLE file_locks');
		bus.close();
		const snap = snapshot(dbPath);
		assert.deepEqual(snap.database.schema, {missing: ['table file_locks'], hasV2Messages: true, isBus: true});
		assert.deepEqual(snap.locks, []);
		assert.equal(snap.claims.length, 2);
		assert.equal(snap.sessions.length, 1);
		assert.equal(snap.unreadByRecipient[0].count, 1);
		assert.equal(snap.lifecycle.length, 1);
	});

	it('reads a bus without task_claims', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW});
		bus.lock('/a', 'claude-1');
		bus.db.exec('DROP TABLE task_claims');
		bus.close();
		const snap = snapshot(dbPath);
		assert.deepEqual(snap.database.schema, {missing: ['table task_claims'], hasV2Messages: true, isBus: true});
		assert.deepEqual(snap.claims, []);
		assert.equal(snap.locks.length, 1);
		assert.equal(snap.locks[0].key, '/a');
	});

	it('reads a bus without session_messages at all', () => {
		const dbPath = freshPath();
		const db = raw(dbPath);
		db.exec(`${REGISTRY_DDL}; ${CLAIMS_DDL};`);
		insertSession(db, 'claude-1');
		insertSession(db, 'codex-2');
		db.close();
		const snap = snapshot(dbPath);
		assert.deepEqual(snap.database.schema, {missing: ['table file_locks', 'table session_messages'], hasV2Messages: false, isBus: true});
		assert.equal(snap.sessions.length, 2);
		assert.deepEqual([snap.alerts, snap.unread, snap.unreadByRecipient, snap.lifecycle, snap.locks, snap.claims], [[], [], [], [], [], []]);
		assert.equal(snap.counts, null);
	});

	it('reads a database with none of the tables', () => {
		const dbPath = freshPath();
		const db = raw(dbPath);
		db.exec('CREATE TABLE unrelated (x); DROP TABLE unrelated;');
		db.close();
		const snap = snapshot(dbPath);
		assert.deepEqual(snap.database.schema.missing, [
			'table session_registry',
			'table task_claims',
			'table file_locks',
			'table session_messages',
		]);
		assert.deepEqual(snap.sessions, []);
	});

	it('gives the same answers without any index', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', registeredAt: NOW});
		bus.register({sessionId: 'codex-2', registeredAt: NOW - 3_600_000});
		bus.claim('T1', 'claude-1', {at: NOW});
		bus.lock('/a', 'codex-2', {at: NOW, expiresAt: NOW - 1});
		for (let i = 0; i < 40; i++) {
			bus.alert({type: 'task_conflict', priority: i % 4, sessions: ['claude-1'], at: NOW});
			bus.send({
				senderId: 'codex-2',
				recipientId: i % 2 ? 'claude-1' : 'codex-2',
				channel: `c${i % 3}`,
				priority: i % 4,
				status: i % 5 ? 'pending' : 'read',
				at: NOW,
			});
			bus.send({senderId: 'codex-2', recipientId: 'claude-1', channel: 'legacy', messageType: null, at: NOW});
		}
		bus.db.prepare(`UPDATE session_messages SET status = 'read' WHERE channel = 'operator_alerts' AND id % 3 = 0`).run();
		bus.close();

		const withIndexes = snapshot(dbPath);
		const db = raw(dbPath);
		const indexes = (
			db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'`).all() as Array<{name: string}>
		).map(row => row.name);
		assert.equal(indexes.length, 12, "the contract's seven and the project's own five");
		for (const name of indexes) db.exec(`DROP INDEX "${name}"`);
		assert.equal([...introspect(db).indexes].filter(name => name.startsWith('idx_')).length, 0);
		db.close();
		const without = snapshot(dbPath);
		assert.ok(withIndexes.alerts.length > 10 && withIndexes.unread.length > 10);
		assert.deepEqual(
			{...without, database: {...without.database, sizeBytes: 0}},
			{...withIndexes, database: {...withIndexes.database, sizeBytes: 0}},
		);
	});
});

describe('timestamps', () => {
	const T = Date.UTC(2026, 1, 11, 0, 31, 37);
	const forms: Array<[unknown, number]> = [
		['2026-02-11T00:31:37Z', T],
		['2026-02-11 00:31:37Z', T],
		['2026-02-11T00:31:37', T],
		['2026-02-11 00:31:37', T],
		['2026-02-11T02:31:37+02:00', T],
		['2026-02-10T22:31:37-02:00', T],
		['2026-02-11T00:31:37.250Z', T + 250],
		['2026-02-11 00:31:37.123456', T + 123],
		['2026-02-11T02:31:37.5+02:00', T + 500],
		[BigInt(T / 1000), T],
		[T / 1000 + 0.25, T + 250],
		[String(T / 1000), T],
		['1795643261.02741', 1795643261027],
	];
	const unparseable = ['yesterday', '', '2026-13-01T00:00:00Z', '2026-02-30 00:00:00', '\x1b[2J', 'NaN', '12:00'];

	function check(dbPath: string): void {
		const snap = snapshot(dbPath);
		const byId = new Map(snap.sessions.map(row => [row.sessionId, row]));
		assert.equal(snap.sessions.length, forms.length + unparseable.length);
		forms.forEach(([value, ms], i) => {
			const row = byId.get(`s-${i}`)!;
			assert.equal(row.registeredAt.ms, ms, `registered_at ${String(value)}`);
			assert.equal(row.lastHeartbeat.ms, ms, `last_heartbeat ${String(value)}`);
			assert.equal(row.lastHeartbeat.text, String(value));
		});
		unparseable.forEach((value, i) => {
			const row = byId.get(`bad-${i}`)!;
			assert.equal(row.registeredAt.ms, null, value);
			assert.equal(row.lastHeartbeat.ms, null, value);
			assert.equal(row.lastHeartbeat.text, escapeControls(value));
		});
		const lifecycle = new Map(snap.lifecycle.map(event => [event.senderId, event.createdAt.ms]));
		forms.forEach(([, ms], i) => assert.equal(lifecycle.get(`s-${i}`), ms));
	}

	function fill(db: Database.Database): void {
		const insert = db.prepare(
			`INSERT INTO session_registry (session_id, status, registered_at, last_heartbeat) VALUES (?, 'active', ?, ?)`,
		);
		const event = db.prepare(
			`INSERT INTO session_messages (sender_id, channel, payload, created_at) VALUES (?, 'session_lifecycle', '{}', ?)`,
		);
		forms.forEach(([value], i) => {
			insert.run(`s-${i}`, value, value);
			event.run(`s-${i}`, value);
		});
		unparseable.forEach((value, i) => insert.run(`bad-${i}`, value, value));
	}

	it('parses every form of the contract stored in TEXT columns, and survives garbage', () => {
		const dbPath = freshPath();
		const db = raw(dbPath);
		db.exec(`${REGISTRY_DDL}; ${V1_MESSAGES_DDL};`);
		fill(db);
		// The TEXT affinity turned the numbers into digit text.
		assert.equal(
			(db.prepare(`SELECT typeof(registered_at) AS t FROM session_registry WHERE session_id = 's-9'`).get() as {t: string}).t,
			'text',
		);
		db.close();
		check(dbPath);
	});

	it('parses epoch INTEGER and REAL values kept as numbers by untyped columns', () => {
		const dbPath = freshPath();
		const db = raw(dbPath);
		db.exec(`CREATE TABLE session_registry (session_id TEXT PRIMARY KEY, pid INTEGER, status TEXT, registered_at, last_heartbeat);
			CREATE TABLE session_messages (id INTEGER PRIMARY KEY, sender_id TEXT, channel TEXT, payload TEXT, created_at);`);
		fill(db);
		assert.deepEqual(
			(
				db
					.prepare(`SELECT typeof(registered_at) AS t FROM session_registry WHERE session_id IN ('s-9', 's-10') ORDER BY session_id`)
					.all() as Array<{t: string}>
			).map(row => row.t),
			['real', 'integer'],
		);
		db.close();
		check(dbPath);
	});
});

/** Anything that may drive a terminal or reorder text: C0, DEL, C1, bidi, zero-width, separators, lone surrogates. */
const UNSAFE_STRICT =
	/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_BRIEF = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Every string and key anywhere in `value` (iterative: payloads may nest deeply). */
function allStrings(value: unknown): string[] {
	const out: string[] = [];
	const stack: unknown[] = [value];
	while (stack.length > 0) {
		const item = stack.pop();
		if (typeof item === 'string') out.push(item);
		else if (Array.isArray(item)) stack.push(...(item as unknown[]));
		else if (item !== null && typeof item === 'object') {
			for (const [key, child] of Object.entries(item)) {
				out.push(key);
				stack.push(child);
			}
		}
	}
	return out;
}

describe('hostile text', () => {
	const BIG = 'A'.repeat(100_000) + '\x1b[0m';
	const HOSTILE = [
		'\x1b]0;pwned\x07',
		'\x1b[2J\x1b[H',
		'\x1b]52;c;aGk=\x07',
		'\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\',
		'\u009b31m\u009d0;t\u009c',
		'abc\u202eevil\u2066x\u2069',
		'nul\x00byte',
		'line1\nline2\r\n\ttab',
		'\x7fdel',
		'zero\u200bwidth\ufeff',
		'\u2028sep\u2029',
		'lone\ud800surrogate',
		BIG,
		'漢字😀 ok',
	];
	const PAYLOADS: Array<[string, (payload: JsonValue) => void]> = [
		[
			'{"text": "\\u001b]0;x\\u0007", "\\u001b[2Jkey": "\\u009b", "nested": [{"a": "\\u202e"}]}',
			payload => assert.deepEqual(payload, {text: '\\x1b]0;x\\x07', '\\x1b[2Jkey': '\\x9b', nested: [{a: '\\u202e'}]}),
		],
		['{"broken": "\x1b[2J', payload => assert.deepEqual(payload, {raw: '{"broken": "\\x1b[2J'})],
		['not json at all \x1b]0;t\x07\n', payload => assert.deepEqual(payload, {raw: 'not json at all \\x1b]0;t\\x07\\x0a'})],
		['', payload => assert.deepEqual(payload, {raw: ''})],
		['"\\u001b]52;c;aGk=\\u0007"', payload => assert.equal(payload, '\\x1b]52;c;aGk=\\x07')],
		['[1, "\\u2066", null, true]', payload => assert.deepEqual(payload, [1, '\\u2066', null, true])],
		['42', payload => assert.equal(payload, 42)],
		['null', payload => assert.equal(payload, null)],
		['true', payload => assert.equal(payload, true)],
		[
			JSON.stringify({big: 'B'.repeat(200_000) + '\u009b'}),
			payload => assert.equal((payload as {big: string}).big, 'B'.repeat(200_000) + '\\x9b'),
		],
		['['.repeat(5000) + '"\\u001b"' + ']'.repeat(5000), payload => assert.ok(payload !== null && typeof payload === 'object')],
		['['.repeat(200_000) + ']'.repeat(200_000), payload => assert.ok(payload !== null && typeof payload === 'object')],
		[
			'{"__proto__": {"sessions": ["\\u001b[2J"]}, "a": 1}',
			payload => {
				assert.deepEqual(Object.keys(payload as object), ['__proto__', 'a']);
				assert.equal(Object.getPrototypeOf(payload), Object.prototype);
				assert.equal((payload as {sessions?: unknown}).sessions, undefined);
			},
		],
		['{"a": "x"} trailing \x1b', payload => assert.deepEqual(payload, {raw: '{"a": "x"} trailing \\x1b'})],
	];
	const N = Math.max(HOSTILE.length, PAYLOADS.length);
	const h = (i: number) => HOSTILE[i % HOSTILE.length];

	it('escapes every string from every TEXT column and keeps every row', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const db = bus.db;
		const messageIds = new Map<number, number>();
		db.transaction(() => {
			const session = db.prepare(`INSERT INTO session_registry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
			const claim = db.prepare(`INSERT INTO task_claims VALUES (?, ?, ?, ?, ?)`);
			const lock = db.prepare(`INSERT INTO file_locks VALUES (?, ?, ?, ?, ?)`);
			const message = db.prepare(`INSERT INTO session_messages
				(sender_id, channel, payload, created_at, ttl_seconds, sender_session_uuid, recipient_id, message_type, priority, status, project_id, task_id, activity, reply_to, expires_at, delivered_at, read_at)
				VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 1, ?, ?, ?, ?, NULL, ?, ?, ?)`);
			for (let i = 0; i < N; i++) {
				session.run(
					`${i}${h(i)}`,
					h(i + 1),
					h(i + 2),
					h(i + 3),
					h(i + 4),
					h(i + 5),
					h(i + 6),
					h(i + 7),
					h(i + 8),
					i,
					h(i + 9),
					h(i + 10),
					h(i + 11),
					PAYLOADS[i % PAYLOADS.length][0],
				);
				claim.run(`${i}${h(i + 1)}`, h(i + 2), h(i + 3), h(i + 4), h(i + 5));
				lock.run(`${i}${h(i + 2)}`, h(i + 3), h(i + 4), h(i + 5), h(i + 6));
				const payload = PAYLOADS[i % PAYLOADS.length][0];
				const rest = [h(i + 5), h(i + 6), h(i + 7), h(i + 8), h(i + 9), h(i + 10)];
				// An alert, a directed message and a lifecycle event, each with hostile text everywhere else.
				messageIds.set(
					Number(message.run(h(i), 'operator_alerts', payload, h(i + 1), h(i + 2), null, h(i + 3), 'pending', ...rest).lastInsertRowid),
					i,
				);
				messageIds.set(
					Number(
						message.run(h(i), h(i + 1), payload, h(i + 2), h(i + 3), `${i}${h(i + 4)}`, h(i + 5), 'delivered', ...rest).lastInsertRowid,
					),
					i,
				);
				messageIds.set(
					Number(message.run(h(i), 'session_lifecycle', payload, h(i + 3), h(i + 4), null, h(i + 5), h(i + 6), ...rest).lastInsertRowid),
					i,
				);
			}
		})();
		bus.close();

		const snap = snapshot(dbPath);
		const json = JSON.stringify(snap);
		assert.doesNotMatch(json, UNSAFE_BRIEF);
		for (const text of allStrings(snap)) assert.doesNotMatch(text, UNSAFE_STRICT, JSON.stringify(text.slice(0, 80)));

		assert.equal(snap.sessions.length, N);
		assert.equal(snap.claims.length, N);
		assert.equal(snap.locks.length, N);
		assert.equal(snap.alerts.length, N);
		assert.equal(snap.unread.length, N);
		assert.equal(
			snap.unreadByRecipient.reduce((sum, entry) => sum + entry.count, 0),
			N,
		);
		assert.equal(snap.lifecycle.length, N);
		assert.deepEqual(
			snap.sessions.map(row => row.pid).sort((a, b) => a! - b!),
			Array.from({length: N}, (_, i) => i),
		);

		// The long value is whole, escaped; the ids are the escaped text.
		assert.ok(json.includes('A'.repeat(100_000) + '\\\\x1b[0m'));
		assert.ok(snap.sessions.some(row => row.sessionId === `0${escapeControls(HOSTILE[0])}`));
		assert.ok(snap.sessions.every(row => row.registeredAt.ms === null));

		// Payloads: parsed and escaped when JSON, {raw} otherwise; metadata the same way.
		for (const message of [...snap.alerts, ...snap.unread, ...snap.lifecycle]) {
			const i = messageIds.get(message.id);
			assert.notEqual(i, undefined);
			PAYLOADS[i! % PAYLOADS.length][1](message.payload);
		}
		for (const row of snap.sessions) {
			const i = Number(/^\d+/.exec(row.sessionId)![0]);
			PAYLOADS[i % PAYLOADS.length][1](row.metadata);
		}
	});

	it('survives NULL in every nullable column', () => {
		const dbPath = freshPath();
		const db = raw(dbPath);
		// An old writer without NOT NULL constraints.
		db.exec(`CREATE TABLE session_registry (session_id TEXT, session_uuid TEXT, pid INTEGER, status TEXT, registered_at TEXT, last_heartbeat TEXT, metadata TEXT);
			CREATE TABLE file_locks (file_path TEXT, session_id TEXT, lock_type TEXT, locked_at TEXT, expires_at TEXT);
			CREATE TABLE session_messages (id INTEGER PRIMARY KEY, sender_id TEXT, channel TEXT, payload TEXT, created_at TEXT, recipient_id TEXT, message_type TEXT, priority INTEGER, status TEXT);
			INSERT INTO session_registry VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL);
			INSERT INTO file_locks VALUES (NULL, NULL, NULL, NULL, NULL);
			INSERT INTO session_messages VALUES (1, NULL, 'operator_alerts', NULL, NULL, NULL, 'x', NULL, 'pending');
			INSERT INTO session_messages VALUES (2, NULL, NULL, NULL, NULL, 'r', 'x', 'high', 'pending');`);
		db.close();
		const snap = snapshot(dbPath);
		assert.equal(snap.sessions.length, 1);
		assert.equal(snap.sessions[0].status, 'active');
		assert.equal(snap.sessions[0].pid, null);
		assert.deepEqual(snap.sessions[0].lastHeartbeat, {text: null, ms: null});
		assert.equal(snap.locks.length, 1);
		assert.equal(snap.locks[0].expired, false);
		assert.equal(snap.alerts.length, 1);
		assert.deepEqual(snap.alerts[0].payload, {});
		assert.equal(snap.alerts[0].priority, 1);
		assert.equal(snap.unread.length, 1);
		assert.equal(snap.unread[0].priority, 1, 'a non-numeric priority reads as normal');
	});
});

describe('pid column', () => {
	it('keeps NULL, 0, negative, huge and text pids without throwing', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		const pids: Array<[string, number | null]> = [
			['NULL', null],
			['0', 0],
			['-1', -1],
			['-2147483648', -2147483648],
			['4194305', 4194305],
			// Past 2^53: read as the nearest double, as Number() does.
			['9223372036854775807', 2 ** 63],
			["'abc'", null],
			["'12abc'", null],
			["'  77  '", 77],
			['1.5', 1],
			['1e300', 1e300],
			["x'00ff'", null],
			["'9e999'", null],
		];
		pids.forEach(([sql], i) => {
			bus.db.exec(
				`INSERT INTO session_registry (session_id, pid, registered_at, last_heartbeat) VALUES ('p-${i}', ${sql}, '${isoNow(NOW)}', '${isoNow(NOW)}')`,
			);
		});
		bus.close();
		const snap = snapshot(dbPath);
		const byId = new Map(snap.sessions.map(row => [row.sessionId, row.pid]));
		assert.equal(snap.sessions.length, pids.length);
		pids.forEach(([sql, expected], i) => assert.equal(byId.get(`p-${i}`), expected, sql));
		for (const row of snap.sessions) assert.ok(row.pid === null || Number.isFinite(row.pid));
		assert.doesNotThrow(() => JSON.stringify(snap));
	});
});

describe('SnapshotReader over time', () => {
	it('sees a table or columns added while it is open (schema_version check)', () => {
		const dbPath = freshPath();
		const setup = raw(dbPath);
		setup.exec(`${REGISTRY_DDL}; ${V1_MESSAGES_DDL};`);
		insertSession(setup, 'claude-1');
		setup.close();

		const db = openReader(dbPath);
		const reader = new SnapshotReader(db, dbPath);
		const read = () => reader.read({now: NOW, staleTimeoutMs: STALE_MS, countHistory: true});
		const before = read();
		assert.ok(before.database.schema.missing.includes('table file_locks'));
		assert.equal(before.database.schema.hasV2Messages, false);
		assert.deepEqual(before.locks, []);

		const other = raw(dbPath);
		other.exec(LOCKS_DDL);
		other.prepare(`INSERT INTO file_locks (file_path, session_id, locked_at) VALUES ('/a', 'claude-1', ?)`).run(isoNow(NOW));
		const afterTable = read();
		assert.ok(!afterTable.database.schema.missing.includes('table file_locks'));
		assert.deepEqual(
			afterTable.locks.map(lock => lock.key),
			['/a'],
		);

		other.exec(V2_ALTERS);
		other
			.prepare(
				`INSERT INTO session_messages (sender_id, channel, payload, created_at, recipient_id, message_type) VALUES ('x', 'direct', '{}', ?, 'claude-1', 'message')`,
			)
			.run(isoNow(NOW));
		const afterColumns = read();
		assert.equal(afterColumns.database.schema.hasV2Messages, true);
		assert.equal(afterColumns.unread.length, 1);
		assert.equal(afterColumns.counts!.v2, 1);

		other.exec('DROP TABLE file_locks');
		const afterDrop = read();
		assert.ok(afterDrop.database.schema.missing.includes('table file_locks'));
		assert.deepEqual(afterDrop.locks, []);
		other.close();
		db.close();
	});

	it('dataVersion changes when another connection commits, and only then', () => {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1'});
		const db = openReader(dbPath);
		const reader = new SnapshotReader(db, dbPath);
		const v1 = reader.dataVersion();
		reader.read({now: NOW, staleTimeoutMs: STALE_MS, countHistory: true});
		assert.equal(reader.dataVersion(), v1, 'reading does not change it');
		assert.equal(reader.dataVersion(), v1);
		bus.heartbeat('no-such-session');
		assert.equal(reader.dataVersion(), v1, 'a statement that changed nothing commits nothing');
		bus.heartbeat('claude-1', Date.now() + 1000);
		const v2 = reader.dataVersion();
		assert.notEqual(v2, v1);
		assert.equal(reader.dataVersion(), v2);
		bus.db.exec('BEGIN IMMEDIATE');
		bus.send({senderId: 'claude-1'});
		assert.equal(reader.dataVersion(), v2, 'not before the commit');
		bus.db.exec('COMMIT');
		assert.notEqual(reader.dataVersion(), v2);
		bus.close();
		db.close();
	});
});

describe('query plans', () => {
	const KEYS = ['openAlerts', 'unreadRows', 'lifecycle', 'readAlerts'] as const;

	function plan(db: Database.Database, sql: string): string[] {
		return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{detail: string}>).map(row => row.detail);
	}

	function usesIndex(details: string[]): boolean {
		return (
			details.some(detail => /USING (COVERING )?INDEX/.test(detail)) && !details.some(detail => /^SCAN session_messages\s*$/.test(detail))
		);
	}

	function busWith(rows: number): string {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		bus.db.transaction(() => {
			for (let i = 0; i < rows; i++) {
				bus.send({
					senderId: 's',
					recipientId: i % 4 ? 'r' : null,
					channel: ['operator_alerts', 'session_lifecycle', 'direct'][i % 3],
					status: i % 20 ? 'read' : 'pending',
					at: NOW,
				});
			}
		})();
		bus.close();
		return dbPath;
	}

	for (const rows of [0, 3000]) {
		it(`the bounded message queries use an index (${rows} messages)`, () => {
			const dbPath = busWith(rows);
			const db = openReader(dbPath);
			const sql = snapshotSql(introspect(db));
			for (const key of KEYS) {
				const details = plan(db, sql[key]!);
				assert.ok(usesIndex(details), `${key}: ${details.join(' | ')}`);
			}
			db.close();
		});
	}

	it('the check would notice a full scan', () => {
		const dbPath = busWith(100);
		const db = raw(dbPath);
		for (const {name} of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'`).all() as Array<{
			name: string;
		}>)
			db.exec(`DROP INDEX "${name}"`);
		const sql = snapshotSql(introspect(db));
		assert.equal(usesIndex(plan(db, sql.openAlerts!)), false);
		db.close();
	});
});
