import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {messageState, openDashboard, sleep, standardIds, untilStatus} from './helpers/app-harness.js';

describe('App: acknowledge', () => {
	it('a acknowledges the selected alert: the row becomes read in the database', async () => {
		const ui = await openDashboard();
		const {alerts} = standardIds(ui.dbPath);
		await ui.press('4');
		await ui.waitFor('project_conflict');
		await ui.press('a');
		await ui.waitFor(`Acknowledged alert #${alerts.project}`);
		const row = messageState(ui.dbPath, alerts.project);
		assert.equal(row.status, 'read');
		assert.ok(row.read_at, 'read_at is set');
		assert.notEqual(messageState(ui.dbPath, alerts.task).status, 'read');
		await ui.waitFor(/project_conflict .* read /);
		assert.equal(ui.tabBar().includes('4 Alerts 2'), true, 'the badge counts open alerts');
	});

	it('a outside the Alerts view says what to do', async () => {
		const ui = await openDashboard();
		await ui.press('a');
		await ui.waitFor('Select an open alert in the Alerts view');
		await ui.press('A');
		await ui.waitFor('A acknowledges the alerts of the Alerts view');
	});

	it('A asks, then acknowledges every alert of the filtered view; any other key cancels', async () => {
		const ui = await openDashboard();
		const {alerts} = standardIds(ui.dbPath);
		await ui.press('4');
		await ui.waitFor('budget_exceeded');
		await ui.filterTo('conflict');
		assert.ok(!ui.frame().includes('budget_exceeded'));
		await ui.press('A');
		await ui.waitFor('Acknowledge 2 alerts matching "conflict"? y confirms, any other key cancels');
		await ui.press('n');
		await ui.waitFor('Cancelled');
		assert.notEqual(messageState(ui.dbPath, alerts.project).status, 'read');
		await ui.press('A');
		await ui.waitFor('Acknowledge 2 alerts');
		await ui.press('y');
		await ui.waitFor('Acknowledged 2 of 2 alerts');
		assert.equal(messageState(ui.dbPath, alerts.project).status, 'read');
		assert.equal(messageState(ui.dbPath, alerts.task).status, 'read');
		assert.ok(messageState(ui.dbPath, alerts.task).read_at);
		assert.notEqual(messageState(ui.dbPath, alerts.budget).status, 'read', 'the alert outside the filter is untouched');
	});
});

describe('App: delivery', () => {
	it('alerts shown in the Alerts view become delivered; not before', async () => {
		const ui = await openDashboard();
		const {alerts} = standardIds(ui.dbPath);
		await sleep(200);
		assert.equal(messageState(ui.dbPath, alerts.project).status, 'pending', 'the Sessions view shows no alert');
		await ui.press('4');
		await ui.waitFor('project_conflict');
		for (const id of Object.values(alerts)) {
			await untilStatus(ui.dbPath, [id], 'delivered');
			const row = messageState(ui.dbPath, id);
			assert.equal(row.status, 'delivered', `alert ${id}`);
			assert.ok(row.delivered_at);
			assert.equal(row.read_at, null);
		}
		await ui.waitFor(/project_conflict .* delivered /);
	});

	it("the Unread view delivers the current session's messages only", async () => {
		const ui = await openDashboard();
		const {toCurrent, toOther} = standardIds(ui.dbPath);
		await ui.press('5');
		await ui.waitFor('Are you touching');
		await untilStatus(ui.dbPath, toCurrent, 'delivered');
		for (const id of toCurrent) assert.equal(messageState(ui.dbPath, id).status, 'delivered', `message ${id} to the current session`);
		await sleep(200);
		assert.equal(messageState(ui.dbPath, toOther).status, 'pending', "another agent's mail stays pending");
		assert.equal(messageState(ui.dbPath, toOther).delivered_at, null);
	});

	it('nothing is marked delivered while paused', async () => {
		const ui = await openDashboard();
		const {alerts, toCurrent} = standardIds(ui.dbPath);
		await ui.press('p');
		await ui.waitFor('PAUSED');
		await ui.press('4');
		await ui.waitFor('project_conflict');
		await ui.press('5');
		await ui.waitFor('note 0');
		await sleep(300);
		for (const id of [...Object.values(alerts), ...toCurrent])
			assert.equal(messageState(ui.dbPath, id).status, 'pending', `message ${id} while paused`);
		await ui.press('p');
		await ui.waitFor('Resumed');
		await untilStatus(ui.dbPath, [toCurrent[0]], 'delivered');
		assert.equal(messageState(ui.dbPath, toCurrent[0]).status, 'delivered', 'shown again after resuming: delivered');
	});
});
