import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {detectEvents, eventEnvironment, eventJson} from '../source/monitor/notify-events.js';
import {type NotifyReport, Notifications, commandNotifier} from '../source/monitor/notify.js';
import type {NotifyEvent} from '../source/monitor/notify-events.js';
import {NotifierProcesses} from '../source/processes/notifier.js';
import {applyConfigFile, defaultConfig, parseFlags} from '../source/settings.js';
import {tempDir, withWriter} from './helpers/fixtures.js';
import {quote} from './helpers/tmux.js';
import {RECORDER, addHostileAlert, hostileEvent, hostileText, readingOf, recorded, shellRecorder} from './helpers/notify.js';

/**
 * Notifications: what is news (pure), at most one per kind per gap with the rest
 * coalesced, nothing from a first reading (at start, or a remote's after a reconnect),
 * and the notifier process: killed with its group when it hangs, EPIPE ignored, reported,
 * never waited for; the hostile event through --notify and the config file's argv.
 */

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** Whether a process has ended (gone, or a zombie waiting for its new parent to reap it), within two seconds. */
async function ended(pid: number): Promise<boolean> {
	const deadline = Date.now() + 2000;
	for (;;) {
		const state = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], {encoding: 'utf8'}).stdout.trim();
		if (state === '' || state.startsWith('Z')) return true;
		if (Date.now() > deadline) return false;
		await sleep(20);
	}
}

function bus(): string {
	const dbPath = path.join(tempDir(), 'messaging.db');
	withWriter(dbPath, writer => {
		writer.register({sessionId: 'holder', hostname: 'h', pid: 11, announce: false});
		writer.register({sessionId: 'idle', hostname: 'h', pid: 12, announce: false});
		writer.register({sessionId: 'gone-early', hostname: 'h', pid: 13, announce: false});
		writer.register({sessionId: 'far', hostname: 'h', pid: 14, announce: false});
		writer.lock('a.py', 'holder');
		writer.claim('T.1', 'gone-early');
		writer.claim('T.2', 'far');
		writer.alert({type: 'project_conflict', priority: 3, sessions: ['holder', 'idle'], projectId: 'P'});
	});
	return dbPath;
}

function alert(dbPath: string, type: string, priority = 3): number {
	return withWriter(dbPath, writer => writer.alert({type, priority, sessions: ['holder', 'idle'], taskId: 'T.9', action: 'Talk'}));
}

describe('notify: what is news', () => {
	it('nothing from a first reading; then new critical alerts and sessions turning dead or stale while holding', () => {
		const dbPath = bus();
		const first = detectEvents(null, readingOf(dbPath, {'gone-early': 'dead'}).analysis, 'm1');
		assert.deepEqual(first.items, [], 'the critical alert and the dead holder there at start are not news');
		assert.deepEqual(detectEvents(first.known, readingOf(dbPath, {'gone-early': 'dead'}).analysis, 'm1').items, []);

		alert(dbPath, 'task_conflict');
		alert(dbPath, 'cwd_overlap', 2);
		withWriter(dbPath, writer => writer.heartbeat('far', Date.now() - 10 * MINUTE));
		const next = detectEvents(
			first.known,
			readingOf(dbPath, {'gone-early': 'dead', holder: 'dead', idle: 'dead', far: 'remote'}).analysis,
			'm1',
		);
		assert.deepEqual(
			next.items.map(item => [item.kind, item.title, item.sessions, item.machine, item.priority]),
			[
				['critical-alert', 'Critical alert: task_conflict', ['holder', 'idle'], 'm1', 'critical'],
				['session-down', 'Session holder died holding 1 lock', ['holder'], 'm1', 'high'],
				['session-down', 'Session far went stale holding 1 claim', ['far'], 'm1', 'high'],
			],
		);
		assert.equal(next.items[0].body, 'Task conflict: holder + idle on T.9\nTalk');
		assert.equal(next.items[1].body, 'Locks: a.py\nProject: (not set)');
	});
});

describe('notify: at most one per kind per gap, the rest coalesced', () => {
	it('sends the first at once, gathers what follows into one when the gap is up; kinds apart; a reconnect is a first reading', async () => {
		const dbPath = bus();
		const events: NotifyEvent[] = [];
		const notifications = new Notifications({gapMs: 400, machine: 'here'}).add({notify: event => events.push(event)});
		try {
			notifications.observe(readingOf(dbPath), {first: true});
			alert(dbPath, 'task_conflict');
			notifications.observe(readingOf(dbPath), {first: false});
			assert.deepEqual(
				events.map(event => [event.kind, event.title, event.count]),
				[['critical-alert', 'Critical alert: task_conflict', 1]],
			);
			alert(dbPath, 'file_conflict');
			notifications.observe(readingOf(dbPath), {first: false});
			alert(dbPath, 'cwd_overlap');
			notifications.observe(readingOf(dbPath, {holder: 'dead'}), {first: false});
			assert.deepEqual(
				events.map(event => [event.kind, event.count]),
				[
					['critical-alert', 1],
					['session-down', 1],
				],
				'held back within the gap; another kind goes at once',
			);
			await sleep(600);
			assert.equal(events.length, 3);
			assert.deepEqual([events[2].title, events[2].count, events[2].sessions], ['2 new critical alerts', 2, ['holder', 'idle']]);
			assert.equal(events[2].body, 'Critical alert: file_conflict\nCritical alert: cwd_overlap');

			// Another machine: its first reading is news to no one, nor is its first after a reconnect.
			notifications.observe(readingOf(dbPath), {first: true, machine: 'build'});
			alert(dbPath, 'task_conflict');
			notifications.observe(readingOf(dbPath), {first: true, machine: 'build'});
			await sleep(500);
			assert.equal(events.length, 3, 'nothing from first readings');
			alert(dbPath, 'task_conflict');
			notifications.observe(readingOf(dbPath), {first: false, machine: 'build'});
			assert.deepEqual([events.length, events[3].machine], [4, 'build']);
		} finally {
			notifications.stop();
		}
	});
});

describe('notify: the notifier process', () => {
	it('a notifier that hangs is killed with its process group after the timeout, reported, and never waited for', async () => {
		const dir = tempDir();
		const pidFile = path.join(dir, 'child.pid');
		const processes = new NotifierProcesses({timeoutMs: 400});
		const started = Date.now();
		const outcome = await processes.run({shell: `echo started; sleep 30 & echo $! > '${pidFile}'; wait`}, {env: {}, stdin: '{}'});
		assert.equal(outcome.status, 'killed');
		assert.ok(Date.now() - started < 3000);
		assert.match(outcome.status === 'killed' ? outcome.output : '', /started/, 'its output captured');
		const child = Number(fs.readFileSync(pidFile, 'utf8'));
		assert.ok(await ended(child), 'the group was killed: its background child too');

		const dbPath = bus();
		const reports: NotifyReport[] = [];
		const notifications = new Notifications({machine: 'here'});
		notifications.add(commandNotifier({shell: 'sleep 30'}, report => reports.push(report), new NotifierProcesses({timeoutMs: 300})));
		try {
			notifications.observe(readingOf(dbPath), {first: true});
			alert(dbPath, 'task_conflict');
			notifications.observe(readingOf(dbPath), {first: false});
			// Had observe waited for the notifier, it would have been killed and reported by now.
			assert.deepEqual(reports, [], 'observe does not wait for the notifier');
			const deadline = Date.now() + 3000;
			while (reports.length === 0 && Date.now() < deadline) await sleep(20);
			assert.deepEqual(reports, [{text: 'Notifier killed after 0.3 s: it did not finish', tone: 'bad'}]);
		} finally {
			notifications.stop();
		}
	});

	it('ignores EPIPE from a notifier that closes its stdin, and says when one fails or cannot start', async () => {
		const processes = new NotifierProcesses();
		const early = await processes.run({shell: 'exec 0<&-; exit 0'}, {env: {}, stdin: 'x'.repeat(8 << 20)});
		assert.deepEqual(early, {status: 'done', code: 0, signal: null, output: ''});
		const failed = await processes.run({shell: 'echo oops >&2; exit 3'}, {env: {}, stdin: ''});
		assert.deepEqual(failed, {status: 'done', code: 3, signal: null, output: 'oops\n'});
		const missing = await processes.run({argv: ['/nonexistent/notifier']}, {env: {}, stdin: ''});
		assert.equal(missing.status, 'not-started');

		const reports: NotifyReport[] = [];
		const dbPath = bus();
		const notifications = new Notifications().add(commandNotifier({argv: ['/nonexistent/notifier']}, report => reports.push(report)));
		notifications.observe(readingOf(dbPath), {first: true});
		alert(dbPath, 'task_conflict');
		notifications.observe(readingOf(dbPath), {first: false});
		const deadline = Date.now() + 3000;
		while (reports.length === 0 && Date.now() < deadline) await sleep(20);
		notifications.stop();
		assert.match(reports[0]?.text ?? '', /^Notifier could not start: spawn \/nonexistent\/notifier ENOENT/);
	});
});

describe('notify: the settings', () => {
	it('--notify is shell text; the config file takes a list (argv) or text; anything else is refused with the key', () => {
		assert.deepEqual(parseFlags(['--notify', 'notify-send "$SESSION_STATUS_TITLE"']).flags.notify, {
			shell: 'notify-send "$SESSION_STATUS_TITLE"',
		});
		const dir = tempDir();
		const file = (value: unknown) => {
			const name = path.join(dir, `config-${Math.random()}.json`);
			fs.writeFileSync(name, JSON.stringify({notify: value}));
			return name;
		};
		const config = defaultConfig({});
		assert.deepEqual(applyConfigFile(config, file(['/bin/notifier', '--quiet']), {required: true}), []);
		assert.deepEqual(config.notify, {argv: ['/bin/notifier', '--quiet']});
		for (const bad of [[], [1], [''], 5]) {
			const warnings = applyConfigFile(defaultConfig({}), file(bad), {required: true});
			assert.equal(warnings.length, 1, JSON.stringify(bad));
			assert.match(warnings[0], /key "notify" must be a shell command, or \(in the config file\) a list of a program and its arguments/);
		}
	});
});

describe('notify: a hostile event through --notify and the config file', () => {
	it('reaches a shell command and an argv notifier as data only: nothing runs, every text arrives whole', async () => {
		const dir = tempDir();
		const file = path.join(dir, 'FILE');
		const shellOut = fs.mkdtempSync(path.join(dir, 'shell-'));
		const argvOut = fs.mkdtempSync(path.join(dir, 'argv-'));
		const shell = {shell: shellRecorder(shellOut, quote)};
		const argv = {argv: [process.execPath, '-e', RECORDER, argvOut]};
		const dbPath = path.join(dir, 'messaging.db');
		withWriter(dbPath, () => {});
		const events: NotifyEvent[] = [];
		const notifications = new Notifications({machine: 'this-machine'})
			.add({notify: event => events.push(event)})
			.add(commandNotifier(shell, () => {}))
			.add(commandNotifier(argv, () => {}));
		try {
			notifications.observe(readingOf(dbPath), {first: true});
			addHostileAlert(dbPath, file);
			notifications.observe(readingOf(dbPath), {first: false});
			const [event] = events;
			assert.equal(event.title, `Critical alert: file_conflict;touch ${file}`);
			assert.ok(event.body.includes(`$(touch ${file}) \`touch ${file}\`; touch ${file}; #(touch ${file})`), event.body);
			assert.ok(event.body.includes('\\x0asecond line'), 'a newline from the bus arrives escaped');
			for (const out of [shellOut, argvOut]) {
				const got = await recorded(out);
				const env = eventEnvironment(event);
				for (const name of ['EVENT', 'TITLE', 'BODY', 'SESSION', 'MACHINE', 'PRIORITY'])
					assert.equal(got[name], env[`SESSION_STATUS_${name}`], `${out}: ${name}`);
				assert.equal(got['stdin.json'], eventJson(event));
			}
			await sleep(200);
			assert.ok(!fs.existsSync(file), 'FILE was never created');
			assert.ok(hostileText(file).includes('#(touch'));
		} finally {
			notifications.stop();
		}
		assert.equal(hostileEvent(dir, file).title, events[0].title, 'the helper builds the same event');
	});
});
