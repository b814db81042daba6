import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import {DeliveryWriter} from '../source/bus/delivery.js';
import {BusError} from '../source/bus/open.js';
import {NOT_ADDRESSABLE, type SendRequest} from '../source/bus/send.js';
import {escapeControls} from '../source/text/sanitize.js';
import {tempDir, withWriter} from './helpers/fixtures.js';
import {withDb} from './helpers/cli.js';
import {requestRow} from './helpers/request-row.js';

/** The operator's message (`m`): exactly the row the issue lists, addressed by raw values, refused where it cannot be written. */

const NOW = Date.UTC(2026, 1, 11, 12, 0, 0);
const STAMP = '2026-02-11T12:00:00.000Z';
const EVIL = 'codex-\u001b]0;pwned\u0007-41200';

function bus(): string {
	const dbPath = path.join(tempDir(), 'messaging.db');
	withWriter(dbPath, writer => {
		writer.register({sessionId: 'claude-29583', sessionUuid: 'uuid-claude', projectId: 'PILOT', announce: false});
		writer.register({sessionId: 'codex-41200', sessionUuid: 'uuid-codex', projectId: 'CORE', announce: false});
		writer.register({sessionId: EVIL, projectId: 'EVIL', announce: false});
	});
	return dbPath;
}

const rowid = (dbPath: string, sessionId: string) =>
	withDb(dbPath, db => db.prepare(`SELECT rowid FROM session_registry WHERE session_id = ?`).pluck().get(sessionId) as number);

function message(dbPath: string, id: number): Record<string, unknown> {
	return withDb(dbPath, db => db.prepare(`SELECT * FROM session_messages WHERE id = ?`).get(id) as Record<string, unknown>);
}

const writer = (dbPath: string, readOnly = false) => new DeliveryWriter(dbPath, {readOnly, now: () => NOW, retryForMs: 3000});

function sent(result: Awaited<ReturnType<DeliveryWriter['send']>>): {id: number; recipientId: string} {
	assert.notEqual(result, 'gone');
	return result as {id: number; recipientId: string};
}

describe('m: the message row', () => {
	it('writes exactly the row: the current session to a session, on coordination, pending, no expiry', async () => {
		const dbPath = bus();
		const w = writer(dbPath);
		const result = sent(
			await w.send({
				sender: {kind: 'session', rowid: rowid(dbPath, 'claude-29583'), sessionId: 'claude-29583'},
				to: {kind: 'session', rowid: rowid(dbPath, 'codex-41200'), sessionId: 'codex-41200'},
				text: 'Please release paths.py; I need it',
				priority: 2,
			}),
		);
		w.close();
		assert.equal(result.recipientId, 'codex-41200');
		assert.deepEqual(
			message(dbPath, result.id),
			requestRow({
				id: result.id,
				sender_id: 'claude-29583',
				sender_session_uuid: 'uuid-claude',
				recipient_id: 'codex-41200',
				payload: '{"text":"Please release paths.py; I need it"}',
				priority: 2,
				project_id: 'CORE',
				created_at: STAMP,
			}),
		);
	});

	it('without a current session the sender is the operator setting, with no session UUID; a reply carries reply_to', async () => {
		const dbPath = bus();
		const question = withWriter(dbPath, b =>
			b.send({senderId: 'codex-41200', recipientId: 'ops', channel: 'coordination', payload: {text: 'Which branch?'}}),
		);
		const w = writer(dbPath);
		const reply = sent(
			await w.send({
				sender: {kind: 'operator', id: 'ops'},
				to: {kind: 'reply', messageId: question, senderId: 'codex-41200'},
				text: 'main',
				priority: 3,
			}),
		);
		w.close();
		assert.deepEqual(
			message(dbPath, reply.id),
			requestRow({
				id: reply.id,
				sender_id: 'ops',
				sender_session_uuid: null,
				recipient_id: 'codex-41200',
				payload: '{"text":"main"}',
				priority: 3,
				project_id: 'CORE',
				created_at: STAMP,
				reply_to: question,
			}),
		);
	});

	it('addresses a hostile id by its raw value, found by rowid and checked against what was shown', async () => {
		const dbPath = bus();
		const w = writer(dbPath);
		const request: SendRequest = {
			sender: {kind: 'operator', id: 'operator'},
			to: {kind: 'session', rowid: rowid(dbPath, EVIL), sessionId: escapeControls(EVIL)},
			text: 'stop',
			priority: 1,
		};
		const result = sent(await w.send(request));
		assert.equal(message(dbPath, result.id)['recipient_id'], EVIL);
		assert.equal(result.recipientId, escapeControls(EVIL), 'said in its escaped form');
		assert.equal(
			await w.send({...request, to: {kind: 'session', rowid: rowid(dbPath, EVIL), sessionId: 'someone-else'}}),
			'gone',
			'not the session shown',
		);
		assert.equal(await w.send({...request, to: {kind: 'session', rowid: 987_654, sessionId: 'x'}}), 'gone');
		assert.equal(await w.send({...request, to: {kind: 'reply', messageId: 987_654, senderId: 'x'}}), 'gone');
		w.close();
	});

	it('is refused under --read-only and on a bus without the v2 columns, writing nothing', async () => {
		const dbPath = bus();
		const request: SendRequest = {
			sender: {kind: 'operator', id: 'operator'},
			to: {kind: 'session', rowid: rowid(dbPath, 'codex-41200'), sessionId: 'codex-41200'},
			text: 'x',
			priority: 1,
		};
		const readOnly = writer(dbPath, true);
		await assert.rejects(readOnly.send(request), (error: unknown) => error instanceof BusError && error.kind === 'read-only');
		readOnly.close();

		const old = path.join(tempDir(), 'old.db');
		const db = new Database(old);
		db.exec(`CREATE TABLE session_registry (session_id TEXT PRIMARY KEY, pid INTEGER, status TEXT NOT NULL DEFAULT 'active', registered_at TEXT NOT NULL, last_heartbeat TEXT NOT NULL);
			CREATE TABLE session_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL, ttl_seconds INTEGER);
			INSERT INTO session_registry VALUES ('codex-41200', 2, 'active', '2026-02-11 10:00:00', '2026-02-11 11:59:00');`);
		db.close();
		const w = writer(old);
		await assert.rejects(
			w.send({...request, to: {kind: 'session', rowid: 1, sessionId: 'codex-41200'}}),
			(error: unknown) => error instanceof BusError && error.kind === 'unsupported' && error.message === NOT_ADDRESSABLE,
		);
		w.close();
		assert.equal(
			withDb(old, d => d.prepare(`SELECT count(*) FROM session_messages`).pluck().get()),
			0,
		);
		assert.equal(
			withDb(dbPath, d => d.prepare(`SELECT count(*) FROM session_messages`).pluck().get()),
			0,
		);
	});

	it('waits for a writer holding the lock, as the other writes do, without blocking the event loop', async () => {
		const dbPath = bus();
		const holder = new Database(dbPath);
		holder.exec('BEGIN IMMEDIATE');
		let ticks = 0;
		const ticker = setInterval(() => ticks++, 10);
		setTimeout(() => holder.exec('COMMIT'), 300);
		const w = writer(dbPath);
		try {
			const result = sent(
				await w.send({
					sender: {kind: 'operator', id: 'operator'},
					to: {kind: 'session', rowid: rowid(dbPath, 'codex-41200'), sessionId: 'codex-41200'},
					text: 'after the lock',
					priority: 1,
				}),
			);
			assert.equal(message(dbPath, result.id)['payload'], '{"text":"after the lock"}');
			assert.ok(ticks >= 10, `the event loop ran while it waited (${ticks} ticks)`);
		} finally {
			clearInterval(ticker);
			w.close();
			holder.close();
		}
	});
});
