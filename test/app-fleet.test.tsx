import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {Fleet} from '../source/fleet/fleet.js';
import {LocalMachine} from '../source/fleet/local.js';
import {RemoteMachine} from '../source/fleet/remote.js';
import {liveBusFor} from '../source/monitor/live.js';
import {FleetView} from '../source/ui/fleet-view.js';
import {linkLine} from '../source/ui/link-line.js';
import {buildTab} from '../source/ui/tabs/index.js';
import {requireBuiltCli, withDb} from './helpers/cli.js';
import {withWriter} from './helpers/fixtures.js';
import {commandConnector, serveArgv} from './helpers/serve.js';
import {LinkedMachine} from './helpers/linked-machine.js';
import {type Dashboard, type DashboardOptions, KEYS, messageState, openDashboard, standardBus, standardIds} from './helpers/app-harness.js';

/**
 * The dashboard over a fleet of two real buses: this machine's (`local`) and a second bus
 * named `build`, seen as a remote whose link the test sets (test/helpers/linked-machine.ts).
 * Both buses hold the same standard sessions and alerts, so every id is on both machines.
 */

type FleetDashboard = {ui: Dashboard; build: LinkedMachine; buildDb: string};

async function openFleet(
	options: DashboardOptions & {build?: ConstructorParameters<typeof LinkedMachine>[1]} = {},
): Promise<FleetDashboard> {
	let build: LinkedMachine | null = null;
	let buildDb = '';
	const ui = await openDashboard({
		columns: 120,
		...options,
		fleet: (local, {dir, config, pids}) => {
			buildDb = path.join(dir, 'build.db');
			standardBus(buildDb, pids);
			// The other machine knows no current session: the viewer's session is on this one.
			const live = liveBusFor({...config, dbPath: buildDb, sessionId: null}, {pollMs: 20, coalesceMs: 20});
			build = new LinkedMachine(new LocalMachine(live, false, 'build'), options.build);
			return new Fleet([local, build]);
		},
	});
	await ui.waitFor(/^bui(?:ld)?\s+\S/m, "the second machine's rows");
	return {ui, build: build!, buildDb};
}

/** The frame's table rows (those that start with a machine's name), as [machine, the rest]. */
function machineRows(frame: string): Array<[string, string]> {
	return frame
		.split('\n')
		.map(line => /^(local|build(?: \d\d:\d\d)?)\s+(\S.*)$/.exec(line))
		.filter((match): match is RegExpExecArray => match !== null)
		.map(match => [match[1], match[2]]);
}

/** The counts of the tab bar, in order: `4/6!` gives 4 and 6. */
function badgeNumbers(tabBar: string): number[] {
	return [...tabBar.matchAll(/ \d ([A-Za-z]+) (\d+)(?:\/(\d+))?/g)].flatMap(match => [
		Number(match[2]),
		...(match[3] ? [Number(match[3])] : []),
	]);
}

describe('App: a fleet of two machines', () => {
	it('shows the same session id on two machines as two rows, each with its MACHINE cell, most urgent first whichever machine', async () => {
		const {ui} = await openFleet();
		const frame = ui.frame();
		assert.match(frame, /^MACHINE\s+SESSION/m);
		const rows = machineRows(frame);
		const codex = rows.filter(([, rest]) => rest.startsWith('codex-41200'));
		assert.deepEqual(
			codex.map(([machine]) => machine),
			['local', 'build'],
			frame,
		);
		// build's dead session holding a lock needs the operator: before local's healthy codex.
		const at = (machine: string, id: string) => rows.findIndex(([name, rest]) => name === machine && rest.startsWith(id));
		assert.ok(at('build', 'gemini-300') >= 0 && at('build', 'gemini-300') < at('local', 'codex-41200'), frame);
		// The current session is known on this machine only.
		assert.equal(rows.filter(([, rest]) => rest.startsWith('▶')).length, 1, frame);
	});

	it('L writes one log entry of both machines, a heading each, and names the file', async () => {
		const {ui} = await openFleet();
		await ui.press('L');
		await ui.waitFor('Log entry appended:');
		const file = /Log entry appended: (\S+)/.exec(ui.frame())?.[1] ?? '';
		const dir = path.join(ui.config.logBase, 'PILOT');
		const entry = fs
			.readdirSync(dir)
			.map(name => fs.readFileSync(path.join(dir, name), 'utf8'))
			.join('');
		assert.ok(file.length > 0, ui.frame());
		assert.match(entry, /#### Machine: local \(/);
		assert.match(entry, /#### Machine: build \(/);
		assert.ok(entry.indexOf('Machine: local') < entry.indexOf('Machine: build'), 'this machine first');
	});

	it('/ matches machine names', async () => {
		const {ui} = await openFleet();
		const all = machineRows(ui.frame()).length;
		await ui.filterTo('build');
		const frame = await ui.waitFor(`filter: build (${all / 2} of ${all}`);
		const rows = machineRows(frame);
		assert.ok(rows.length > 0 && rows.every(([machine]) => machine === 'build'), frame);
	});

	it('sums the badges of the machines', async () => {
		const one = await openDashboard();
		const single = badgeNumbers(one.tabBar());
		one.close();
		const {ui} = await openFleet();
		assert.ok(single.length >= 6, one.tabBar());
		assert.deepEqual(
			badgeNumbers(ui.tabBar()),
			single.map(count => count * 2),
			ui.tabBar(),
		);
		assert.match(ui.tabBar(), /Alerts 6!/);
	});

	it("acknowledges the second machine's alert on that machine's bus only", async () => {
		const {ui, buildDb} = await openFleet();
		const local = standardIds(ui.dbPath);
		const remote = standardIds(buildDb);
		await ui.press('4');
		await ui.waitFor(/^MACHINE\s+PRIO/m);
		await ui.filterTo('build');
		await ui.press('a');
		await ui.waitFor(`build: Acknowledged alert #${remote.alerts.project}`);
		assert.equal(messageState(buildDb, remote.alerts.project).status, 'read');
		assert.notEqual(messageState(ui.dbPath, local.alerts.project).status, 'read');
		assert.notEqual(messageState(buildDb, remote.alerts.task).status, 'read');
	});

	it("sends m on a remote row as the operator, to that machine's bus", async () => {
		const {ui, buildDb} = await openFleet();
		await ui.filterTo('build');
		await ui.waitFor(/^build\s+gemini-300/m);
		await ui.press('m');
		await ui.waitFor('To gemini-300 on build');
		await ui.type('hello');
		await ui.press(KEYS.enter);
		await ui.waitFor(/build: Sent message #\d+ to gemini-300/);
		const sent = withDb(buildDb, db =>
			db.prepare(`SELECT sender_id FROM session_messages WHERE recipient_id = 'gemini-300' AND channel = 'coordination'`).all(),
		);
		assert.deepEqual(sent, [{sender_id: ui.config.operator}]);
		const local = withDb(ui.dbPath, db =>
			db.prepare(`SELECT count(*) AS n FROM session_messages WHERE recipient_id = 'gemini-300' AND channel = 'coordination'`).get(),
		);
		assert.deepEqual(local, {n: 0});
	});

	it('o on a remote row says the pane is on another machine', async () => {
		const {ui} = await openFleet();
		await ui.filterTo('build');
		await ui.press('o');
		await ui.waitFor('o jumps to panes on this machine; build is remote');
	});

	it('keeps a lost link’s rows, dimmed and marked with the time of its last reading, and says why in the link line', async () => {
		const {ui, build} = await openFleet();
		await ui.waitFor('build: live');
		build.setLink({kind: 'reconnecting', at: Date.now() + 4000, why: 'connection refused'});
		const frame = await ui.waitFor(/build: reconnecting in [34] s \(connection refused\)/);
		await ui.waitFor(/^build \d\d:\d\d\s+codex-41200/m, 'the lost rows marked with their time');
		assert.ok(machineRows(frame).some(([machine]) => machine === 'local'));
		// Dimmed, and never judged again with the clock: their ages are those of the last reading.
		const {view} = new FleetView().build(ui.fleet.getState().machines, 'sessions', {showEnded: false, countsNote: () => ''});
		const lost = view!.rows.filter(row => row.machine === 'build');
		assert.ok(lost.length === 3 && lost.every(row => row.tone === 'muted' && row.changesAt === undefined));
		assert.ok(view!.rows.filter(row => row.machine === 'local').some(row => row.tone !== 'muted'));
		// The lost rows come after the live ones, however urgent.
		assert.equal(view!.rows.at(-1)!.machine, 'build');
	});

	it('r retries a failed link', async () => {
		const {ui, build} = await openFleet();
		build.setLink({kind: 'failed', why: 'auth refused'});
		await ui.waitFor('build: failed: auth refused (r retries)');
		await ui.press('r');
		await ui.waitFor('build: live');
		assert.ok(build.retries >= 1);
		assert.equal(build.getState().link.kind, 'live');
	});

	it('shows a duplicate as such and none of its rows', async () => {
		const {ui, build} = await openFleet();
		build.setLink({kind: 'duplicate', of: 'local'});
		const frame = await ui.waitFor('build: same bus as local');
		assert.deepEqual(
			machineRows(frame).filter(([machine]) => machine.startsWith('build')),
			[],
			frame,
		);
		assert.ok(machineRows(frame).length > 0);
	});

	it('refuses a write on a read-only machine and names it; the other machine still takes it', async () => {
		const {ui, buildDb} = await openFleet({build: {readOnly: true}, columns: 160});
		await ui.waitFor('build: live (read-only)');
		await ui.press('4');
		await ui.filterTo('build');
		await ui.press('a');
		await ui.waitFor('Read-only: build serves read-only');
		assert.notEqual(messageState(buildDb, standardIds(buildDb).alerts.project).status, 'read');
		await ui.press(KEYS.esc);
		await ui.filterTo('local');
		await ui.press('a');
		await ui.waitFor(`local: Acknowledged alert #${standardIds(ui.dbPath).alerts.project}`);
	});

	it('Stats: a section per machine, titled with its name', async () => {
		const {ui} = await openFleet({rows: 80});
		await ui.press('7');
		const frame = await ui.waitFor(/^build/m);
		assert.equal(frame.match(/^Bus Statistics$/gm)?.length, 2, frame);
		assert.ok(frame.indexOf('\nlocal') < frame.indexOf('\nbuild'), frame);
	});

	it("converts a remote's clock to local time for the screen's next change", async () => {
		const offset = 3_600_000;
		const {ui, build} = await openFleet({build: {clockOffsetMs: offset}});
		const state = build.getState();
		const own = buildTab(state.reading!, 'sessions', {showEnded: false, countsNote: ''});
		const {view} = new FleetView().build(ui.fleet.getState().machines, 'sessions', {showEnded: false, countsNote: () => ''});
		for (const row of own.rows) {
			const merged = view!.rows.find(item => item.key === `build/${row.key}`);
			assert.equal(merged?.changesAt, row.changesAt! + offset);
		}
	});

	it('gives the MACHINE column a short tag, and the link line a summary, in a narrow pane', async () => {
		const {ui} = await openFleet({columns: 48});
		await ui.waitFor(/^(bui|loc) /m, 'the short tags');
		const machines = ui.fleet.getState().machines;
		const failed = [machines[0], {...machines[1], link: {kind: 'failed', why: 'host key unknown'} as const}];
		assert.equal(linkLine(failed, 200, Date.now())?.text, 'build: failed: host key unknown (r retries)');
		assert.equal(linkLine(failed, 30, Date.now())?.text, '1 failed: build (r retries)');
	});

	it('with one machine builds exactly the tab module’s view', async () => {
		const ui = await openDashboard();
		const {machines} = ui.fleet.getState();
		const {view} = new FleetView().build(machines, 'alerts', {showEnded: false, countsNote: () => ''});
		const own = buildTab(machines[0].reading!, 'alerts', {showEnded: false, countsNote: ''});
		assert.deepEqual(
			view!.rows.map(row => [row.key, row.machine, row.cells]),
			own.rows.map(row => [row.key, undefined, row.cells]),
		);
		assert.ok(!view!.columns.some(column => column.id === 'machine'));
		assert.doesNotMatch(ui.frame(), /MACHINE|: live/);
	});
});

describe('App: a remote read through its serve', () => {
	it("a remote message's detail says its payload is a preview, fetches the whole one from its machine, and shows it", async () => {
		requireBuiltCli();
		// 20,000 characters: the reading carries the first 4,096; the end is only in the whole payload.
		const action = `${'step '.repeat(3999)}WHOLE-END`;
		const ui = await openDashboard({
			columns: 120,
			fleet: (local, {dir, pids}) => {
				const gpuDb = path.join(dir, 'gpu.db');
				standardBus(gpuDb, pids);
				withWriter(gpuDb, bus => bus.alert({type: 'file_conflict', priority: 3, sessions: ['codex-41200'], filePath: 'big.py', action}));
				return new Fleet([local, new RemoteMachine({name: 'gpu', connector: commandConnector(serveArgv(gpuDb))})]);
			},
		});
		try {
			await ui.waitFor(/^gpu\s+\S/m, "the remote's rows", 20_000);
			await ui.press('4', '/', ...'big.py', KEYS.enter, KEYS.enter);
			await ui.waitFor('Detail — Esc back');
			const row = ui.fleet
				.machine('gpu')!
				.getState()
				.reading!.snapshot.alerts.find(alert => alert.payload && JSON.stringify(alert.payload).includes('big.py'));
			assert.equal(row?.payloadCut, true, 'the reading holds a preview');
			await ui.waitFor(frame => frame.includes('Payload:') && !frame.includes('fetching the whole payload'), 'the whole payload', 10_000);
			await ui.press('G');
			const end = await ui.waitFor('WHOLE-END', 'the end of the whole payload');
			assert.doesNotMatch(end, /a preview/);
		} finally {
			ui.fleet.stop();
		}
	});
});
