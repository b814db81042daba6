import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import type {ChildProcess} from 'node:child_process';
import {deadPid, liveProcess, seededRandom, tempDir} from './helpers/fixtures.js';
import {BusWriter} from '../source/bus/writer.js';
import {BusMonitor, type Reading} from '../source/monitor/monitor.js';
import {TABS} from '../source/tab-ids.js';
import {buildTabs} from '../source/ui/tabs/index.js';
import {coarseAge, countdown} from '../source/ui/tabs/cells.js';
import type {Column, Row, TabView} from '../source/ui/tabs/types.js';
import {visibleRows, wrapRows} from '../source/ui/screen.js';
import {
	type TabState,
	cycleSort,
	initialUiState,
	moveSelection,
	scrollTop,
	selectedIndex,
	uiReducer,
	updateTab,
} from '../source/ui/state.js';

/**
 * Pure tests of the view model (reading -> tab rows) and the UI state helpers,
 * on readings taken by a real BusMonitor from real databases made with BusWriter.
 */

const STALE_MS = 300_000;
const CURRENT = 'claude-100';
const CLAUDE_UUID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const CLAUDE_CWD = '/Users/halcasteel/PROJECTS/coditect-rollout-master/submodules/core/coditect-core/very/deep/working/directory';
const HOSTILE_ID = 'evil-\u001b]0;pwned\u0007-\u009b2J-\u202eexe.txt';

const children: ChildProcess[] = [];
let alivePids: number[] = [];
let dead = 0;

before(async () => {
	for (let i = 0; i < 2; i++) children.push(liveProcess());
	alivePids = children.map(child => child.pid!);
	dead = await deadPid();
});

after(() => {
	for (const child of children) child.kill('SIGKILL');
});

function freshDb(): string {
	return path.join(tempDir('session-status-views-'), 'messaging.db');
}

type Ids = {alerts: Record<string, number>; toCurrent: number[]; toOthers: number[]; question: number; answer: number};

/** A bus with every kind of row: live, dead/stale, remote, ended sessions; holds; alerts of each priority; mail. */
function richBus(dbPath: string): Ids {
	const bus = new BusWriter(dbPath);
	const now = Date.now();
	const host = os.hostname();
	bus.register({
		sessionId: CURRENT,
		sessionUuid: CLAUDE_UUID,
		machineUuid: 'm-1',
		hostname: host,
		vendor: 'claude',
		model: 'opus-4.6',
		projectId: 'PILOT',
		tty: '/dev/ttys003',
		cwd: CLAUDE_CWD,
		pid: alivePids[0],
		registeredAt: now - 1000,
	});
	bus.register({
		sessionId: 'codex-200',
		sessionUuid: 'f9e8d7c6-b5a4-3210-fedc-ba9876543210',
		hostname: host,
		vendor: 'codex',
		model: 'o3',
		projectId: 'PILOT',
		cwd: '/repo/codex',
		pid: alivePids[1],
		registeredAt: now - 1000,
	});
	bus.register({
		sessionId: 'gemini-300',
		hostname: host,
		vendor: 'gemini',
		projectId: 'DOCS',
		cwd: '/repo/docs',
		pid: dead,
		registeredAt: now - 3_600_000,
	});
	bus.heartbeat('gemini-300', now - 10 * 60_000);
	bus.register({
		sessionId: 'remote-400',
		hostname: 'build-box.example',
		machineUuid: 'm-other',
		vendor: 'claude',
		projectId: 'INFRA',
		cwd: '/srv',
		pid: 4242,
		registeredAt: now - 60_000,
	});
	bus.register({
		sessionId: 'old-500',
		hostname: host,
		vendor: 'codex',
		projectId: 'PILOT',
		cwd: '/repo/old',
		pid: 1,
		registeredAt: now - 86_400_000,
	});
	bus.end('old-500');
	bus.claim('H.13.7', CURRENT, {expiresAt: now + 30 * 60_000});
	bus.claim('D.2.1', 'gemini-300');
	bus.lock('scripts/core/session_message_bus.py', CURRENT);
	bus.lock('content/guide.md', 'gemini-300');
	const alerts: Record<string, number> = {};
	alerts['budget'] = bus.alert({
		type: 'budget_exceeded',
		priority: 0,
		sessions: ['gemini-300'],
		projectId: 'DOCS',
		action: 'Review token spend',
	});
	alerts['task'] = bus.alert({
		type: 'task_conflict',
		priority: 2,
		sessions: [CURRENT, 'remote-400'],
		taskId: 'H.13.7',
		action: 'One session should release the task',
	});
	alerts['project'] = bus.alert({
		type: 'project_conflict',
		priority: 3,
		sessions: [CURRENT, 'codex-200'],
		projectId: 'PILOT',
		action: 'Coordinate task boundaries to avoid overlap',
	});
	alerts['file'] = bus.alert({
		type: 'file_conflict',
		priority: 1,
		sessions: [CURRENT, 'gemini-300'],
		filePath: 'content/guide.md',
		action: 'Unlock',
	});
	bus.db.prepare(`UPDATE session_messages SET status = 'read', read_at = ? WHERE id = ?`).run(new Date(now).toISOString(), alerts['file']);
	const question = bus.send({
		senderId: CURRENT,
		recipientId: 'codex-200',
		channel: 'coordination',
		payload: {text: 'Are you touching ADR-173.md?'},
	});
	const answer = bus.send({
		senderId: 'codex-200',
		recipientId: CURRENT,
		channel: 'coordination',
		replyTo: question,
		payload: {text: 'Yes, until the migration lands.'},
	});
	const urgent = bus.send({
		senderId: 'gemini-300',
		recipientId: CURRENT,
		channel: 'review',
		priority: 2,
		payload: {text: 'Docs ready for review'},
	});
	const other = bus.send({
		senderId: 'remote-400',
		recipientId: 'codex-200',
		channel: 'review',
		priority: 3,
		payload: {text: 'Please rebase'},
	});
	bus.close();
	return {alerts, toCurrent: [answer, urgent], toOthers: [question, other], question, answer};
}

async function readBus(dbPath: string, sessionId: string | null = CURRENT, endedSessions = 0): Promise<Reading> {
	const monitor = new BusMonitor({dbPath, staleTimeoutMs: STALE_MS, sessionId, machineUuid: null});
	try {
		return await monitor.read({countHistory: true, now: Date.now(), endedSessions});
	} finally {
		monitor.close();
	}
}

function rowByCell(view: TabView, column: string, text: string): Row {
	const row = view.rows.find(item => (item.cells[column] ?? '').includes(text));
	assert.ok(
		row,
		`a ${view.id} row whose ${column} holds ${JSON.stringify(text)} (have: ${view.rows.map(item => item.cells[column]).join(', ')})`,
	);
	return row;
}

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('buildTabs', () => {
	let ids: Ids;
	let dbPath: string;
	let reading: Reading;
	let tabs: Record<string, TabView>;

	before(async () => {
		dbPath = freshDb();
		ids = richBus(dbPath);
		reading = await readBus(dbPath);
		tabs = buildTabs(reading, {showEnded: false, countsNote: 'counts note'});
	});

	it('builds every tab, in the tab bar order, with its count', () => {
		assert.deepEqual(Object.keys(tabs).sort(), TABS.map(tab => tab.id).sort());
		for (const {id, title} of TABS) {
			assert.equal(tabs[id].id, id);
			assert.equal(tabs[id].title, title);
		}
		assert.equal(tabs['sessions'].badge?.count, 3, 'claude, codex and the remote session are active');
		assert.equal(tabs['locks'].badge?.count, 2);
		assert.equal(tabs['claims'].badge?.count, 2);
		assert.equal(tabs['alerts'].badge?.count, 3, 'open alerts only');
		assert.equal(tabs['unread'].badge?.count, 4);
		assert.equal(tabs['alerts'].badge?.tone, 'critical', 'the badge takes the colour of the highest open priority');
		assert.equal(tabs['sessions'].badge?.tone, 'bad', 'a stale session makes the Sessions badge stand out');
		assert.equal(tabs['locks'].badge?.tone, 'bad', 'a lock held by a stale session');
	});

	it('Sessions: current first and marked, ended hidden until asked, dead/stale stand out', async () => {
		const sessions = tabs['sessions'];
		assert.equal(sessions.rows[0].cells['id'], `▶ ${CURRENT}`);
		assert.ok(!sessions.rows.some(row => row.cells['id'].includes('old-500')), 'ended sessions are hidden');
		assert.ok(!reading.snapshot.sessions.some(row => row.sessionId === 'old-500'), 'and not read');
		const withEnded = buildTabs(await readBus(dbPath, CURRENT, Infinity), {showEnded: true, countsNote: ''})['sessions'];
		const ended = rowByCell(withEnded, 'id', 'old-500');
		assert.equal(ended.cells['state'], 'ended');
		assert.equal(ended.tone, 'muted');
		assert.equal(ended.release, undefined);
		assert.match(ended.releaseRefusal ?? '', /already ended/);

		const claude = rowByCell(sessions, 'id', CURRENT);
		assert.equal(claude.cells['state'], 'alive');
		assert.equal(claude.cells['vendor'], 'claude (opus-4.6)');
		assert.equal(claude.cells['project'], 'PILOT');
		assert.equal(claude.cells['claims'], '1');
		assert.equal(claude.cells['locks'], '1');
		assert.equal(claude.cells['unread'], '2');
		assert.equal(claude.cells['heartbeat'], 'ok', 'a fresh heartbeat is ok; its age is in the detail');
		assert.equal(claude.tone, 'accent');
		assert.equal(claude.release, undefined);
		assert.match(claude.releaseRefusal ?? '', /alive/);
		assert.equal(claude.copy, CURRENT);

		const gemini = rowByCell(sessions, 'id', 'gemini-300');
		assert.equal(gemini.cells['state'], 'stale/dead');
		assert.equal(gemini.cells['heartbeat'], '10m');
		assert.equal(gemini.tone, 'bad');
		assert.equal(gemini.release?.kind, 'session');
		assert.match(gemini.release.reason, /heartbeat expired/);

		const remote = rowByCell(sessions, 'id', 'remote-400');
		assert.equal(remote.cells['state'], 'remote');
		assert.equal(remote.release, undefined, 'a remote session with a fresh heartbeat is kept');
	});

	it('the session detail holds every documented field, full UUIDs and the full CWD', () => {
		const lines = rowByCell(tabs['sessions'], 'id', CURRENT).detail();
		const text = lines.join('\n');
		assert.match(lines[0], new RegExp(`^Session: ${CURRENT} \\(THIS SESSION\\)`));
		for (const expected of [
			CLAUDE_UUID,
			CLAUDE_CWD,
			'Machine UUID',
			'Hostname',
			'claude (opus-4.6)',
			'PILOT',
			'/dev/ttys003',
			`${alivePids[0]} (uptime`,
			'H.13.7 (exclusive)',
			'scripts/core/session_message_bus.py',
			'Unread Messages: 2',
		]) {
			assert.ok(text.includes(expected), `detail holds ${expected}:\n${text}`);
		}
		assert.ok(!text.includes('**'), 'no markdown emphasis in the terminal detail');
		assert.ok(!text.includes('`'), 'no markdown code spans in the terminal detail');
		for (const label of ['PID', 'Heartbeat', 'CWD', 'Session UUID']) {
			assert.equal(lines.filter(line => line.trimStart().startsWith(`${label}:`)).length, 1, `${label} appears once`);
		}
		const gemini = rowByCell(tabs['sessions'], 'id', 'gemini-300').detail().join('\n');
		assert.match(gemini, /Project: DOCS/);
		assert.match(gemini, /not running/);
		assert.ok(!gemini.includes('TTY'), 'TTY only when set');
	});

	it('Locks and Claims: holder, type, age, expiry; held by a stale session stands out and can be released', () => {
		const locks = tabs['locks'];
		const orphan = rowByCell(locks, 'key', 'content/guide.md');
		assert.match(orphan.cells['holder'], /^gemini-300 \(stale\)$/);
		assert.equal(orphan.tone, 'bad');
		assert.equal(orphan.release?.kind, 'lock');
		assert.equal(orphan.release.kind === 'lock' ? orphan.release.key : null, 'content/guide.md');
		const held = rowByCell(locks, 'key', 'session_message_bus.py');
		assert.equal(held.cells['holder'], CURRENT);
		assert.equal(held.cells['type'], 'exclusive');
		assert.equal(held.cells['age'], '<1m');
		assert.equal(held.cells['expires'], '—');
		assert.equal(held.tone, 'normal');
		assert.equal(held.release, undefined);
		assert.match(held.releaseRefusal ?? '', /alive/);
		assert.ok(held.detail().join('\n').includes(CLAUDE_CWD), 'the lock detail shows the holder block');

		const claims = tabs['claims'];
		const claim = rowByCell(claims, 'key', 'H.13.7');
		assert.match(claim.cells['expires'], /^in (29|30)m$/);
		assert.equal(rowByCell(claims, 'key', 'D.2.1').release?.kind, 'claim');
	});

	it('Alerts: open ones grouped by type, highest priority first, then the acknowledged; delivery state; pretty JSON detail', () => {
		const alerts = tabs['alerts'];
		assert.deepEqual(
			alerts.rows.map(row => row.cells['type']),
			['project_conflict', 'task_conflict', 'budget_exceeded', 'file_conflict'],
		);
		assert.deepEqual(
			alerts.rows.map(row => row.cells['status']),
			['pending', 'pending', 'pending', 'read'],
		);
		const project = alerts.rows[0];
		assert.equal(project.cells['priority'], 'critical');
		assert.equal(project.cells['sessions'], `${CURRENT} + codex-200`);
		assert.equal(project.cells['resource'], 'PILOT');
		assert.equal(project.tone, 'critical');
		assert.deepEqual(project.alertIds, [ids.alerts['project']]);
		assert.deepEqual(project.shownIds, [ids.alerts['project']]);
		assert.equal(project.copy, String(ids.alerts['project']));
		assert.equal(rowByCell(alerts, 'type', 'task_conflict').cells['resource'], 'H.13.7');
		const read = rowByCell(alerts, 'type', 'file_conflict');
		assert.equal(read.alertIds, undefined, 'an acknowledged alert cannot be acknowledged again');
		assert.equal(read.shownIds, undefined);
		assert.equal(read.tone, 'muted');

		const detail = project.detail();
		const start = detail.indexOf('Payload:');
		assert.ok(start > 0);
		assert.deepEqual(detail.slice(start + 1, start + 4), ['  {', '    "sessions": [', `      "${CURRENT}",`]);
		assert.ok(detail.includes('    "action": "Coordinate task boundaries to avoid overlap"'));
	});

	it('Unread: the current session first, only its own messages count as shown, replies threaded', () => {
		const unread = tabs['unread'];
		assert.deepEqual(
			unread.rows.slice(0, 2).map(row => row.cells['recipient']),
			[CURRENT, CURRENT],
		);
		assert.equal(unread.rows[0].cells['priority'], 'high', 'highest priority first within a recipient');
		for (const row of unread.rows) {
			const id = Number(row.key.split(':')[1]);
			if (ids.toCurrent.includes(id)) assert.deepEqual(row.shownIds, [id]);
			else assert.equal(row.shownIds, undefined, `message ${id} to ${row.cells['recipient']} is not ours to deliver`);
		}
		assert.match(unread.header[0], new RegExp(`^${CURRENT}: 2 \\(`));
		const answer = unread.rows.find(row => row.key === `message:${ids.answer}`)!;
		assert.ok(
			answer.detail().some(line => line.includes(`in reply to #${ids.question}`)),
			answer.detail().join('\n'),
		);
		const question = unread.rows.find(row => row.key === `message:${ids.question}`)!;
		assert.ok(question.detail().some(line => line.includes(`reply #${ids.answer}`)));
	});

	it('Lifecycle: newest first by time, the id breaking ties; Stats: statistics and observations', () => {
		const lifecycle = tabs['lifecycle'];
		const events = lifecycle.rows.map(row => ({id: Number(row.key.split(':')[1]), time: row.sort['time'] as number}));
		assert.deepEqual(
			events,
			[...events].sort((a, b) => b.time - a.time || b.id - a.id),
		);
		assert.equal(lifecycle.rows[0].cells['event'], 'ended');
		assert.equal(lifecycle.rows[0].cells['session'], 'old-500');
		const stats = tabs['stats'].rows.map(row => row.cells['text']);
		assert.ok(stats.includes('Bus Statistics'));
		assert.ok(stats.includes('Observations'));
		assert.ok(stats.some(line => line.includes('counts note')));
	});

	it('the filter text of a row covers what it shows and the full CWD/UUID of a session', () => {
		const claude = rowByCell(tabs['sessions'], 'id', CURRENT);
		assert.ok(claude.search.includes(CLAUDE_CWD));
		assert.ok(claude.search.includes(CLAUDE_UUID));
	});

	it('escapes hostile text in cells, copy text and details', async () => {
		const dbPath = freshDb();
		const bus = new BusWriter(dbPath);
		bus.register({
			sessionId: HOSTILE_ID,
			vendor: 'x\u001b[31m',
			projectId: 'p\u202e',
			cwd: '/tmp/\u009b31m',
			hostname: os.hostname(),
			pid: alivePids[0],
		});
		bus.alert({type: 'file_conflict\u001b[2J', sessions: [HOSTILE_ID], filePath: '\u001b]52;c;AAAA\u0007', action: 'a\u202eb'});
		bus.close();
		const hostile = buildTabs(await readBus(dbPath, null, Infinity), {showEnded: true, countsNote: ''});
		for (const view of Object.values(hostile)) {
			for (const row of view.rows) {
				for (const text of [...Object.values(row.cells), row.copy, row.search, ...row.detail()]) {
					assert.ok(!RAW.test(text), `${view.id} ${JSON.stringify(text)} holds a raw control`);
				}
			}
		}
		assert.ok(rowByCell(hostile['sessions'], 'id', 'evil-').cells['id'].includes('\\x1b]0;pwned\\x07-\\x9b2J-\\u202eexe.txt'));
	});

	it("a message held as a preview (a remote's) says so in its detail while fetched, when it cannot be, and shows it whole once here", () => {
		const message = reading.snapshot.unread[0];
		const unread = [{...message, payloadCut: true}, ...reading.snapshot.unread.slice(1)];
		const previewed: Reading = {...reading, snapshot: {...reading.snapshot, unread}};
		const rowOf = (of: Reading) =>
			buildTabs(of, {showEnded: false, countsNote: ''})['unread'].rows.find(item => item.key === `message:${message.id}`)!;
		const row = rowOf(previewed);
		assert.equal(row.cutPayload, message.id);
		assert.ok(row.detail().includes('  (a preview: fetching the whole payload...)'));
		assert.ok(
			row
				.detail({state: 'failed', why: 'gpu is not connected'})
				.includes('  (a preview: the whole payload could not be fetched: gpu is not connected)'),
		);
		const whole = row.detail({state: 'whole', value: {note: 'the whole of it'}, cut: false});
		assert.ok(whole.includes('    "note": "the whole of it"'), whole.join('\n'));
		assert.ok(!whole.some(line => line.includes('a preview')));
		assert.ok(row.detail({state: 'whole', value: {}, cut: true}).includes('  (bounded: too large to show whole)'));
		const local = rowOf(reading);
		assert.equal(local.cutPayload, undefined, 'a local message is whole: nothing to fetch');
		assert.deepEqual(local.detail({state: 'whole', value: 'other', cut: false}), local.detail(), 'and its detail ignores any');
	});
});

// ---- UI state helpers ------------------------------------------------------

function row(key: string, text = key, sort: Record<string, string | number> = {}): Row {
	return {key, cells: {name: text}, tone: 'normal', sort: {name: text, ...sort}, search: text, copy: key, detail: () => [text]};
}

const COLUMNS: Column[] = [
	{id: 'name', priority: 1, title: 'NAME', width: 10, sortable: true},
	{id: 'note', priority: 1, title: 'NOTE', width: 10},
	{id: 'size', priority: 1, title: 'SIZE', width: 5, sortable: true},
];

function view(rows: Row[]): TabView {
	return {
		id: 'sessions',
		title: 'Sessions',
		layout: 'table',
		badge: {count: rows.length, tone: 'normal'},
		columns: COLUMNS,
		rows,
		header: [],
		total: null,
		empty: 'none',
	};
}

function tabState(patch: Partial<TabState> = {}): TabState {
	return {...initialUiState().tabs.sessions, ...patch};
}

const keys = (rows: Row[]) => rows.map(item => item.key);

describe('visibleRows', () => {
	const rows = [
		row('a', 'Alpha PILOT', {size: 10}),
		row('b', 'beta docs', {size: 2}),
		row('c', 'Gamma pilot-2', {size: 33}),
		row('d', 'delta', {size: 2}),
	];

	it('filters by a case-insensitive substring of the row text', () => {
		assert.deepEqual(keys(visibleRows(view(rows), tabState({filter: 'pilot'}))), ['a', 'c']);
		assert.deepEqual(keys(visibleRows(view(rows), tabState({filter: 'PILOT'}))), ['a', 'c']);
		assert.deepEqual(keys(visibleRows(view(rows), tabState({filter: 'ta D'}))), ['b']);
		assert.deepEqual(keys(visibleRows(view(rows), tabState({filter: 'zzz'}))), []);
		assert.deepEqual(keys(visibleRows(view(rows), tabState({filter: ''}))), ['a', 'b', 'c', 'd']);
	});

	it('sorts by the sort column (numbers numerically, text without case), and reverses', () => {
		assert.deepEqual(keys(visibleRows(view(rows), tabState({sortColumn: 'size'}))), ['b', 'd', 'a', 'c'], 'a stable numeric sort');
		assert.deepEqual(keys(visibleRows(view(rows), tabState({sortColumn: 'size', reverse: true}))), ['c', 'a', 'd', 'b']);
		assert.deepEqual(keys(visibleRows(view(rows), tabState({sortColumn: 'name'}))), ['a', 'b', 'd', 'c']);
		assert.deepEqual(keys(visibleRows(view(rows), tabState({reverse: true}))), ['d', 'c', 'b', 'a'], 'the view order, reversed');
		assert.deepEqual(keys(visibleRows(view(rows), tabState({sortColumn: 'size', filter: 'pilot', reverse: true}))), ['c', 'a']);
		assert.deepEqual(keys(view(rows).rows), ['a', 'b', 'c', 'd'], 'the view itself is not reordered');
	});

	it('sorts numbers inside text naturally', () => {
		const mixed = [row('x', 'claude-100'), row('y', 'claude-20'), row('z', 'Claude-3')];
		assert.deepEqual(keys(visibleRows(view(mixed), tabState({sortColumn: 'name'}))), ['z', 'y', 'x']);
	});
});

describe('cycleSort', () => {
	it('cycles through the sortable columns, then back to the view order', () => {
		let state = tabState();
		const seen: Array<string | null> = [];
		for (let i = 0; i < 4; i++) {
			state = cycleSort(state, COLUMNS);
			seen.push(state.sortColumn);
		}
		assert.deepEqual(seen, ['name', 'size', null, 'name']);
	});

	it('keeps the reverse flag and does nothing without sortable columns', () => {
		const state = tabState({reverse: true});
		assert.equal(cycleSort(state, COLUMNS).reverse, true);
		assert.equal(cycleSort(state, [{id: 'text', priority: 1, title: '', width: 3}]), state);
	});
});

describe('selectedIndex', () => {
	const rows = ['a', 'b', 'c', 'd'].map(key => row(key));

	it('is the row with the selected key, wherever it moved', () => {
		const state = tabState({selectedKey: 'c', index: 2});
		assert.equal(selectedIndex(rows, state), 2);
		const inserted = [row('new1'), row('new2'), ...rows];
		assert.equal(selectedIndex(inserted, state), 4, 'rows inserted before it');
		assert.equal(inserted[selectedIndex(inserted, state)].key, 'c');
	});

	it('falls back to the old index when its row is gone, clamped to the list', () => {
		const state = tabState({selectedKey: 'c', index: 2});
		assert.equal(selectedIndex([rows[0], rows[1], rows[3]], state), 2, 'the row now at its old place');
		assert.equal(selectedIndex([rows[0]], state), 0);
		assert.equal(selectedIndex([], state), -1);
		assert.equal(selectedIndex(rows, tabState()), 0, 'nothing selected yet: the first row');
	});

	it('keeps the same session across a rebuilt reading where a session was inserted before it', async () => {
		const dbPath = freshDb();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'mango-1', pid: null});
		bus.register({sessionId: 'zebra-2', pid: null});
		const first = buildTabs(await readBus(dbPath, null), {showEnded: false, countsNote: ''})['sessions'];
		let state = tabState({sortColumn: 'id'});
		const shown = visibleRows(first, state);
		assert.deepEqual(
			shown.map(item => item.copy),
			['mango-1', 'zebra-2'],
		);
		state = moveSelection(state, shown, 'bottom', 10);
		assert.equal(shown[selectedIndex(shown, state)].copy, 'zebra-2');

		bus.register({sessionId: 'apple-3', pid: null});
		bus.register({sessionId: 'banana-4', pid: null});
		bus.close();
		const second = visibleRows(buildTabs(await readBus(dbPath, null), {showEnded: false, countsNote: ''})['sessions'], state);
		assert.deepEqual(
			second.map(item => item.copy),
			['apple-3', 'banana-4', 'mango-1', 'zebra-2'],
		);
		assert.equal(selectedIndex(second, state), 3);
		assert.equal(second[selectedIndex(second, state)].copy, 'zebra-2');
	});
});

describe('moveSelection and scrollTop', () => {
	const rows = Array.from({length: 25}, (_, index) => row(`r${index}`));
	const page = 10;

	function walk(motions: Array<number | 'top' | 'bottom'>): Array<[number, number]> {
		let state = tabState();
		return motions.map(motion => {
			state = moveSelection(state, rows, motion, page);
			assert.equal(state.selectedKey, rows[state.index].key);
			return [state.index, state.top];
		});
	}

	it('moves by one, by pages, to either end, clamped, scrolling to keep the selection in view', () => {
		assert.deepEqual(walk([1, 1, -1, page, page, page, -page, 'top', -1, 'bottom', 1, -page]), [
			[1, 0],
			[2, 0],
			[1, 0],
			[11, 2],
			[21, 12],
			[24, 15],
			[14, 14],
			[0, 0],
			[0, 0],
			[24, 15],
			[24, 15],
			[14, 14],
		]);
	});

	it('does nothing on an empty list', () => {
		const state = tabState({index: 3});
		assert.equal(moveSelection(state, [], 1, page), state);
	});

	it('scrollTop keeps the index in a viewport and never scrolls past the end', () => {
		assert.equal(scrollTop(0, 5, 10, 25), 0);
		assert.equal(scrollTop(0, 12, 10, 25), 3);
		assert.equal(scrollTop(10, 4, 10, 25), 4);
		assert.equal(scrollTop(20, 24, 10, 25), 15, 'a top beyond the last page is pulled back');
		assert.equal(scrollTop(8, 2, 10, 5), 0, 'the list shrank below a page');
		assert.equal(scrollTop(5, 3, 0, 25), 0);
	});
});

describe('tabs and updates', () => {
	it('switching and stepping tabs go back to the list and wrap around', () => {
		const stepTab = (state: ReturnType<typeof initialUiState>, delta: number) => uiReducer(state, {type: 'step-tab', delta});
		let state = initialUiState('alerts');
		assert.equal(state.tab, 'alerts');
		state = {...state, mode: {kind: 'help', scroll: 0}};
		state = uiReducer(state, {type: 'switch-tab', tab: 'locks'});
		assert.deepEqual([state.tab, state.mode.kind], ['locks', 'list']);
		assert.equal(stepTab(initialUiState('stats'), 1).tab, 'sessions');
		assert.equal(stepTab(initialUiState('sessions'), -1).tab, 'stats');
		const order: string[] = [];
		let walk = initialUiState('sessions');
		for (let i = 0; i < TABS.length; i++) {
			order.push(walk.tab);
			walk = stepTab(walk, 1);
		}
		assert.deepEqual(
			order,
			TABS.map(tab => tab.id),
		);
	});

	it('updateTab changes only the current tab', () => {
		const state = updateTab(initialUiState('claims'), {filter: 'x', reverse: true});
		assert.equal(state.tabs.claims.filter, 'x');
		assert.equal(state.tabs.claims.reverse, true);
		assert.equal(state.tabs.locks.filter, '');
	});
});

describe('coarse times', () => {
	it('coarseAge: minutes, then hours and minutes, then days and hours', () => {
		const cases: Array<[number | null, string]> = [
			[null, '?'],
			[0, '<1m'],
			[59_999, '<1m'],
			[60_000, '1m'],
			[59 * 60_000 + 59_999, '59m'],
			[3_600_000, '1h 0m'],
			[2 * 3_600_000 + 15 * 60_000 + 30_000, '2h 15m'],
			[24 * 3_600_000 - 1, '23h 59m'],
			[24 * 3_600_000, '1d 0h'],
			[3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '3d 4h'],
		];
		for (const [ms, text] of cases) assert.equal(coarseAge(ms), text, `coarseAge(${ms})`);
	});

	it('coarseAge changes at most once a minute (nothing re-renders between)', () => {
		const start = 5 * 60_000;
		const texts = new Set<string>();
		for (let ms = start; ms < start + 60_000; ms += 1000) texts.add(coarseAge(ms));
		assert.equal(texts.size, 1);
	});

	it('countdown: none, unreadable, expired, or in a coarse time', () => {
		const now = 1_000_000_000;
		assert.equal(countdown({ms: null, text: null}, false, now), '—');
		assert.equal(countdown({ms: null, text: 'garbage'}, false, now), '?');
		assert.equal(countdown({ms: now - 1, text: 'x'}, true, now), 'expired');
		assert.equal(countdown({ms: now + 90 * 60_000, text: 'x'}, false, now), 'in 1h 30m');
	});
});

describe('session cells that do not change while the bus is idle', () => {
	it('a fresh heartbeat reads ok, a late or stale one its age, as does a released one; uptime in hours and minutes', async () => {
		const {heartbeatCell} = await import('../source/ui/tabs/sessions.js');
		const view = (ageMs: number | null, clockAhead = false, status = 'active') =>
			({heartbeatAgeMs: ageMs, clockAhead, row: {status}}) as Parameters<typeof heartbeatCell>[0];
		assert.equal(heartbeatCell(view(10_000), 300_000), 'ok');
		assert.equal(heartbeatCell(view(299_000), 300_000), 'ok');
		assert.equal(heartbeatCell(view(7 * 60_000), 300_000), '7m');
		assert.equal(heartbeatCell(view(0, true), 300_000), 'ahead <1m');
		assert.equal(heartbeatCell(view(null), 300_000), '?');
		assert.equal(heartbeatCell(view(30_000, false, 'stale'), 300_000), '<1m', 'released: no longer "ok"');
		assert.equal(heartbeatCell(view(10 * 60_000, false, 'ended'), 300_000), '10m');
		assert.equal(coarseAge(2 * 3_600_000 + 15 * 60_000), '2h 15m');
	});
});

describe('sentences wrap to the width', () => {
	it('wrapText breaks at spaces, hard-breaks long words, indents continuations, never exceeds the width', async () => {
		const {wrapText, stringWidth} = await import('../source/text/fit.js');
		const text =
			'  Locks held by dead or stale sessions: `terraform/modules/vpc.tf` (claude-51234, holder stale) and 漢字かなカナ漢字かなカナ漢字かなカナ';
		for (const width of [20, 33, 40, 80]) {
			const lines = wrapText(text, width, '    ');
			for (const line of lines) assert.ok(stringWidth(line) <= width, `${width}: ${JSON.stringify(line)}`);
			assert.equal(
				lines
					.map(line => line.trim())
					.join(' ')
					.replace(/\s+/g, ''),
				text.replace(/\s+/g, ''),
				'nothing lost',
			);
			for (const line of lines.slice(1)) assert.ok(line.startsWith('    '), 'continuation indented');
		}
		assert.deepEqual(wrapText('short', 40), ['short']);
	});

	it('wrapRows keeps the first piece under the row key and gives continuations keys of their own', () => {
		const row = {
			key: 'stat:3',
			cells: {text: '  one two three four five six seven'},
			tone: 'normal' as const,
			sort: {},
			search: '',
			copy: '',
			detail: () => [],
		};
		const rows = wrapRows([row], 'text', 16);
		assert.ok(rows.length > 1);
		assert.equal(rows[0].key, 'stat:3');
		assert.deepEqual(
			rows.slice(1).map(item => item.key),
			rows.slice(1).map((_, index) => `stat:3:${index + 1}`),
		);
	});
});

describe('display width', () => {
	it('counts cells as string-width does: every character alone, and mixed text', async () => {
		const {stringWidth} = await import('../source/text/fit.js');
		const {default: segmentedWidth} = await import('string-width');
		for (let code = 0; code < 0x3100; code++) {
			if (code >= 0xd800 && code <= 0xdfff) continue;
			const char = String.fromCharCode(code);
			assert.equal(stringWidth(char), segmentedWidth(char), `U+${code.toString(16)}`);
		}
		const palette = [
			'a',
			' ',
			'…',
			'—',
			'▶',
			'│',
			'é',
			'e\u0301',
			'漢',
			'👍',
			'👩‍💻',
			'\u00ad',
			'\u200b',
			'\t',
			'\u001b[31m',
			'◽',
			'\u25b6\ufe0f',
			'ß',
		];
		const next = seededRandom(11);
		for (let i = 0; i < 2000; i++) {
			let text = '';
			for (let j = next(12); j > 0; j--) text += palette[next(palette.length)];
			assert.equal(stringWidth(text), segmentedWidth(text), JSON.stringify(text));
		}
	});
});

describe('grapheme segmentation', () => {
	const icuSegments = (text: string) =>
		[...new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(text)].map(({segment, index, input}) => ({segment, index, input}));
	const segments = async (text: string) => {
		const {GraphemeSegmenter} = await import('../source/text/graphemes.js');
		return [...new GraphemeSegmenter(undefined, {granularity: 'grapheme'}).segment(text)].map(({segment, index, input}) => ({
			segment,
			index,
			input,
		}));
	};

	it('keeps every standalone character apart from any other beside it, as Intl.Segmenter does', async () => {
		const {standalone} = await import('../source/text/graphemes.js');
		const chars: string[] = [];
		for (let code = 0; code < 0x10000; code++) if (standalone(code)) chars.push(String.fromCharCode(code));
		assert.ok(chars.length > 1000 && chars.includes('\u001b') && chars.includes('…') && !chars.includes('\r'));
		// Grapheme breaks between these depend on the two characters beside each break only, so every pair, both ways round, proves any text of them.
		for (const first of chars) {
			const text = chars.map(second => first + second).join('');
			assert.equal(icuSegments(text).length, text.length, `U+${first.charCodeAt(0).toString(16)}`);
		}
		assert.deepEqual(await segments(chars.join('')), icuSegments(chars.join('')));
	});

	it('hands any other text to Intl.Segmenter', async () => {
		const palette = ['a', ' ', '…', '\u001b[31m', 'e\u0301', '漢', '👍', '👩‍💻', '🇫🇷', '\r\n', '\u00ad', 'ᄀ', '각', '\u200d', '©\ufe0f'];
		const next = seededRandom(5);
		for (let i = 0; i < 2000; i++) {
			let text = '';
			for (let j = next(10); j > 0; j--) text += palette[next(palette.length)];
			assert.deepEqual(await segments(text), icuSegments(text), JSON.stringify(text));
		}
	});

	it('finds the segment containing an index as Intl.Segments does (slice-ansi asks for it)', async () => {
		const {GraphemeSegmenter} = await import('../source/text/graphemes.js');
		const plain = (data: Intl.SegmentData | undefined) => data && {segment: data.segment, index: data.index, input: data.input};
		for (const text of ['', 'a', 'plain ASCII│…', '\u001b[31mred\u001b[39m', 'e\u0301👩‍💻漢']) {
			const ours = new GraphemeSegmenter().segment(text);
			const icu = new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(text);
			for (const index of [-1, 0, 0.5, 1, 2.9, text.length - 1, text.length, Number.NaN, undefined, Infinity]) {
				assert.deepEqual(plain(ours.containing(index)), plain(icu.containing(index)), `${JSON.stringify(text)} at ${index}`);
			}
			// Iterable again, as Intl.Segments is.
			assert.deepEqual([...ours].map(plain), [...ours].map(plain));
		}
	});

	it('splits graphemes only', async () => {
		const {GraphemeSegmenter} = await import('../source/text/graphemes.js');
		assert.throws(() => new GraphemeSegmenter(undefined, {granularity: 'word'}), RangeError);
	});
});

describe("ink's frame caches", () => {
	it('compute each text once while consecutive frames use it, and drop what a frame did not use', async () => {
		const {FrameCaches} = await import('../source/text/frame-caches.js');
		const computed: string[] = [];
		const caches = new FrameCaches({
			styledChars: line => (computed.push(line), [...line]),
			width: text => (computed.push(`width ${text}`), text.length),
		});
		const frame = (lines: string[]) => {
			caches.nextFrame();
			return lines.map(line => caches.getStyledChars(line).join(''));
		};
		assert.deepEqual(frame(['a', 'b']), ['a', 'b']);
		assert.deepEqual(frame(['a', 'c']), ['a', 'c']);
		assert.deepEqual(computed, ['a', 'b', 'c']);
		frame(['c']);
		frame(['a', 'b']);
		// 'c' was in the frame before: kept; 'a' and 'b' were last used two frames before: computed again.
		assert.deepEqual(computed, ['a', 'b', 'c', 'a', 'b']);
		const same = caches.getStyledChars('a');
		caches.nextFrame();
		assert.equal(caches.getStyledChars('a'), same, 'the same value, not a copy');
		assert.equal(caches.getWidestLine('ab\nabcd\n'), 4);
		assert.equal(caches.getWidestLine(''), 0);
		assert.deepEqual(computed.slice(5), ['width ab', 'width abcd', 'width ']);
	});
});

describe("ink's styles between characters", () => {
	it('two characters styled alike need no escape code between them (checked against ink’s own diff)', async () => {
		const {sameStyles} = await import('../source/text/frame-caches.js');
		const {ansiCodesToString, diffAnsiCodes, styledCharsFromTokens, tokenize} = await import('@alcalzone/ansi-tokenize');
		const codes = [
			'\u001b[1m',
			'\u001b[2m',
			'\u001b[22m',
			'\u001b[31m',
			'\u001b[32m',
			'\u001b[39m',
			'\u001b[7m',
			'\u001b[27m',
			'\u001b[0m',
			'\u001b[38;5;208m',
			'\u001b[1;31m',
			'',
		];
		const next = seededRandom(3);
		let alike = 0;
		let styledAlike = 0;
		for (let i = 0; i < 3000; i++) {
			let line = '';
			for (let j = next(8) + 1; j > 0; j--) line += codes[next(codes.length)] + 'ab'.slice(0, next(3));
			const chars = styledCharsFromTokens(tokenize(line));
			const pairs = chars.map((char, index) => [index === 0 ? [] : chars[index - 1].styles, char.styles] as const);
			if (chars.length > 0) pairs.push([chars.at(-1)!.styles, []]);
			for (const [from, to] of pairs) {
				const diff = ansiCodesToString(diffAnsiCodes(from, to));
				if (!sameStyles(from, to)) continue;
				alike++;
				if (from.length > 0) styledAlike++;
				assert.equal(diff, '', `${JSON.stringify(line)}: ${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
			}
		}
		assert.ok(alike > 1000 && styledAlike > 500, `${alike} alike, ${styledAlike} of them styled`);
	});
});
