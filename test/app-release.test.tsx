import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {withWriter} from './helpers/fixtures.js';
import {withDb} from './helpers/cli.js';
import {KEYS, openDashboard} from './helpers/app-harness.js';

describe('App: release', () => {
	it('x on a dead session asks, then y releases it: stale, its locks and claims gone, a lifecycle ended event', async () => {
		const ui = await openDashboard();
		await ui.waitFor('gemini-300');
		await ui.filterTo('gemini');
		await ui.press('x');
		await ui.waitFor('Release session gemini-300 (heartbeat expired), its locks and claims? y confirms');
		await ui.press('y');
		await ui.waitFor('Released session gemini-300');
		withDb(ui.dbPath, db => {
			assert.equal(db.prepare(`SELECT status FROM session_registry WHERE session_id = 'gemini-300'`).pluck().get(), 'stale');
			assert.equal(db.prepare(`SELECT count(*) FROM file_locks WHERE session_id = 'gemini-300'`).pluck().get(), 0);
			assert.equal(db.prepare(`SELECT count(*) FROM task_claims WHERE session_id = 'gemini-300'`).pluck().get(), 0);
			assert.equal(db.prepare(`SELECT count(*) FROM file_locks`).pluck().get(), 1, 'the other session keeps its lock');
			const event = db
				.prepare(
					`SELECT sender_id, message_type, payload FROM session_messages WHERE channel = 'session_lifecycle' ORDER BY id DESC LIMIT 1`,
				)
				.get() as {sender_id: string; message_type: string; payload: string};
			assert.equal(event.sender_id, 'gemini-300');
			assert.equal(event.message_type, 'ended');
			assert.match((JSON.parse(event.payload) as {reason: string}).reason, /heartbeat expired/);
		});
		await ui.waitFor(/gemini-300 .* stale /);
	});

	it('x is refused for a live session, and when the session heartbeated since it was shown', async () => {
		const ui = await openDashboard();
		await ui.waitForPosition('1/3');
		await ui.press('x');
		await ui.waitFor('claude-29583 is alive: only dead or stale sessions can be released');
		await ui.filterTo('gemini');
		await ui.press('x');
		await ui.waitFor('Release session gemini-300');
		withWriter(ui.dbPath, bus => bus.heartbeat('gemini-300', Date.now() - 9 * 60_000));
		await ui.press('y');
		await ui.waitFor('Not released: session gemini-300 changed since it was shown');
		withDb(ui.dbPath, db => {
			assert.equal(db.prepare(`SELECT status FROM session_registry WHERE session_id = 'gemini-300'`).pluck().get(), 'active');
			assert.equal(db.prepare(`SELECT count(*) FROM file_locks WHERE session_id = 'gemini-300'`).pluck().get(), 1);
		});
	});

	it('x releases a single lock or claim held by a dead session; a lock of a live session is refused', async () => {
		const ui = await openDashboard();
		await ui.press('2');
		await ui.waitFor('content/guide.md');
		await ui.filterTo('session_message');
		await ui.press('x');
		await ui.waitFor('the holder claude-29583 is alive');
		await ui.press(KEYS.esc);
		await ui.filterTo('guide');
		await ui.press('x');
		await ui.waitFor('Release lock content/guide.md held by gemini-300?');
		await ui.press('y');
		await ui.waitFor('Released lock content/guide.md');
		withDb(ui.dbPath, db => {
			assert.equal(db.prepare(`SELECT count(*) FROM file_locks WHERE file_path = 'content/guide.md'`).pluck().get(), 0);
			assert.equal(db.prepare(`SELECT count(*) FROM task_claims WHERE session_id = 'gemini-300'`).pluck().get(), 1, 'only the lock');
			assert.equal(
				db.prepare(`SELECT status FROM session_registry WHERE session_id = 'gemini-300'`).pluck().get(),
				'active',
				'the session itself stays',
			);
		});
		await ui.press('3');
		await ui.waitFor('D.2.1');
		await ui.filterTo('D.2');
		await ui.press('x');
		await ui.waitFor('Release claim D.2.1 held by gemini-300?');
		await ui.press('y');
		await ui.waitFor('Released claim D.2.1');
		withDb(ui.dbPath, db => assert.equal(db.prepare(`SELECT count(*) FROM task_claims WHERE session_id = 'gemini-300'`).pluck().get(), 0));
	});
});
