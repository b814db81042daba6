import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import {withWriter} from './helpers/fixtures.js';
import {withDb} from './helpers/cli.js';
import {CURRENT, KEYS, fixturePids, openDashboard} from './helpers/app-harness.js';

describe('App: moving', () => {
	const many = (dbPath: string) =>
		withWriter(dbPath, bus => {
			for (let i = 1; i <= 20; i++) bus.register({sessionId: `s-${String(i).padStart(2, '0')}`, vendor: 'claude', pid: null});
		});

	it('j/k, arrows, g/G, PgDn/PgUp move the selection and scroll', async () => {
		// 14 rows: a frame of 13 lines; 10 table rows.
		const ui = await openDashboard({setup: many, rows: 14, config: {sessionId: null}});
		await ui.waitForPosition('1/20');
		const steps: Array<[string, string]> = [
			['j', '2/20'],
			[KEYS.down, '3/20'],
			['k', '2/20'],
			[KEYS.up, '1/20'],
			['k', '1/20'],
			['G', '20/20'],
			['j', '20/20'],
			['g', '1/20'],
			[KEYS.pageDown, '11/20'],
			[KEYS.pageDown, '20/20'],
			[KEYS.pageUp, '10/20'],
			[KEYS.pageUp, '1/20'],
		];
		for (const [key, position] of steps) {
			await ui.press(key);
			await ui.waitForPosition(position);
		}
		assert.ok(ui.frame().includes('s-01') && !ui.frame().includes('s-11'), 'ten rows shown from the top');
		await ui.press('G');
		await ui.waitForPosition('20/20');
		const bottom = ui.frame();
		assert.ok(bottom.includes('s-20') && bottom.includes('s-11') && !bottom.includes('s-10'), `scrolled to the end:\n${bottom}`);
		assert.equal(await ui.copy(), 's-20');
		await ui.press('k');
		await ui.waitForPosition('19/20');
		assert.equal(await ui.copy(), 's-19');
	});

	it('each tab keeps its own selection', async () => {
		const ui = await openDashboard();
		await ui.press('j');
		await ui.waitForPosition('2/3');
		await ui.press('4');
		await ui.waitForPosition('1/3');
		await ui.press('G');
		await ui.waitForPosition('3/3');
		await ui.press('1');
		await ui.waitForPosition('2/3');
	});
});

describe('App: the selection across refreshes', () => {
	it('keeps the selection on the same session when one is inserted before it', async () => {
		const ui = await openDashboard({config: {sessionId: null}});
		await ui.press('s');
		await ui.waitFor('SESSION↓');
		await ui.press('G');
		await ui.waitForPosition('3/3');
		assert.equal(await ui.copy(), 'gemini-300');
		withWriter(ui.dbPath, bus => {
			bus.register({sessionId: 'aaa-1', pid: null});
			bus.register({sessionId: 'bbb-2', pid: null});
		});
		await ui.press('r');
		await ui.waitFor('bbb-2');
		await ui.waitForPosition('5/5');
		assert.equal(await ui.copy(), 'gemini-300');
	});

	it('keeps the selection when the current session registers and takes the first row', async () => {
		const ui = await openDashboard({config: {sessionId: 'claude-new'}});
		const {claude} = await fixturePids();
		await ui.press('j');
		await ui.waitForPosition('2/3');
		const selected = await ui.copy();
		withWriter(ui.dbPath, bus => bus.register({sessionId: 'claude-new', hostname: os.hostname(), pid: claude}));
		await ui.waitFor('▶ claude-new');
		await ui.waitForPosition('3/4');
		assert.equal(await ui.copy(), selected);
	});

	it('a key pressed the moment a refresh is drawn acts on that frame', async () => {
		// The first frame with data is drawn; the key arrives before ink re-subscribes its input handler.
		let sent = false;
		const ui = await openDashboard({
			onFrame: (frame, send) => {
				if (sent || !frame.includes('gemini-300')) return;
				sent = true;
				queueMicrotask(() => send('G'));
			},
		});
		await ui.waitForPosition('3/3');
	});

	it('the selection falls back to the same place when its row disappears', async () => {
		// No current session: gemini-300 (dead holding a lock) first, then claude and codex (in a critical alert), by id.
		const ui = await openDashboard({config: {sessionId: null}});
		await ui.press('j');
		await ui.waitForPosition('2/3');
		assert.equal(await ui.copy(), 'claude-29583');
		withDb(ui.dbPath, db => db.prepare(`DELETE FROM session_registry WHERE session_id = 'claude-29583'`).run());
		await ui.waitFor(frame => !/^claude-29583 /m.test(frame), 'claude gone');
		await ui.waitForPosition('2/2');
		assert.equal(await ui.copy(), 'codex-41200');
	});
});

describe('App: copy', () => {
	it('y copies the selected id or path with OSC 52', async () => {
		const ui = await openDashboard();
		await ui.waitForPosition('1/3');
		assert.equal(await ui.copy(), CURRENT);
		await ui.waitFor(`Copied ${CURRENT}`);
		assert.equal(ui.raw.at(-1), `\u001b]52;c;${Buffer.from(CURRENT).toString('base64')}\u0007`);
		await ui.press('2');
		await ui.waitFor('content/guide.md');
		await ui.press('G');
		const path_ = await ui.copy();
		assert.ok(['content/guide.md', 'session_message_bus.py'].includes(path_), path_);
	});
});
