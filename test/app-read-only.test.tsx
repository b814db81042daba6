import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {dumpDatabase} from './helpers/cli.js';
import {openDashboard, sleep} from './helpers/app-harness.js';

describe('App: read-only', () => {
	it('refuses a, A and x with a message and leaves the database unchanged', async () => {
		const ui = await openDashboard({config: {readOnly: true}});
		const before = dumpDatabase(ui.dbPath);
		await ui.waitFor('read-only');
		await ui.press('4');
		await ui.waitFor('project_conflict');
		await ui.press('a');
		await ui.waitFor('Read-only: "acknowledge the selected alert (or your own mail)" would write');
		await ui.press('A');
		await ui.waitFor('Read-only: "acknowledge every alert in this view');
		assert.ok(!ui.frame().includes('y confirms'), 'no confirmation is asked');
		await ui.press('1');
		await ui.filterTo('gemini');
		await ui.press('x');
		await ui.waitFor('Read-only: "release a dead or stale session');
		await ui.press('5');
		await ui.waitFor('note 0');
		await ui.press('L');
		await ui.waitFor('Log entry appended:');
		await sleep(200);
		assert.deepEqual(dumpDatabase(ui.dbPath), before, 'not one row changed (nothing delivered either)');
	});
});
