import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import type {ChildProcess} from 'node:child_process';
import Database from 'better-sqlite3';
import stringWidth from 'string-width';
import {render} from 'ink-testing-library';
import {App} from '../source/ui/app.js';
import {KEYMAP} from '../source/ui/keymap.js';
import {LiveBus, type LiveOptions} from '../source/monitor/live.js';
import {type Config, defaultConfig} from '../source/settings.js';
import {BusWriter} from '../source/bus/writer.js';
import {deadPid, documentedExample, liveProcess, tempDir} from './helpers/fixtures.js';

/**
 * Drives the real App with ink-testing-library on a real LiveBus over a real
 * temporary database: one key per write, then polls the frame until what the
 * key should have done is on screen. Sizes come from props (the fake stdout has
 * no rows).
 */

const KEYS = {
	down: '\u001b[B',
	up: '\u001b[A',
	enter: '\r',
	esc: '\u001b',
	tab: '\t',
	shiftTab: '\u001b[Z',
	pageDown: '\u001b[6~',
	pageUp: '\u001b[5~',
	ctrlC: '\u0003',
};

const CURRENT = 'claude-29583';
const CLAUDE_UUID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const CODEX_CWD = '/Users/halcasteel/PROJECTS/coditect-rollout-master/submodules/core/coditect-core';
const LOG_HEADING = '[H.0] Cross-LLM Session Dashboard Status';

// Each temporary folder and helper process adds an exit listener.
process.setMaxListeners(200);

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

const children: ChildProcess[] = [];
let pids = {claude: 0, codex: 0};
let dead = 0;

before(async () => {
	children.push(liveProcess(), liveProcess());
	pids = {claude: children[0]!.pid!, codex: children[1]!.pid!};
	dead = await deadPid();
});

after(() => {
	for (const child of children) child.kill('SIGKILL');
});

// ---- database fixtures ---------------------------------------------------------

type Fixture = {alerts: {project: number; task: number; budget: number}; toCurrent: number[]; toOther: number};

/**
 * The documentation's two live sessions (claude current, codex), plus a dead
 * session whose heartbeat is 10 minutes old holding a lock and a claim, an ended
 * session, three alerts, mail to the current session and to another one.
 */
function standardBus(dbPath: string): Fixture {
	const bus = documentedExample(dbPath, pids);
	const host = os.hostname();
	bus.register({
		sessionId: 'gemini-300',
		sessionUuid: 'c0ffee00-1111-2222-3333-444455556666',
		hostname: host,
		vendor: 'gemini',
		model: '2.5-pro',
		projectId: 'DOCS',
		cwd: '/home/dev/docs-site',
		pid: dead,
		registeredAt: Date.now() - 3_600_000,
	});
	bus.heartbeat('gemini-300', Date.now() - 10 * 60_000);
	bus.lock('content/guide.md', 'gemini-300');
	bus.claim('D.2.1', 'gemini-300');
	bus.register({
		sessionId: 'old-500',
		hostname: host,
		vendor: 'codex',
		projectId: 'PILOT',
		cwd: '/repo/old',
		pid: null,
		registeredAt: Date.now() - 86_400_000,
	});
	bus.end('old-500');
	const project = bus.db.prepare(`SELECT id FROM session_messages WHERE channel = 'operator_alerts'`).pluck().get() as number;
	const task = bus.alert({
		type: 'task_conflict',
		priority: 2,
		sessions: [CURRENT, 'codex-41200'],
		taskId: 'H.13.7',
		action: 'One session should release the task',
	});
	const budget = bus.alert({
		type: 'budget_exceeded',
		priority: 1,
		sessions: ['gemini-300'],
		projectId: 'DOCS',
		action: 'Review token spend',
	});
	const toCurrent = bus.db.prepare(`SELECT id FROM session_messages WHERE recipient_id = ? ORDER BY id`).pluck().all(CURRENT) as number[];
	const toOther = bus.send({
		senderId: CURRENT,
		recipientId: 'codex-41200',
		channel: 'coordination',
		payload: {text: 'Are you touching ADR-173.md?'},
	});
	bus.close();
	return {alerts: {project, task, budget}, toCurrent, toOther};
}

function withDb<T>(dbPath: string, fn: (db: Database.Database) => T): T {
	const db = new Database(dbPath, {fileMustExist: true});
	try {
		return fn(db);
	} finally {
		db.close();
	}
}

function writer<T>(dbPath: string, fn: (bus: BusWriter) => T): T {
	const bus = new BusWriter(dbPath);
	try {
		return fn(bus);
	} finally {
		bus.close();
	}
}

type MessageState = {status: string; delivered_at: string | null; read_at: string | null};

function message(dbPath: string, id: number): MessageState {
	return withDb(
		dbPath,
		db => db.prepare(`SELECT status, delivered_at, read_at FROM session_messages WHERE id = ?`).get(id) as MessageState,
	);
}

/** Every row of every table, to prove nothing was written. */
function dump(dbPath: string): unknown {
	return withDb(dbPath, db => {
		const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
		return Object.fromEntries(tables.map(table => [table, db.prepare(`SELECT rowid AS _rowid, * FROM "${table}" ORDER BY rowid`).all()]));
	});
}

// ---- the harness ---------------------------------------------------------------

type Harness = {
	dir: string;
	dbPath: string;
	config: Config;
	live: LiveBus;
	raw: string[];
	stopped: () => boolean;
	frames: string[];
	frame: () => string;
	press: (...keys: string[]) => Promise<void>;
	type: (text: string) => Promise<void>;
	waitFor: (expected: string | RegExp | ((frame: string) => boolean), what?: string, timeoutMs?: number) => Promise<string>;
	waitForPosition: (position: string) => Promise<string>;
	position: () => string | null;
	close: () => void;
};

type StartOptions = {
	columns?: number;
	rows?: number;
	config?: Partial<Config>;
	live?: Partial<LiveOptions>;
	/** Builds the database; the standard bus when omitted. */
	setup?: (dbPath: string) => void;
	/** Wait for this before returning (default: the first reading). */
	ready?: string | RegExp;
	/** Called with each frame as ink writes it (installed before the first reading). */
	onFrame?: (frame: string, stdin: {write: (data: string) => void}) => void;
};

/** Colour codes ink may add when colour is forced; everything else must never appear. */
const SGR = /\u001b\[[0-9;]*m/g;

function plain(frame: string | undefined): string {
	return (frame ?? '').replace(SGR, '');
}

const open: Harness[] = [];

async function start(options: StartOptions = {}): Promise<Harness> {
	const dir = tempDir('session-status-app-');
	const dbPath = path.join(dir, 'messaging.db');
	(options.setup ?? standardBus)(dbPath);
	const config: Config = {...defaultConfig({}, dir), dbPath, logBase: path.join(dir, 'logs'), sessionId: CURRENT, ...options.config};
	const live = new LiveBus({
		dbPath,
		staleTimeoutMs: config.staleTimeoutMs,
		sessionId: config.sessionId,
		machineUuid: config.machineUuid,
		readOnly: config.readOnly,
		pollMs: 20,
		coalesceMs: 20,
		...options.live,
	});
	let stopped = false;
	const stop = live.stop.bind(live);
	live.stop = () => {
		stopped = true;
		stop();
	};
	const raw: string[] = [];
	const rendered = render(
		<App live={live} config={config} columns={options.columns ?? 100} rows={options.rows ?? 30} writeRaw={data => raw.push(data)} />,
	);
	if (options.onFrame) {
		const write = rendered.stdout.write;
		rendered.stdout.write = (frame: string) => {
			write(frame);
			options.onFrame!(frame, rendered.stdin);
		};
	}
	const frame = () => plain(rendered.lastFrame());
	const waitFor: Harness['waitFor'] = async (expected, what, timeoutMs = 4000) => {
		const test =
			typeof expected === 'function'
				? expected
				: (text: string) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const current = frame();
			if (test(current)) return current;
			if (Date.now() > deadline) assert.fail(`timed out waiting for ${what ?? String(expected)}; the frame is:\n${current}`);
			await sleep(15);
		}
	};
	const position = () => {
		const lines = frame().split('\n');
		const match = /\| (\d+\/\d+)(?: |$)/.exec(lines[lines.length - 1] ?? '');
		return match ? match[1]! : null;
	};
	const harness: Harness = {
		dir,
		dbPath,
		config,
		live,
		raw,
		stopped: () => stopped,
		frames: rendered.frames,
		frame,
		press: async (...keys) => {
			for (const key of keys) {
				rendered.stdin.write(key);
				await sleep(50);
			}
		},
		type: async text => {
			for (const char of text) {
				rendered.stdin.write(char);
				await sleep(30);
			}
		},
		waitFor,
		waitForPosition: position_ => waitFor(() => position() === position_, `selected position ${position_} (now ${position()})`),
		position,
		close: () => {
			rendered.unmount();
			live.stop();
		},
	};
	open.push(harness);
	// The first reading is in when the tab bar has its count badges.
	await waitFor(options.ready ?? /^ 1(?: Sessions |Ses·|·)\d/, 'the first reading');
	return harness;
}

after(() => {
	for (const harness of open) {
		try {
			harness.close();
		} catch {
			// already down
		}
	}
});

/** The text of the selected row's id: what `y` copies. */
async function copied(h: Harness): Promise<string> {
	const before = h.raw.length;
	await h.press('y');
	const deadline = Date.now() + 2000;
	while (h.raw.length === before) {
		if (Date.now() > deadline) assert.fail('y wrote nothing');
		await sleep(10);
	}
	const match = /^\u001b\]52;c;([A-Za-z0-9+/=]*)\u0007$/.exec(h.raw[h.raw.length - 1]!);
	assert.ok(match, `an OSC 52 sequence: ${JSON.stringify(h.raw[h.raw.length - 1])}`);
	return Buffer.from(match[1]!, 'base64').toString('utf8');
}

/** Selects the first row holding `text` by filtering the view to it. */
async function filterTo(h: Harness, text: string): Promise<void> {
	await h.press('/');
	await h.waitFor('Enter keeps, Esc clears');
	await h.type(text);
	await h.press(KEYS.enter);
	await h.waitFor(`filter: ${text}`);
}

const HEADERS: Record<string, string> = {
	'1': 'SESSION',
	'2': 'FILE',
	'3': 'TASK',
	'4': 'PRIO',
	'5': 'MESSAGE',
	'6': 'TIME (UTC)',
	'7': 'Bus Statistics',
};

// ---- tests -----------------------------------------------------------------------

describe('App: tabs', () => {
	it('shows every tab with its count badge and switches with 1-7', async () => {
		const h = await start();
		try {
			const first = h.frame().split('\n')[0]!;
			assert.match(first, /1 Sessions 2 +2 Locks 2 +3 Claims 3 +4 Alerts 3 +5 Unread 4 +6 Lifecycle 5 +7 Stats/);
			await h.waitFor('claude-29583');
			for (const [key, header] of Object.entries(HEADERS)) {
				await h.press(key);
				await h.waitFor(header, `tab ${key}`);
			}
			await h.press('2');
			const locks = await h.waitFor('content/guide.md');
			assert.match(locks, /session_message_bus\.py +claude-29583 +exclusive/);
			assert.match(locks, /gemini-300 \(stale\)/);
			await h.press('3');
			assert.match(await h.waitFor('D.2.1'), /H\.13\.7 +claude-29583/);
			await h.press('4');
			const alerts = await h.waitFor('task_conflict');
			assert.ok(alerts.indexOf('project_conflict') < alerts.indexOf('task_conflict'), 'critical first');
			assert.ok(alerts.indexOf('task_conflict') < alerts.indexOf('budget_exceeded'));
			assert.match(alerts, /critical project_conflict claude-29583 \+ codex-41200 +PILOT/);
			await h.press('5');
			const unread = await h.waitFor('note 0');
			assert.match(unread, /claude-29583: 3 \(3 coordination\)/);
			assert.ok(unread.indexOf('claude-29583: 3') < unread.indexOf('codex-41200: 1'), 'the current session first');
			await h.press('6');
			assert.match(await h.waitFor('ended'), /ended +old-500/);
			await h.press('7');
			await h.waitFor('Observations');
		} finally {
			h.close();
		}
	});

	it('Tab / Shift-Tab and ] / [ step through the tabs and wrap around', async () => {
		const h = await start();
		try {
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
				await h.press(key);
				await h.waitFor(header, `${JSON.stringify(key)} -> ${header}`);
			}
		} finally {
			h.close();
		}
	});

	it('opens on the tab the config names (--alerts)', async () => {
		const h = await start({config: {defaultTab: 'alerts'}});
		try {
			await h.waitFor('project_conflict');
			assert.ok(h.frame().includes('PRIO'));
		} finally {
			h.close();
		}
	});
});

describe('App: moving', () => {
	const many = (dbPath: string) =>
		writer(dbPath, bus => {
			for (let i = 1; i <= 20; i++) bus.register({sessionId: `s-${String(i).padStart(2, '0')}`, vendor: 'claude', pid: null});
		});

	it('j/k, arrows, g/G, PgDn/PgUp move the selection and scroll', async () => {
		// 14 rows: a frame of 13 lines; 10 table rows.
		const h = await start({setup: many, rows: 14, config: {sessionId: null}});
		try {
			await h.waitForPosition('1/20');
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
				await h.press(key);
				await h.waitForPosition(position);
			}
			assert.ok(h.frame().includes('s-01') && !h.frame().includes('s-11'), 'ten rows shown from the top');
			await h.press('G');
			await h.waitForPosition('20/20');
			const bottom = h.frame();
			assert.ok(bottom.includes('s-20') && bottom.includes('s-11') && !bottom.includes('s-10'), `scrolled to the end:\n${bottom}`);
			assert.equal(await copied(h), 's-20');
			await h.press('k');
			await h.waitForPosition('19/20');
			assert.equal(await copied(h), 's-19');
		} finally {
			h.close();
		}
	});

	it('each tab keeps its own selection', async () => {
		const h = await start();
		try {
			await h.press('j');
			await h.waitForPosition('2/3');
			await h.press('4');
			await h.waitForPosition('1/3');
			await h.press('G');
			await h.waitForPosition('3/3');
			await h.press('1');
			await h.waitForPosition('2/3');
		} finally {
			h.close();
		}
	});
});

describe('App: detail views', () => {
	it('Enter opens the session detail with the full UUID and CWD; Esc goes back', async () => {
		const h = await start();
		try {
			await h.waitForPosition('1/3');
			await h.press(KEYS.enter);
			// Paths and UUIDs are code spans, as in the printed dashboard.
			const detail = (await h.waitFor('Detail — Esc back')).replace(/`/g, '');
			assert.match(detail, /Session: claude-29583 \(THIS SESSION\)/);
			assert.ok(detail.includes(`Session UUID: ${CLAUDE_UUID}`));
			assert.ok(detail.includes('CWD: /Users/halcasteel/PROJECTS/coditect-rollout-master'));
			assert.ok(detail.includes(`PID: ${pids.claude} (uptime`));
			assert.ok(detail.includes('Claimed Task: H.13.7 (exclusive)'));
			assert.ok(!/ \d+\/\d+ /.test(detail.split('\n').at(-1)!), 'no list position in the detail');
			await h.press(KEYS.esc);
			await h.waitFor('SESSION');
			await h.waitForPosition('1/3');

			await h.press('j', KEYS.enter);
			const codex = (await h.waitFor('Session: codex-41200')).replace(/`/g, '');
			assert.ok(codex.includes('f9e8d7c6-b5a4-3210-fedc-ba9876543210'));
			assert.ok(codex.includes(`CWD: ${CODEX_CWD}`), `the full CWD:\n${codex}`);
			await h.press(KEYS.esc);
			await h.waitForPosition('2/3');
		} finally {
			h.close();
		}
	});

	it('alert and message details show the payload as pretty JSON and the reply thread', async () => {
		let reply = 0;
		const h = await start({
			setup: dbPath => {
				standardBus(dbPath);
				writer(dbPath, bus => {
					const question = bus.send({
						senderId: 'codex-41200',
						recipientId: CURRENT,
						channel: 'coordination',
						priority: 3,
						payload: {text: 'Can I take H.13.7?'},
					});
					reply = bus.send({
						senderId: CURRENT,
						recipientId: 'codex-41200',
						channel: 'coordination',
						priority: 3,
						replyTo: question,
						payload: {text: 'Yes, take it.'},
					});
				});
			},
		});
		try {
			await h.press('4', KEYS.enter);
			const alert = await h.waitFor('Payload:');
			assert.match(alert, /\[CRITICAL\] project_conflict/);
			assert.match(alert, /^ +\{$/m);
			assert.match(alert, /^ +"sessions": \[$/m);
			assert.match(alert, /^ +"claude-29583",$/m);
			assert.match(alert, /^ +"action": "Coordinate task boundaries to avoid overlap"$/m);
			await h.press(KEYS.esc);
			await h.waitFor('PRIO');

			await h.press('5');
			await h.waitFor('Yes, take it.');
			await filterTo(h, 'Yes, take');
			await h.press(KEYS.enter);
			const detail = await h.waitFor('Payload:');
			assert.ok(detail.includes(`Message #${reply} on coordination from ${CURRENT}`));
			assert.match(detail, /"text": "Yes, take it\."/);
			assert.match(detail, /Thread:\n +in reply to #\d+ from codex-41200/);
			await h.press(KEYS.esc);
			await h.waitFor('filter: Yes, take');
		} finally {
			h.close();
		}
	});

	it('a long detail scrolls with j/k and says which lines it shows', async () => {
		const h = await start({rows: 12});
		try {
			await h.press(KEYS.enter);
			const top = await h.waitFor(/Detail — Esc back, j\/k scroll \(1-\d+ of \d+\)/);
			assert.ok(top.includes('Session: claude-29583'));
			await h.press('j', 'j');
			const scrolled = await h.waitFor(/\(3-\d+ of \d+\)/);
			assert.ok(!scrolled.includes('Session: claude-29583'));
			await h.press('g');
			await h.waitFor(/\(1-\d+ of \d+\)/);
			// G goes to the end of the text (not to the last row of the list beneath); k works at once.
			await h.press('G');
			const end = await h.waitFor(frame => {
				const range = /\((\d+)-(\d+) of (\d+)\)/.exec(frame);
				return range !== null && range[2] === range[3] && range[1] !== '1';
			}, 'the end of the detail');
			const [, from] = /\((\d+)-(\d+) of (\d+)\)/.exec(end)!;
			await h.press('G', 'G', 'k');
			await h.waitFor(`(${Number(from) - 1}-`);
			await h.press(KEYS.esc);
			await h.waitForPosition('1/3');
		} finally {
			h.close();
		}
	});
});

describe('App: filter and sort', () => {
	it('/ narrows the rows (case-insensitive), Enter keeps it, Esc clears', async () => {
		const h = await start();
		try {
			await h.waitFor('gemini-300');
			await h.press('/');
			await h.type('CODEX');
			const typing = await h.waitFor('/CODEX▏');
			assert.ok(typing.includes('codex-41200') && !typing.includes('claude-29583') && !typing.includes('gemini-300'), typing);
			await h.press(KEYS.enter);
			await h.waitFor('filter: CODEX (1 of 3; / edits, Esc clears)');
			assert.equal(h.position(), '1/1');
			await h.press(KEYS.esc);
			const cleared = await h.waitFor(frame => frame.includes('claude-29583') && !frame.includes('filter:'), 'the filter cleared');
			assert.ok(cleared.includes('gemini-300'));
			await h.waitForPosition('1/3');

			await h.press('/');
			await h.type('pilot');
			await h.waitFor(frame => frame.includes('/pilot▏') && !frame.includes('gemini-300'), 'filtered by project');
			await h.press('\u007f');
			await h.waitFor('/pilo▏');
			await h.press(KEYS.esc);
			await h.waitFor(frame => frame.includes('gemini-300') && !frame.includes('pilo'), 'Esc while typing clears');

			await filterTo(h, 'no such thing');
			await h.waitFor('Nothing matches "no such thing" (Esc clears the filter)');
			await h.press(KEYS.esc);
			await h.waitFor('claude-29583');
		} finally {
			h.close();
		}
	});

	it('s cycles the sort column (arrow in the header), S reverses', async () => {
		const h = await start();
		try {
			const order = (frame: string) =>
				['claude-29583', 'codex-41200', 'gemini-300']
					.map(id => [id, frame.indexOf(id)] as const)
					.sort((a, b) => a[1] - b[1])
					.map(([id]) => id);
			const header = () => h.frame().split('\n')[1]!;
			await h.waitFor('gemini-300');
			assert.ok(!/[↑↓]/.test(header()), 'no sort column at first');
			await h.press('s');
			await h.waitFor('SESSION↓');
			assert.deepEqual(order(h.frame()), ['claude-29583', 'codex-41200', 'gemini-300']);
			await h.press('S');
			await h.waitFor('SESSION↑');
			assert.deepEqual(order(h.frame()), ['gemini-300', 'codex-41200', 'claude-29583']);
			await h.press('s');
			await h.waitFor('VENDOR↑');
			assert.deepEqual(order(h.frame()), ['gemini-300', 'codex-41200', 'claude-29583']);
			await h.press('S');
			await h.waitFor('VENDOR↓');
			assert.deepEqual(order(h.frame()), ['claude-29583', 'codex-41200', 'gemini-300']);
			for (const title of ['PROJECT↓', 'STATE↓', 'UP↓', 'BEAT↓', 'CL↓', 'LC↓', 'UN↓']) {
				await h.press('s');
				await h.waitFor(title);
			}
			assert.deepEqual(order(h.frame()), ['gemini-300', 'codex-41200', 'claude-29583'], 'unread ascending: 0, 1, 3');
			await h.press('s');
			await h.waitFor(() => !/[↑↓]/.test(header()), 'back to the view order');
			assert.deepEqual(order(h.frame()), ['claude-29583', 'codex-41200', 'gemini-300']);
		} finally {
			h.close();
		}
	});

	it('e shows and hides ended sessions', async () => {
		const h = await start();
		try {
			await h.waitFor('gemini-300');
			assert.ok(!h.frame().includes('old-500'));
			await h.press('e');
			const shown = await h.waitFor('old-500');
			assert.match(shown, /old-500 .* ended/);
			assert.ok(shown.includes('Ended sessions shown'));
			await h.waitForPosition('1/4');
			await h.press('e');
			await h.waitFor(frame => !frame.includes('old-500') && frame.includes('Ended sessions hidden'), 'ended hidden again');
		} finally {
			h.close();
		}
	});
});

describe('App: writing keys', () => {
	it('a acknowledges the selected alert: the row becomes read in the database', async () => {
		const h = await start();
		const {alerts} = await fixtureOf(h);
		try {
			await h.press('4');
			await h.waitFor('project_conflict');
			await h.press('a');
			await h.waitFor(`Acknowledged alert #${alerts.project}`);
			const row = message(h.dbPath, alerts.project);
			assert.equal(row.status, 'read');
			assert.ok(row.read_at, 'read_at is set');
			assert.notEqual(message(h.dbPath, alerts.task).status, 'read');
			await h.waitFor(/project_conflict .* read /);
			assert.equal(h.frame().split('\n')[0]!.includes('4 Alerts 2'), true, 'the badge counts open alerts');
		} finally {
			h.close();
		}
	});

	it('a outside the Alerts view says what to do', async () => {
		const h = await start();
		try {
			await h.press('a');
			await h.waitFor('Select an open alert in the Alerts view');
			await h.press('A');
			await h.waitFor('A acknowledges the alerts of the Alerts view');
		} finally {
			h.close();
		}
	});

	it('A asks, then acknowledges every alert of the filtered view; any other key cancels', async () => {
		const h = await start();
		const {alerts} = await fixtureOf(h);
		try {
			await h.press('4');
			await h.waitFor('budget_exceeded');
			await filterTo(h, 'conflict');
			assert.ok(!h.frame().includes('budget_exceeded'));
			await h.press('A');
			await h.waitFor('Acknowledge 2 alerts matching "conflict"? y confirms, any other key cancels');
			await h.press('n');
			await h.waitFor('Cancelled');
			assert.notEqual(message(h.dbPath, alerts.project).status, 'read');
			await h.press('A');
			await h.waitFor('Acknowledge 2 alerts');
			await h.press('y');
			await h.waitFor('Acknowledged 2 of 2 alerts');
			assert.equal(message(h.dbPath, alerts.project).status, 'read');
			assert.equal(message(h.dbPath, alerts.task).status, 'read');
			assert.ok(message(h.dbPath, alerts.task).read_at);
			assert.notEqual(message(h.dbPath, alerts.budget).status, 'read', 'the alert outside the filter is untouched');
		} finally {
			h.close();
		}
	});

	it('x on a dead session asks, then y releases it: stale, its locks and claims gone, a lifecycle ended event', async () => {
		const h = await start();
		try {
			await h.waitFor('gemini-300');
			await filterTo(h, 'gemini');
			await h.press('x');
			await h.waitFor('Release session gemini-300 (heartbeat expired), its locks and claims? y confirms');
			await h.press('y');
			await h.waitFor('Released session gemini-300');
			withDb(h.dbPath, db => {
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
				assert.match(JSON.parse(event.payload).reason, /heartbeat expired/);
			});
			await h.waitFor(/gemini-300 .* stale /);
		} finally {
			h.close();
		}
	});

	it('x is refused for a live session, and when the session heartbeated since it was shown', async () => {
		const h = await start();
		try {
			await h.waitForPosition('1/3');
			await h.press('x');
			await h.waitFor('claude-29583 is alive: only dead or stale sessions can be released');
			await filterTo(h, 'gemini');
			await h.press('x');
			await h.waitFor('Release session gemini-300');
			writer(h.dbPath, bus => bus.heartbeat('gemini-300', Date.now() - 9 * 60_000));
			await h.press('y');
			await h.waitFor('Not released: session gemini-300 changed since it was shown');
			withDb(h.dbPath, db => {
				assert.equal(db.prepare(`SELECT status FROM session_registry WHERE session_id = 'gemini-300'`).pluck().get(), 'active');
				assert.equal(db.prepare(`SELECT count(*) FROM file_locks WHERE session_id = 'gemini-300'`).pluck().get(), 1);
			});
		} finally {
			h.close();
		}
	});

	it('x releases a single lock or claim held by a dead session; a lock of a live session is refused', async () => {
		const h = await start();
		try {
			await h.press('2');
			await h.waitFor('content/guide.md');
			await filterTo(h, 'session_message');
			await h.press('x');
			await h.waitFor('the holder claude-29583 is alive');
			await h.press(KEYS.esc);
			await filterTo(h, 'guide');
			await h.press('x');
			await h.waitFor('Release lock content/guide.md held by gemini-300?');
			await h.press('y');
			await h.waitFor('Released lock content/guide.md');
			withDb(h.dbPath, db => {
				assert.equal(db.prepare(`SELECT count(*) FROM file_locks WHERE file_path = 'content/guide.md'`).pluck().get(), 0);
				assert.equal(db.prepare(`SELECT count(*) FROM task_claims WHERE session_id = 'gemini-300'`).pluck().get(), 1, 'only the lock');
				assert.equal(
					db.prepare(`SELECT status FROM session_registry WHERE session_id = 'gemini-300'`).pluck().get(),
					'active',
					'the session itself stays',
				);
			});
			await h.press('3');
			await h.waitFor('D.2.1');
			await filterTo(h, 'D.2');
			await h.press('x');
			await h.waitFor('Release claim D.2.1 held by gemini-300?');
			await h.press('y');
			await h.waitFor('Released claim D.2.1');
			withDb(h.dbPath, db => assert.equal(db.prepare(`SELECT count(*) FROM task_claims WHERE session_id = 'gemini-300'`).pluck().get(), 0));
		} finally {
			h.close();
		}
	});

	it('L writes the session-log entry and names the file', async () => {
		const h = await start();
		try {
			await h.press('L');
			await h.waitFor('Log entry appended:');
			const date = new Date().toISOString().slice(0, 10);
			const file = path.join(h.config.logBase, 'PILOT', `SESSION-LOG-${date}.md`);
			assert.ok(fs.existsSync(file), `${file} exists`);
			const text = fs.readFileSync(file, 'utf8');
			assert.ok(text.includes(LOG_HEADING), text.slice(0, 400));
			assert.ok(text.includes(CLAUDE_UUID), 'full UUIDs in the log');
			assert.ok(h.frame().includes(file) || h.frame().includes(`SESSION-LOG-${date}.md`), 'the status bar names the file');
		} finally {
			h.close();
		}
	});

	it('y copies the selected id or path with OSC 52', async () => {
		const h = await start();
		try {
			await h.waitForPosition('1/3');
			assert.equal(await copied(h), CURRENT);
			await h.waitFor(`Copied ${CURRENT}`);
			assert.equal(h.raw.at(-1), `\u001b]52;c;${Buffer.from(CURRENT).toString('base64')}\u0007`);
			await h.press('2');
			await h.waitFor('content/guide.md');
			await h.press('G');
			const path_ = await copied(h);
			assert.ok(['content/guide.md', 'session_message_bus.py'].includes(path_), path_);
		} finally {
			h.close();
		}
	});
});

/** The ids the standard bus gave its rows (read back, so each harness has its own). */
async function fixtureOf(h: Harness): Promise<Fixture> {
	return withDb(h.dbPath, db => {
		const alert = (type: string) => db.prepare(`SELECT id FROM session_messages WHERE message_type = ?`).pluck().get(type) as number;
		return {
			alerts: {project: alert('project_conflict'), task: alert('task_conflict'), budget: alert('budget_exceeded')},
			toCurrent: db.prepare(`SELECT id FROM session_messages WHERE recipient_id = ? ORDER BY id`).pluck().all(CURRENT) as number[],
			toOther: db.prepare(`SELECT id FROM session_messages WHERE recipient_id = 'codex-41200'`).pluck().get() as number,
		};
	});
}

describe('App: live data', () => {
	it('r refreshes now (with a slow poll, a commit shows only after r)', async () => {
		const h = await start({live: {pollMs: 60_000}});
		try {
			writer(h.dbPath, bus => bus.register({sessionId: 'fresh-777', pid: null}));
			await sleep(300);
			assert.ok(!h.frame().includes('fresh-777'));
			await h.press('r');
			await h.waitFor('fresh-777');
			assert.ok(h.frame().includes('Refreshed'));
		} finally {
			h.close();
		}
	});

	it('new commits appear on their own', async () => {
		const h = await start();
		try {
			writer(h.dbPath, bus => bus.register({sessionId: 'fresh-778', pid: null}));
			await h.waitFor('fresh-778', 'a committed session', 1000);
		} finally {
			h.close();
		}
	});

	it('p pauses: nothing new shows until p again', async () => {
		const h = await start();
		try {
			await h.press('p');
			await h.waitFor('PAUSED');
			await h.waitFor('Paused: nothing is read or marked delivered until p');
			writer(h.dbPath, bus => bus.register({sessionId: 'while-paused-1', pid: null}));
			await sleep(400);
			assert.ok(!h.frame().includes('while-paused-1'), 'a paused dashboard does not read');
			await h.press('p');
			await h.waitFor('while-paused-1');
			assert.ok(!h.frame().includes('PAUSED'));
			assert.ok(h.frame().includes('Resumed'));
		} finally {
			h.close();
		}
	});

	it('keeps the selection on the same session when one is inserted before it', async () => {
		const h = await start({config: {sessionId: null}});
		try {
			await h.press('s');
			await h.waitFor('SESSION↓');
			await h.press('G');
			await h.waitForPosition('3/3');
			assert.equal(await copied(h), 'gemini-300');
			writer(h.dbPath, bus => {
				bus.register({sessionId: 'aaa-1', pid: null});
				bus.register({sessionId: 'bbb-2', pid: null});
			});
			await h.press('r');
			await h.waitFor('bbb-2');
			await h.waitForPosition('5/5');
			assert.equal(await copied(h), 'gemini-300');
		} finally {
			h.close();
		}
	});

	it('keeps the selection when the current session registers and takes the first row', async () => {
		const h = await start({config: {sessionId: 'claude-new'}});
		try {
			await h.press('j');
			await h.waitForPosition('2/3');
			const selected = await copied(h);
			writer(h.dbPath, bus => bus.register({sessionId: 'claude-new', hostname: os.hostname(), pid: pids.claude}));
			await h.waitFor('▶ claude-new');
			await h.waitForPosition('3/4');
			assert.equal(await copied(h), selected);
		} finally {
			h.close();
		}
	});

	it('a key pressed the moment a refresh is drawn acts on that frame', async () => {
		// The first frame with data is drawn; the key arrives before ink re-subscribes its input handler.
		let sent = false;
		const h = await start({
			onFrame: (frame, stdin) => {
				if (sent || !frame.includes('gemini-300')) return;
				sent = true;
				queueMicrotask(() => stdin.write('G'));
			},
		});
		try {
			await h.waitForPosition('3/3');
		} finally {
			h.close();
		}
	});

	it('the selection falls back to the same place when its row disappears', async () => {
		const h = await start({config: {sessionId: null}});
		try {
			await h.press('j');
			await h.waitForPosition('2/3');
			assert.equal(await copied(h), 'codex-41200');
			withDb(h.dbPath, db => db.prepare(`DELETE FROM session_registry WHERE session_id = 'codex-41200'`).run());
			await h.waitFor(frame => !/^codex-41200 /m.test(frame), 'codex gone');
			await h.waitForPosition('2/2');
			assert.equal(await copied(h), 'gemini-300');
		} finally {
			h.close();
		}
	});
});

describe('App: delivery', () => {
	it('alerts shown in the Alerts view become delivered; not before', async () => {
		const h = await start();
		const {alerts} = await fixtureOf(h);
		try {
			await sleep(200);
			assert.equal(message(h.dbPath, alerts.project).status, 'pending', 'the Sessions view shows no alert');
			await h.press('4');
			await h.waitFor('project_conflict');
			for (const id of Object.values(alerts)) {
				const deadline = Date.now() + 2000;
				while (message(h.dbPath, id).status !== 'delivered' && Date.now() < deadline) await sleep(20);
				const row = message(h.dbPath, id);
				assert.equal(row.status, 'delivered', `alert ${id}`);
				assert.ok(row.delivered_at);
				assert.equal(row.read_at, null);
			}
			await h.waitFor(/project_conflict .* delivered /);
		} finally {
			h.close();
		}
	});

	it("the Unread view delivers the current session's messages only", async () => {
		const h = await start();
		const {toCurrent, toOther} = await fixtureOf(h);
		try {
			await h.press('5');
			await h.waitFor('Are you touching');
			const deadline = Date.now() + 2000;
			while (toCurrent.some(id => message(h.dbPath, id).status !== 'delivered') && Date.now() < deadline) await sleep(20);
			for (const id of toCurrent) assert.equal(message(h.dbPath, id).status, 'delivered', `message ${id} to the current session`);
			await sleep(200);
			assert.equal(message(h.dbPath, toOther).status, 'pending', "another agent's mail stays pending");
			assert.equal(message(h.dbPath, toOther).delivered_at, null);
		} finally {
			h.close();
		}
	});

	it('nothing is marked delivered while paused', async () => {
		const h = await start();
		const {alerts, toCurrent} = await fixtureOf(h);
		try {
			await h.press('p');
			await h.waitFor('PAUSED');
			await h.press('4');
			await h.waitFor('project_conflict');
			await h.press('5');
			await h.waitFor('note 0');
			await sleep(300);
			for (const id of [...Object.values(alerts), ...toCurrent])
				assert.equal(message(h.dbPath, id).status, 'pending', `message ${id} while paused`);
			await h.press('p');
			await h.waitFor('Resumed');
			const deadline = Date.now() + 2000;
			while (message(h.dbPath, toCurrent[0]!).status !== 'delivered' && Date.now() < deadline) await sleep(20);
			assert.equal(message(h.dbPath, toCurrent[0]!).status, 'delivered', 'shown again after resuming: delivered');
		} finally {
			h.close();
		}
	});
});

describe('App: read-only', () => {
	it('refuses a, A and x with a message and leaves the database unchanged', async () => {
		const h = await start({config: {readOnly: true}});
		try {
			const before = dump(h.dbPath);
			await h.waitFor('read-only');
			await h.press('4');
			await h.waitFor('project_conflict');
			await h.press('a');
			await h.waitFor('Read-only: "acknowledge the selected alert" would write');
			await h.press('A');
			await h.waitFor('Read-only: "acknowledge every alert in this view');
			assert.ok(!h.frame().includes('y confirms'), 'no confirmation is asked');
			await h.press('1');
			await filterTo(h, 'gemini');
			await h.press('x');
			await h.waitFor('Read-only: "release a dead or stale session');
			await h.press('5');
			await h.waitFor('note 0');
			await h.press('L');
			await h.waitFor('Log entry appended:');
			await sleep(200);
			assert.deepEqual(dump(h.dbPath), before, 'not one row changed (nothing delivered either)');
		} finally {
			h.close();
		}
	});
});

describe('App: help and quit', () => {
	it('? lists every key of the keymap (scrolling when the terminal is short); Esc closes', async () => {
		for (const rows of [60, 24]) {
			const h = await start({rows, columns: 80});
			try {
				await h.press('?');
				await h.waitFor('Keys');
				const seen = new Set<string>();
				let last = '';
				for (let step = 0; step < 60; step++) {
					const frame = h.frame();
					for (const binding of KEYMAP) if (frame.includes(binding.description)) seen.add(binding.description);
					if (frame === last && step > 0) break;
					last = frame;
					await h.press('j');
				}
				const missing = KEYMAP.map(binding => binding.description).filter(text => !seen.has(text));
				assert.deepEqual(missing, [], `at ${rows} rows the help shows every key`);
				await h.press(KEYS.esc);
				await h.waitFor('SESSION');
			} finally {
				h.close();
			}
		}
	});

	it('q quits: the app exits and the live loop stops', async () => {
		const h = await start();
		await h.press('q');
		const deadline = Date.now() + 2000;
		while (!h.stopped() && Date.now() < deadline) await sleep(10);
		assert.ok(h.stopped(), 'unmounted: the live bus was stopped');
		const frames = h.frames.length;
		await h.press('j', '4');
		assert.equal(h.frames.length, frames, 'nothing renders after quitting');
	});

	it('Ctrl-C quits too', async () => {
		const h = await start();
		await h.press(KEYS.ctrlC);
		const deadline = Date.now() + 2000;
		while (!h.stopped() && Date.now() < deadline) await sleep(10);
		assert.ok(h.stopped());
	});
});

describe('App: sizes', () => {
	function checkFrame(frame: string, columns: number, rows: number, what: string): void {
		const lines = frame.split('\n');
		assert.ok(lines.length <= rows - 1, `${what}: ${lines.length} lines in a ${rows}-row terminal:\n${frame}`);
		for (const line of lines) {
			const width = stringWidth(stripVTControlCharacters(line));
			assert.ok(width <= columns, `${what}: a line ${width} cells wide in ${columns} columns: ${JSON.stringify(line)}`);
		}
	}

	for (const [columns, rows] of [
		[40, 20],
		[80, 24],
		[100, 30],
		[40, 10],
	] as const) {
		it(`fits ${columns}x${rows}: every tab, detail, filter, help and prompt`, async () => {
			const h = await start({columns, rows});
			try {
				await h.waitFor('claude-29583');
				for (const key of ['1', '2', '3', '4', '5', '6', '7']) {
					await h.press(key);
					await h.waitFor(HEADERS[key]!.slice(0, 4), `tab ${key}`);
					checkFrame(h.frame(), columns, rows, `tab ${key}`);
					if (key !== '7') {
						await h.press(KEYS.enter);
						await h.waitFor('Detail');
						checkFrame(h.frame(), columns, rows, `detail of tab ${key}`);
						await h.press(KEYS.esc);
					}
				}
				await h.press('1', '/');
				await h.type('c');
				await h.waitFor('/c▏');
				checkFrame(h.frame(), columns, rows, 'filter');
				await h.press(KEYS.enter, 'G', 'L');
				await h.waitFor('Log entry');
				checkFrame(h.frame(), columns, rows, 'a long message');
				await h.press('4', 'A');
				await h.waitFor('y confirms');
				checkFrame(h.frame(), columns, rows, 'a prompt');
				await h.press('n', '?');
				await h.waitFor('Keys');
				checkFrame(h.frame(), columns, rows, 'help');
				await h.press('q');
			} finally {
				h.close();
			}
		});
	}

	it('at 40 columns the tab bar shows the active tab, whichever it is', async () => {
		const h = await start({columns: 40, rows: 20});
		try {
			const short = ['Ses', 'Lck', 'Clm', 'Alr', 'Unr', 'Lfc', 'Sta'];
			for (const [index, name] of short.entries()) {
				await h.press(String(index + 1));
				await h.waitFor(HEADERS[String(index + 1)]!.slice(0, 4));
				assert.ok(h.frame().split('\n')[0]!.includes(name), `tab ${name} in the bar: ${h.frame().split('\n')[0]}`);
			}
		} finally {
			h.close();
		}
	});

	it('at 40 columns keeps only the compact columns', async () => {
		const h = await start({columns: 40, rows: 20});
		try {
			const frame = await h.waitFor('claude-29583');
			assert.ok(!frame.includes('VENDOR'));
			assert.match(frame, /SESSION +STATE +BEAT/);
		} finally {
			h.close();
		}
	});

	for (const [columns, rows] of [
		[30, 8],
		[39, 20],
		[60, 9],
	] as const) {
		it(`says "Terminal too small" at ${columns}x${rows}, and q still quits`, async () => {
			const h = await start({columns, rows, ready: 'Terminal too small'});
			try {
				const frame = h.frame();
				assert.equal(frame.split('\n').length, 1);
				assert.ok(stringWidth(frame) <= columns);
				await h.press('q');
				const deadline = Date.now() + 2000;
				while (!h.stopped() && Date.now() < deadline) await sleep(10);
				assert.ok(h.stopped());
			} finally {
				h.close();
			}
		});
	}
});

describe('App: hostile text', () => {
	const EVIL_ID = 'evil-\u001b]0;pwned\u0007-\u009b2J-\u202eexe';
	const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

	it('never lets escape sequences, C1 controls or bidi overrides from the bus reach the frame', async () => {
		const h = await start({
			config: {sessionId: EVIL_ID},
			setup: dbPath =>
				writer(dbPath, bus => {
					bus.register({
						sessionId: EVIL_ID,
						sessionUuid: 'u\u001b[2J',
						hostname: os.hostname(),
						vendor: 'claude\u001b[31m',
						model: 'm\u009b1m',
						projectId: 'P\u202eX',
						tty: '/dev/\u001b[H',
						cwd: '/tmp/\u001bP+q\u001b\\x',
						pid: pids.claude,
						metadata: {note: '\u001b]52;c;AAAA\u0007'},
					});
					bus.lock('file\u001b[8m.py', EVIL_ID);
					bus.claim('T\u009b2J', EVIL_ID);
					bus.alert({
						type: 'file_conflict\u001b[5m',
						priority: 3,
						sessions: [EVIL_ID, 'x\u202ey'],
						filePath: '/a/\u001b]8;;http://evil\u0007b',
						action: 'do \u009b31m it',
					});
					bus.send({
						senderId: 'x\u001b[1m',
						recipientId: EVIL_ID,
						channel: 'c\u202e',
						payload: {text: 'hi \u001b[2J\u001b[H there \u009b \u202e'},
					});
					bus.send({senderId: 'y', recipientId: EVIL_ID, channel: 'raw', rawPayload: 'not json \u001b[31m\u0085\u202e'});
				}),
		});
		try {
			await h.waitFor('evil-');
			const visits: string[][] = [['1'], ['2'], ['3'], ['4'], ['5'], ['6'], ['7']];
			for (const [key] of visits) {
				await h.press(key!);
				await h.waitFor(HEADERS[key!]!, `tab ${key}`);
				if (key !== '7') {
					await h.press(KEYS.enter);
					await h.waitFor('Detail');
					await h.press('G', 'j', 'j');
					await h.press(KEYS.esc);
				}
			}
			await h.press('1', 'L');
			await h.waitFor('Log entry');
			for (const [index, frame] of h.frames.entries()) {
				const text = plain(frame);
				const found = RAW.exec(text.replace(/\n/g, ''));
				assert.equal(found, null, `frame ${index} holds a raw ${JSON.stringify(found?.[0])}:\n${text}`);
			}
			await h.press('1');
			assert.ok((await h.waitFor('evil-')).includes('\\x1b]0;pwned\\x07'), 'shown as a visible escape');
			await h.press(KEYS.enter);
			const detail = await h.waitFor('Session UUID');
			assert.ok(detail.includes('u\\x1b[2J'));
			assert.ok(detail.includes('P\\u202eX'));
		} finally {
			h.close();
		}
	});
});
