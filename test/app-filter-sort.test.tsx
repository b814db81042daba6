import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {KEYS, openDashboard} from './helpers/app-harness.js';

describe('App: filter', () => {
	it('/ narrows the rows (case-insensitive), Enter keeps it, Esc clears', async () => {
		const ui = await openDashboard();
		await ui.waitFor('gemini-300');
		await ui.press('/');
		await ui.type('CODEX');
		const typing = await ui.waitFor('/CODEX▏');
		assert.ok(typing.includes('codex-41200') && !typing.includes('claude-29583') && !typing.includes('gemini-300'), typing);
		await ui.press(KEYS.enter);
		await ui.waitFor('filter: CODEX (1 of 3; / edits, Esc clears)');
		assert.equal(ui.position(), '1/1');
		await ui.press(KEYS.esc);
		const cleared = await ui.waitFor(frame => frame.includes('claude-29583') && !frame.includes('filter:'), 'the filter cleared');
		assert.ok(cleared.includes('gemini-300'));
		await ui.waitForPosition('1/3');

		await ui.press('/');
		await ui.type('pilot');
		await ui.waitFor(frame => frame.includes('/pilot▏') && !frame.includes('gemini-300'), 'filtered by project');
		await ui.press(KEYS.backspace);
		await ui.waitFor('/pilo▏');
		await ui.press(KEYS.esc);
		await ui.waitFor(frame => frame.includes('gemini-300') && !frame.includes('pilo'), 'Esc while typing clears');

		await ui.filterTo('no such thing');
		await ui.waitFor('Nothing matches "no such thing" (Esc clears the filter)');
		await ui.press(KEYS.esc);
		await ui.waitFor('claude-29583');
	});
});

describe('App: sort and ended sessions', () => {
	it('s cycles the sort column (arrow in the header), S reverses', async () => {
		const ui = await openDashboard();
		const order = (frame: string) =>
			['claude-29583', 'codex-41200', 'gemini-300']
				.map(id => [id, frame.indexOf(id)] as const)
				.sort((a, b) => a[1] - b[1])
				.map(([id]) => id);
		const header = () => ui.frame().split('\n')[1];
		await ui.waitFor('gemini-300');
		assert.ok(!/[↑↓]/.test(header()), 'no sort column at first');
		// The view's own order: the current session, then gemini-300 (dead holding a lock), then codex-41200 (in a critical alert).
		const viewOrder = ['claude-29583', 'gemini-300', 'codex-41200'];
		assert.deepEqual(order(ui.frame()), viewOrder);
		await ui.press('s');
		await ui.waitFor('SESSION↓');
		assert.deepEqual(order(ui.frame()), ['claude-29583', 'codex-41200', 'gemini-300']);
		await ui.press('S');
		await ui.waitFor('SESSION↑');
		assert.deepEqual(order(ui.frame()), ['gemini-300', 'codex-41200', 'claude-29583']);
		await ui.press('s');
		await ui.waitFor('VENDOR↑');
		assert.deepEqual(order(ui.frame()), ['gemini-300', 'codex-41200', 'claude-29583']);
		await ui.press('S');
		await ui.waitFor('VENDOR↓');
		assert.deepEqual(order(ui.frame()), ['claude-29583', 'codex-41200', 'gemini-300']);
		for (const title of ['PROJECT↓', 'STATE↓', 'UP↓', 'BEAT↓', 'CL↓', 'LC↓', 'UN↓']) {
			await ui.press('s');
			await ui.waitFor(title);
		}
		assert.deepEqual(order(ui.frame()), ['gemini-300', 'codex-41200', 'claude-29583'], 'unread ascending: 0, 1, 3');
		await ui.press('s');
		await ui.waitFor(() => !/[↑↓]/.test(header()), 'back to the view order');
		assert.deepEqual(order(ui.frame()), viewOrder);
	});

	it('e shows and hides ended sessions', async () => {
		const ui = await openDashboard();
		await ui.waitFor('gemini-300');
		assert.ok(!ui.frame().includes('old-500'));
		await ui.press('e');
		const shown = await ui.waitFor('old-500');
		assert.match(shown, /old-500 .* ended/);
		assert.ok(shown.includes('Ended sessions shown'));
		await ui.waitForPosition('1/4');
		await ui.press('e');
		await ui.waitFor(frame => !frame.includes('old-500') && frame.includes('Ended sessions hidden'), 'ended hidden again');
	});
});
