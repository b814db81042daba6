import {after, afterEach} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import type {ChildProcess} from 'node:child_process';
import {render} from 'ink-testing-library';
import {App} from '../../source/ui/app.js';
import {LocalMachine, localFleet} from '../../source/fleet/local.js';
import type {Fleet} from '../../source/fleet/fleet.js';
import {KEYMAP} from '../../source/ui/keymap.js';
import {type LiveOptions, liveBusFor} from '../../source/monitor/live.js';
import type {Notifications} from '../../source/monitor/notify.js';
import {type Config, defaultConfig} from '../../source/settings.js';
import {deadPid, documentedExample, liveProcess, tempDir} from './fixtures.js';
import {withDb} from './cli.js';

/**
 * Drives the real App with ink-testing-library on a real LiveBus over a real
 * temporary database: one key per write, then polls the frame until what the
 * key should have done is on screen. Sizes come from props (the fake stdout has
 * no rows).
 *
 * This is the one place that knows how the App is built and rendered; tests
 * speak to a Dashboard. Importing it registers hooks on the test file: every
 * dashboard still open is closed after each test, the helper processes after
 * the last.
 */

export const KEYS = {
	down: '\u001b[B',
	up: '\u001b[A',
	enter: '\r',
	esc: '\u001b',
	tab: '\t',
	shiftTab: '\u001b[Z',
	pageDown: '\u001b[6~',
	pageUp: '\u001b[5~',
	backspace: '\u007f',
	ctrlC: '\u0003',
};

export const CURRENT = 'claude-29583';
export const CLAUDE_UUID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
export const CODEX_CWD = '/Users/halcasteel/PROJECTS/coditect-rollout-master/submodules/core/coditect-core';
export const LOG_HEADING = '[H.0] Cross-LLM Session Dashboard Status';

/** A text each tab shows once it is open, by its number key. */
export const TAB_HEADERS: Record<string, string> = {
	'1': 'SESSION',
	'2': 'FILE',
	'3': 'TASK',
	'4': 'TYPE',
	'5': 'MESSAGE',
	'6': 'EVENT',
	'7': 'Bus Statistics',
};

/** What the help must list: the description of every key binding. */
export const KEY_DESCRIPTIONS: readonly string[] = KEYMAP.map(binding => binding.description);

export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

// ---- processes -------------------------------------------------------------------

/** The PIDs the fixtures give their sessions: two live processes and one that has exited. */
export type Pids = {claude: number; codex: number; dead: number};

const children: ChildProcess[] = [];
let started: Promise<Pids> | null = null;

/** Starts the helper processes on first use; the same ones for the whole file. */
export function fixturePids(): Promise<Pids> {
	started ??= (async () => {
		children.push(liveProcess(), liveProcess());
		return {claude: children[0].pid!, codex: children[1].pid!, dead: await deadPid()};
	})();
	return started;
}

after(() => {
	for (const child of children) child.kill('SIGKILL');
});

// ---- the standard bus ------------------------------------------------------------

/**
 * The documentation's two live sessions (claude current, codex), plus a dead
 * session whose heartbeat is 10 minutes old holding a lock and a claim, an ended
 * session, three alerts, mail to the current session and to another one.
 */
export function standardBus(dbPath: string, pids: Pids): void {
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
		pid: pids.dead,
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
	bus.alert({
		type: 'task_conflict',
		priority: 2,
		sessions: [CURRENT, 'codex-41200'],
		taskId: 'H.13.7',
		action: 'One session should release the task',
	});
	bus.alert({
		type: 'budget_exceeded',
		priority: 1,
		sessions: ['gemini-300'],
		projectId: 'DOCS',
		action: 'Review token spend',
	});
	bus.send({
		senderId: CURRENT,
		recipientId: 'codex-41200',
		channel: 'coordination',
		payload: {text: 'Are you touching ADR-173.md?'},
	});
	bus.close();
}

/** The ids of the standard bus's messages. */
export type StandardIds = {alerts: {project: number; task: number; budget: number}; toCurrent: number[]; toOther: number};

/** The ids the standard bus gave its messages, read back from its database. */
export function standardIds(dbPath: string): StandardIds {
	return withDb(dbPath, db => {
		const alert = (type: string) => db.prepare(`SELECT id FROM session_messages WHERE message_type = ?`).pluck().get(type) as number;
		return {
			alerts: {project: alert('project_conflict'), task: alert('task_conflict'), budget: alert('budget_exceeded')},
			toCurrent: db.prepare(`SELECT id FROM session_messages WHERE recipient_id = ? ORDER BY id`).pluck().all(CURRENT) as number[],
			toOther: db.prepare(`SELECT id FROM session_messages WHERE recipient_id = 'codex-41200'`).pluck().get() as number,
		};
	});
}

// ---- database inspection ---------------------------------------------------------

export type MessageState = {status: string; delivered_at: string | null; read_at: string | null};

/** A message's delivery state as the database holds it now. */
export function messageState(dbPath: string, id: number): MessageState {
	return withDb(
		dbPath,
		db => db.prepare(`SELECT status, delivered_at, read_at FROM session_messages WHERE id = ?`).get(id) as MessageState,
	);
}

/** Waits (up to `timeoutMs`) until every message has `status`; returns either way, for the caller to assert. */
export async function untilStatus(dbPath: string, ids: number[], status: string, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (ids.some(id => messageState(dbPath, id).status !== status) && Date.now() < deadline) await sleep(20);
}

// ---- the dashboard ---------------------------------------------------------------

export type DashboardOptions = {
	columns?: number;
	rows?: number;
	config?: Partial<Config>;
	live?: Partial<LiveOptions>;
	/** Builds the database; the standard bus when omitted. */
	setup?: (dbPath: string, pids: Pids) => void;
	/** Wait for this before returning (default: the first reading). */
	ready?: string | RegExp;
	/** Called with each frame as it is written, and a way to send keys at that moment (installed before the first reading). */
	onFrame?: (frame: string, send: (data: string) => void) => void;
	/** The dashboard's environment (default: this one without $TMUX, so `o` is outside tmux). */
	environment?: NodeJS.ProcessEnv;
	notifications?: Notifications;
	/** Builds the fleet around this dashboard's own bus (default: that bus alone, as the dashboard runs without remotes). */
	fleet?: (local: LocalMachine, context: {dir: string; config: Config; pids: Pids}) => Fleet;
};

export type Dashboard = {
	fleet: Fleet;
	dir: string;
	dbPath: string;
	config: Config;
	/** What the App wrote outside its frame (the bell, OSC 52), in order. */
	raw: string[];
	/** The last frame, colour codes removed. */
	frame: () => string;
	/** Every frame drawn so far, colour codes removed. */
	frames: () => string[];
	/** The first line of the frame. */
	tabBar: () => string;
	/** Sends keys one at a time, leaving each a moment to act. */
	press: (...keys: string[]) => Promise<void>;
	/** Types text one character at a time. */
	type: (text: string) => Promise<void>;
	/** Polls the frame until it holds `expected`; fails showing the frame after `timeoutMs`. */
	waitFor: (expected: string | RegExp | ((frame: string) => boolean), what?: string, timeoutMs?: number) => Promise<string>;
	/** The `n/m` position of the selection in the status bar (null when none is shown). */
	position: () => string | null;
	waitForPosition: (position: string) => Promise<string>;
	/** Filters the view to `text` and keeps the filter, selecting the first row holding it. */
	filterTo: (text: string) => Promise<void>;
	/** Presses y and returns the text it put on the clipboard (decoded from OSC 52). */
	copy: () => Promise<string>;
	/** Fails unless the App quits (its live loop stops) within two seconds. */
	waitForQuit: () => Promise<void>;
	/** Unmounts the App and stops its live loop; safe to call twice. */
	close: () => void;
};

/** Colour codes ink may add when colour is forced; everything else must never appear. */
const SGR = /\u001b\[[0-9;]*m/g;

function plain(frame: string | undefined): string {
	return (frame ?? '').replace(SGR, '');
}

const open: Dashboard[] = [];

afterEach(() => {
	for (const dashboard of open.splice(0)) dashboard.close();
});

/**
 * Builds a database in a fresh folder, renders the App on a LiveBus over it
 * (polling every 20 ms) and waits for the first reading.
 */
export async function openDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
	const dir = tempDir('session-status-app-');
	const dbPath = path.join(dir, 'messaging.db');
	const pids = await fixturePids();
	(options.setup ?? standardBus)(dbPath, pids);
	const config: Config = {...defaultConfig({}, dir), dbPath, logBase: path.join(dir, 'logs'), sessionId: CURRENT, ...options.config};
	const live = liveBusFor(config, {pollMs: 20, coalesceMs: 20, ...options.live});
	let stopped = false;
	const stop = live.stop.bind(live);
	live.stop = () => {
		stopped = true;
		stop();
	};
	const fleet = options.fleet
		? options.fleet(new LocalMachine(live, config.readOnly), {dir, config, pids})
		: localFleet(live, config.readOnly);
	const raw: string[] = [];
	const {TMUX: _tmux, TMUX_PANE: _pane, ...outsideTmux} = process.env;
	const rendered = render(
		<App
			fleet={fleet}
			config={config}
			columns={options.columns ?? 100}
			rows={options.rows ?? 30}
			writeRaw={data => raw.push(data)}
			environment={options.environment ?? outsideTmux}
			notifications={options.notifications}
		/>,
	);
	const send = (data: string) => rendered.stdin.write(data);
	if (options.onFrame) {
		const write = rendered.stdout.write;
		rendered.stdout.write = (frame: string) => {
			write(frame);
			options.onFrame!(frame, send);
		};
	}
	const frame = () => plain(rendered.lastFrame());
	const waitFor: Dashboard['waitFor'] = async (expected, what, timeoutMs = 4000) => {
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
		return match ? match[1] : null;
	};
	const press = async (...keys: string[]) => {
		for (const key of keys) {
			send(key);
			await sleep(50);
		}
	};
	const type = async (text: string) => {
		for (const char of text) {
			send(char);
			await sleep(30);
		}
	};
	let closed = false;
	const dashboard: Dashboard = {
		fleet,
		dir,
		dbPath,
		config,
		raw,
		frame,
		frames: () => rendered.frames.map(plain),
		tabBar: () => frame().split('\n')[0],
		press,
		type,
		waitFor,
		position,
		waitForPosition: expected => waitFor(() => position() === expected, `selected position ${expected} (now ${position()})`),
		filterTo: async text => {
			await press('/');
			await waitFor('Enter keeps, Esc clears');
			await type(text);
			await press(KEYS.enter);
			await waitFor(`filter: ${text}`);
		},
		copy: async () => {
			const before = raw.length;
			await press('y');
			const deadline = Date.now() + 2000;
			while (raw.length === before) {
				if (Date.now() > deadline) assert.fail('y wrote nothing');
				await sleep(10);
			}
			const match = /^\u001b\]52;c;([A-Za-z0-9+/=]*)\u0007$/.exec(raw[raw.length - 1]);
			assert.ok(match, `an OSC 52 sequence: ${JSON.stringify(raw[raw.length - 1])}`);
			return Buffer.from(match[1], 'base64').toString('utf8');
		},
		waitForQuit: async () => {
			const deadline = Date.now() + 2000;
			while (!stopped && Date.now() < deadline) await sleep(10);
			assert.ok(stopped, 'unmounted: the live bus was stopped');
		},
		close: () => {
			if (closed) return;
			closed = true;
			rendered.unmount();
			fleet.stop();
		},
	};
	open.push(dashboard);
	// The first reading is in when the tab bar has its count badges.
	await waitFor(options.ready ?? /^ 1(?: Sessions |Ses[·!]|[·!])\d/, 'the first reading');
	return dashboard;
}
