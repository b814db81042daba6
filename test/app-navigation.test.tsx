import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {KEYS, TAB_HEADERS, openDashboard} from './helpers/app-harness.js';

describe('App: tabs', () => {
	it('shows every tab with its count badge and switches with 1-7', async () => {
		const ui = await openDashboard();
		assert.match(
			ui.tabBar(),
			/1 Sessions 2\/3! +2 Locks 2! +3 Claims 3! +4 Alerts 3! +5 Unread 4! +6 Lifecycle 5 +7 Stats/,
			'Sessions: 2 active of 3 listed (one stale); ! where something needs the operator',
		);
		await ui.waitFor('claude-29583');
		for (const [key, header] of Object.entries(TAB_HEADERS)) {
			await ui.press(key);
			await ui.waitFor(header, `tab ${key}`);
		}
		await ui.press('2');
		// Stats (the tab before) names the same paths: wait for the Locks table's own row.
		const locks = await ui.waitFor(/session_message_bus\.py +claude-29583 +exclusive/);
		assert.ok(locks.includes('content/guide.md'));
		assert.match(locks, /gemini-300 \(stale\)/);
		await ui.press('3');
		assert.match(await ui.waitFor('D.2.1'), /H\.13\.7 +claude-29583/);
		await ui.press('4');
		const alerts = await ui.waitFor('task_conflict');
		assert.ok(alerts.indexOf('project_conflict') < alerts.indexOf('task_conflict'), 'critical first');
		assert.ok(alerts.indexOf('task_conflict') < alerts.indexOf('budget_exceeded'));
		assert.match(alerts, /critical project_conflict claude-29583 \+ codex-41200 +PILOT/);
		await ui.press('5');
		const unread = await ui.waitFor('note 0');
		assert.match(unread, /claude-29583: 3 \(3 coordination\)/);
		assert.ok(unread.indexOf('claude-29583: 3') < unread.indexOf('codex-41200: 1'), 'the current session first');
		await ui.press('6');
		assert.match(await ui.waitFor('ended'), /ended +old-500/);
		await ui.press('7');
		await ui.waitFor('Observations');
	});

	it('Tab / Shift-Tab and ] / [ step through the tabs and wrap around', async () => {
		const ui = await openDashboard();
		const steps: Array<[string, string]> = [
			[KEYS.tab, 'FILE'],
			[']', 'TASK'],
			[KEYS.tab, 'PRIO'],
			[KEYS.shiftTab, 'TASK'],
			['[', 'FILE'],
			['[', 'SESSION'],
			['[', 'Bus Statistics'],
			[KEYS.tab, 'SESSION'],
			[KEYS.shiftTab, 'Bus Statistics'],
			[']', 'SESSION'],
		];
		for (const [key, header] of steps) {
			await ui.press(key);
			await ui.waitFor(header, `${JSON.stringify(key)} -> ${header}`);
		}
	});

	it('opens on the tab the config names (--alerts)', async () => {
		const ui = await openDashboard({config: {defaultTab: 'alerts'}});
		await ui.waitFor('project_conflict');
		assert.ok(ui.frame().includes('TYPE'));
	});
});

describe('App: quit', () => {
	it('q quits: the app exits and the live loop stops', async () => {
		const ui = await openDashboard();
		await ui.press('q');
		await ui.waitForQuit();
		const frames = ui.frames().length;
		await ui.press('j', '4');
		assert.equal(ui.frames().length, frames, 'nothing renders after quitting');
	});

	it('Ctrl-C quits too', async () => {
		const ui = await openDashboard();
		await ui.press(KEYS.ctrlC);
		await ui.waitForQuit();
	});
});
