import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {withWriter} from './helpers/fixtures.js';
import {utcDate} from './helpers/cli.js';
import {CLAUDE_UUID, LOG_HEADING, openDashboard, sleep} from './helpers/app-harness.js';

describe('App: live data', () => {
	it('r refreshes now (with a slow poll, a commit shows only after r)', async () => {
		const ui = await openDashboard({live: {pollMs: 60_000}});
		withWriter(ui.dbPath, bus => bus.register({sessionId: 'fresh-777', pid: null}));
		await sleep(300);
		assert.ok(!ui.frame().includes('fresh-777'));
		await ui.press('r');
		await ui.waitFor('fresh-777');
		assert.ok(ui.frame().includes('Refreshed'));
	});

	it('new commits appear on their own', async () => {
		const ui = await openDashboard();
		withWriter(ui.dbPath, bus => bus.register({sessionId: 'fresh-778', pid: null}));
		await ui.waitFor('fresh-778', 'a committed session', 1000);
	});

	it('p pauses: nothing new shows until p again', async () => {
		const ui = await openDashboard();
		await ui.press('p');
		await ui.waitFor('PAUSED');
		await ui.waitFor('Paused: nothing is read or marked delivered until p');
		withWriter(ui.dbPath, bus => bus.register({sessionId: 'while-paused-1', pid: null}));
		await sleep(400);
		assert.ok(!ui.frame().includes('while-paused-1'), 'a paused dashboard does not read');
		await ui.press('p');
		await ui.waitFor('while-paused-1');
		assert.ok(!ui.frame().includes('PAUSED'));
		assert.ok(ui.frame().includes('Resumed'));
	});
});

describe('App: session log', () => {
	it('L writes the session-log entry and names the file', async () => {
		const ui = await openDashboard();
		await ui.press('L');
		await ui.waitFor('Log entry appended:');
		const date = utcDate(Date.now());
		const file = path.join(ui.config.logBase, 'PILOT', `SESSION-LOG-${date}.md`);
		assert.ok(fs.existsSync(file), `${file} exists`);
		const text = fs.readFileSync(file, 'utf8');
		assert.ok(text.includes(LOG_HEADING), text.slice(0, 400));
		assert.ok(text.includes(CLAUDE_UUID), 'full UUIDs in the log');
		assert.ok(ui.frame().includes(file) || ui.frame().includes(`SESSION-LOG-${date}.md`), 'the status bar names the file');
	});
});
