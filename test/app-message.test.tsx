import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import {NOT_ADDRESSABLE} from '../source/bus/send.js';
import {withDb} from './helpers/cli.js';
import {requestRow} from './helpers/request-row.js';
import {withWriter} from './helpers/fixtures.js';
import {CLAUDE_UUID, CURRENT, KEYS, messageState, openDashboard, standardIds, untilStatus} from './helpers/app-harness.js';

/**
 * `m` in the App: the one-line editor (typing, pasting, Tab, Backspace, Esc, Enter), the
 * row it writes, a reply from Unread, the choice on an alert, and every refusal; and the
 * operator's own mail when no session is current.
 */

type Stored = Record<string, unknown>;

function newest(dbPath: string): Stored | undefined {
	return withDb(
		dbPath,
		db =>
			db.prepare(`SELECT * FROM session_messages WHERE channel = 'coordination' AND message_type = 'request' ORDER BY id DESC`).get() as
				Stored | undefined,
	);
}

describe('App: m', () => {
	it('writes exactly the row: typed text, Tab cycles normal, high, critical, Backspace erases, Enter sends', async () => {
		const ui = await openDashboard();
		await ui.press('G', 'm');
		await ui.waitFor('To codex-41200 [normal] > ▏');
		await ui.type('Please release paths.py!');
		await ui.press(KEYS.backspace);
		await ui.waitFor('To codex-41200 [normal] > Please release paths.py▏');
		for (const priority of ['high', 'critical', 'normal', 'high']) {
			await ui.press(KEYS.tab);
			await ui.waitFor(`To codex-41200 [${priority}] >`);
		}
		await ui.press(KEYS.enter);
		const done = await ui.waitFor(/Sent message #\d+ to codex-41200 \(high\)/);
		const id = Number(/Sent message #(\d+)/.exec(done)![1]);
		const row = newest(ui.dbPath)!;
		assert.ok(
			typeof row['created_at'] === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(row['created_at']),
			String(row['created_at']),
		);
		assert.deepEqual(
			row,
			requestRow({
				id,
				sender_id: CURRENT,
				sender_session_uuid: CLAUDE_UUID,
				recipient_id: 'codex-41200',
				payload: '{"text":"Please release paths.py"}',
				priority: 2,
				project_id: 'PILOT',
				created_at: row['created_at'],
			}),
		);
		assert.match(ui.frame(), /SESSION +VENDOR/, 'back on the list');
	});

	it('in Unread replies to the sender, with reply_to its id', async () => {
		const ui = await openDashboard();
		const {toCurrent} = standardIds(ui.dbPath);
		await ui.press('5');
		await ui.waitFor('note 0');
		await ui.press('m');
		// The current session's mail first, newest first: note 2.
		const replyTo = toCurrent[2];
		await ui.waitFor(`Reply to codex-41200 (#${replyTo}) [normal] > ▏`);
		await ui.type('yes');
		await ui.press(KEYS.enter);
		await ui.waitFor(/Sent message #\d+ to codex-41200 \(normal\)/);
		const row = newest(ui.dbPath)!;
		assert.equal(row['reply_to'], replyTo);
		assert.equal(row['recipient_id'], 'codex-41200');
		assert.equal(row['payload'], '{"text":"yes"}');
	});

	it('takes pasted text as text: control characters dropped, a pasted line break sends nothing', async () => {
		const ui = await openDashboard();
		await ui.press('G', 'm');
		await ui.waitFor('To codex-41200 [normal] > ▏');
		await ui.press('hi\u0007 there\r\nsecond\tline\u0000!\u202e');
		await ui.waitFor('> hi theresecondline!▏');
		assert.equal(newest(ui.dbPath), undefined, 'nothing sent by the pasted line break');
		await ui.press(KEYS.enter);
		await ui.waitFor('Sent message');
		assert.equal(newest(ui.dbPath)!['payload'], '{"text":"hi theresecondline!"}');
		assert.ok(!ui.frames().some(frame => /[\u0000-\u0008\u000b-\u001a\u007f\u202e]/.test(frame)), 'nothing raw on screen');
	});

	it('on an alert asks which session; Enter with no text sends nothing; Esc in the editor cancels', async () => {
		const ui = await openDashboard();
		await ui.press('4');
		await ui.waitFor('project_conflict');
		await ui.press('m');
		await ui.waitFor('Message which session? 1 claude-29583  2 codex-41200  (Esc cancels)');
		await ui.press('2');
		await ui.waitFor('To codex-41200 [normal] > ▏ (type your message)');
		await ui.press(KEYS.enter);
		await ui.type('x');
		await ui.waitFor('To codex-41200 [normal] > x▏', 'still in the editor after an empty Enter');
		await ui.press(KEYS.esc);
		await ui.waitFor('Message not sent');
		assert.equal(newest(ui.dbPath), undefined);
		await ui.press('m', 'q');
		await ui.waitFor('Cancelled');
		assert.match(ui.frame(), /project_conflict/, 'q cancels the choice; it does not quit');
	});

	it('is refused under --read-only, on a bus without the v2 columns, and for a session that is not registered', async () => {
		const readOnly = await openDashboard({config: {readOnly: true}});
		await readOnly.press('m');
		await readOnly.waitFor('Read-only: "message the agent (in Unread: reply to the sender)" would write');
		assert.ok(!readOnly.frame().includes('[normal] >'), 'no editor');
		readOnly.close();

		const ghost = await openDashboard({
			setup: (dbPath, pids) => {
				withWriter(dbPath, bus => {
					bus.register({sessionId: 'solo', pid: pids.claude});
					bus.alert({type: 'file_conflict', priority: 2, sessions: ['ghost-1'], filePath: 'g.py'});
				});
			},
		});
		await ghost.press('4', 'm');
		await ghost.waitFor('ghost-1 is not a registered session: m writes to registered sessions');
		ghost.close();

		const old = await openDashboard({
			setup: dbPath => {
				const db = new Database(dbPath);
				db.exec(`CREATE TABLE session_registry (session_id TEXT PRIMARY KEY, pid INTEGER, status TEXT NOT NULL DEFAULT 'active', registered_at TEXT NOT NULL, last_heartbeat TEXT NOT NULL);
					CREATE TABLE session_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL, ttl_seconds INTEGER);
					INSERT INTO session_registry VALUES ('codex-2', 2, 'active', '2026-02-11 10:00:00', '2026-02-11 11:59:00');`);
				db.close();
			},
		});
		await old.press('m');
		await old.waitFor(NOT_ADDRESSABLE.slice(0, 60));
		assert.ok(!old.frame().includes('[normal] >'), 'no editor');
	});
});

describe("App: the operator's own mail", () => {
	it('with no current session, mail to the operator setting is listed first, delivered once shown, and a marks it read', async () => {
		let id = 0;
		const ui = await openDashboard({
			config: {sessionId: null, operator: 'ops-desk'},
			setup: (dbPath, pids) => {
				withWriter(dbPath, bus => {
					bus.register({sessionId: 'codex-41200', pid: pids.codex});
					bus.send({senderId: 'codex-41200', recipientId: 'someone', payload: {text: 'not yours'}});
					id = bus.send({senderId: 'codex-41200', recipientId: 'ops-desk', payload: {text: 'for the desk'}});
				});
			},
		});
		assert.match(ui.tabBar(), /5 Unread 2!/);
		await ui.press('5');
		const unread = await ui.waitFor('for the desk');
		assert.ok(unread.indexOf('for the desk') < unread.indexOf('not yours'), 'the operator own mail first');
		await untilStatus(ui.dbPath, [id], 'delivered');
		assert.equal(messageState(ui.dbPath, id).status, 'delivered');
		await ui.press('a');
		await ui.waitFor(`Marked message #${id} read`);
		await untilStatus(ui.dbPath, [id], 'read');
		assert.equal(messageState(ui.dbPath, id).status, 'read');
		await ui.press('j', 'a');
		await ui.waitFor('Select an open alert in the Alerts view, or your own mail in Unread');
	});
});
