import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {after, describe, test} from 'node:test';
import Database from 'better-sqlite3';
import {LineSplitter, MAX_LINE_BYTES} from '../source/fleet/protocol.js';
import {remotesFor} from '../source/fleet/connect.js';
import {RemoteMachine} from '../source/fleet/remote.js';
import {Notifications} from '../source/monitor/notify.js';
import type {NotifyEvent} from '../source/monitor/notify-events.js';
import {toJsonDocument} from '../source/report/json.js';
import {printedMachine} from '../source/report/machines.js';
import {buildTabs} from '../source/ui/tabs/index.js';
import {runServe} from '../source/fleet/serve.js';
import {defaultConfig} from '../source/settings.js';
import {BusWriter} from '../source/bus/writer.js';
import {requireBuiltCli} from './helpers/cli.js';
import {MACHINE, deadPid, documentedExample, liveProcess, tempDir, until} from './helpers/fixtures.js';
import {commandConnector, serveArgv} from './helpers/serve.js';

requireBuiltCli();

const dir = tempDir('fleet-serve-');
const children: Array<{kill: () => unknown}> = [];
const remotes: RemoteMachine[] = [];
after(() => {
	for (const remote of remotes) remote.stop();
	for (const child of children) child.kill();
	fs.rmSync(dir, {recursive: true, force: true});
});

let buses = 0;
function newBus(): {dbPath: string; bus: BusWriter} {
	const dbPath = path.join(dir, `bus-${++buses}.db`);
	const alive = liveProcess();
	children.push(alive);
	const bus = documentedExample(dbPath, {claude: alive.pid!, codex: 999_999});
	return {dbPath, bus};
}

/** A serve child with its lines as parsed values, and a way to write requests. */
function serveChild(dbPath: string, ...extra: string[]) {
	const argv = serveArgv(dbPath, ...extra);
	const child = spawn(argv[0], argv.slice(1), {stdio: ['pipe', 'pipe', 'pipe']});
	children.push(child);
	const lines: Array<Record<string, unknown>> = [];
	const waiters: Array<() => void> = [];
	const splitter = new LineSplitter(
		line => {
			lines.push(JSON.parse(line) as Record<string, unknown>);
			for (const wake of waiters.splice(0)) wake();
		},
		() => undefined,
	);
	child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
	const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	return {
		child,
		lines,
		exited,
		send: (value: unknown) => child.stdin.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`),
		async waitFor(match: (line: Record<string, unknown>) => boolean, what: string, ms = 10_000): Promise<Record<string, unknown>> {
			const deadline = Date.now() + ms;
			for (;;) {
				const found = lines.find(match);
				if (found) return found;
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines).slice(0, 2000)}`);
				await new Promise<void>(resolve => {
					waiters.push(resolve);
					setTimeout(resolve, 200);
				});
			}
		},
	};
}

function remoteOn(dbPath: string, ...extra: string[]): RemoteMachine {
	const remote = new RemoteMachine({name: `box-${remotes.length + 1}`, connector: commandConnector(serveArgv(dbPath, ...extra))});
	remotes.push(remote);
	return remote;
}

const statusOf = (dbPath: string, id: number): string => {
	const db = new Database(dbPath, {readonly: true});
	try {
		return (db.prepare('SELECT status FROM session_messages WHERE id = ?').get(id) as {status: string}).status;
	} finally {
		db.close();
	}
};

describe('session-status serve', () => {
	test('says hello first, sends a whole reading once subscribed, then only the table a commit changed', async () => {
		const {dbPath, bus} = newBus();
		const serve = serveChild(dbPath, '--machine-uuid', MACHINE);
		const hello = await serve.waitFor(line => line['type'] === 'hello', 'the hello');
		assert.equal(serve.lines[0], hello, 'the hello is the first line');
		assert.deepEqual(hello['protocol'], {major: 1, minor: 0});
		assert.equal(hello['hostname'], os.hostname());
		assert.equal(hello['database'], path.resolve(dbPath));
		assert.ok((hello['capabilities'] as string[]).includes('acknowledge'));
		assert.equal(serve.lines.length, 1, 'nothing is read before the viewer subscribes');
		serve.send({type: 'subscribe', id: 1});
		const full = await serve.waitFor(line => line['type'] === 'reading', 'the whole reading');
		assert.equal(full['full'], true);
		const tables = full['tables'] as Record<string, {put: Array<{sessionId?: string}>}>;
		assert.deepEqual(tables['sessions'].put.map(row => row.sessionId).sort(), ['claude-29583', 'codex-41200']);
		const count = serve.lines.length;
		bus.lock('another/file.ts', 'codex-41200');
		const change = await serve.waitFor(
			(line, index = serve.lines.indexOf(line)) => index >= count && line['type'] === 'reading',
			'the change',
		);
		assert.equal(change['full'], false);
		assert.deepEqual(Object.keys(change['tables'] as object), ['locks'], 'only the locks table is sent');
		const locks = (change['tables'] as Record<string, {put: Array<{key: string}>; remove: string[]}>)['locks'];
		assert.deepEqual(
			locks.put.map(row => row.key),
			['another/file.ts'],
		);
		bus.close();
		serve.child.stdin.end();
		assert.equal(await serve.exited, 0, 'serve exits when its input closes');
	});

	test('a line that is not JSON, one over the limit, or an unknown request gets an error and runs nothing; serve goes on', async () => {
		const {dbPath, bus} = newBus();
		bus.close();
		const serve = serveChild(dbPath);
		await serve.waitFor(line => line['type'] === 'hello', 'the hello');
		serve.send('{"type": "acknowledge", "ids": [1]');
		serve.send({type: 'acknowledge', ids: [1]});
		serve.child.stdin.write(Buffer.alloc(MAX_LINE_BYTES + 1024, 'a'));
		serve.send('');
		serve.send({type: 'rm -rf /', id: 7});
		serve.send({type: 'ping', id: 8});
		await serve.waitFor(line => line['id'] === 8, 'the ping answered after the bad lines');
		const errors = serve.lines.filter(line => line['type'] === 'error').map(line => String(line['message']));
		assert.equal(errors.length, 3, JSON.stringify(errors));
		assert.match(errors[2], /over the limit/);
		const unknown = serve.lines.find(line => line['id'] === 7)!;
		assert.equal(unknown['ok'], false);
		assert.match(String(unknown['error']), /unknown request/);
		const alerts = (
			new Database(dbPath, {readonly: true}).prepare(`SELECT count(*) AS n FROM session_messages WHERE status = 'read'`).get() as {
				n: number;
			}
		).n;
		assert.equal(alerts, 0, 'no request without an id ran');
		serve.child.kill();
	});

	test('--read-only refuses every write, and says which machine', async () => {
		const {dbPath, bus} = newBus();
		const alert = bus.alert({type: 'file_conflict', priority: 2, sessions: ['claude-29583'], action: 'look'});
		bus.close();
		const serve = serveChild(dbPath, '--read-only');
		const hello = await serve.waitFor(line => line['type'] === 'hello', 'the hello');
		assert.equal(hello['readOnly'], true);
		serve.send({type: 'acknowledge', id: 2, ids: [alert]});
		const answer = await serve.waitFor(line => line['id'] === 2, 'the answer');
		assert.equal(answer['ok'], false);
		assert.match(String(answer['error']), new RegExp(`not acknowledged: ${os.hostname()} serves this bus read-only`));
		assert.equal(statusOf(dbPath, alert), 'pending');
		serve.child.kill();
	});

	test('exits after its idle limit without a line from the viewer, and stops reading', async () => {
		const {dbPath, bus} = newBus();
		bus.close();
		const input = new PassThrough();
		const output = new PassThrough();
		output.resume();
		const started = Date.now();
		const code = await runServe({...defaultConfig({}), dbPath}, {input, output, idleExitMs: 300});
		assert.equal(code, 0);
		assert.ok(Date.now() - started < 5000);
	});
});

describe('a remote machine read through serve', () => {
	test('its sessions come with the remote judgement of their PIDs; the ages follow the remote clock', async () => {
		const {dbPath, bus} = newBus();
		bus.register({sessionId: 'gone-1', hostname: os.hostname(), machineUuid: MACHINE, pid: await deadPid(), vendor: 'claude'});
		bus.close();
		const remote = remoteOn(dbPath, '--machine-uuid', MACHINE);
		remote.start();
		const reading = await until('a reading', () => remote.getState().reading);
		const state = remote.getState();
		assert.equal(state.link.kind, 'live');
		assert.equal(state.hostname, os.hostname());
		const byId = new Map(reading.analysis.sessions.map(view => [view.row.sessionId, view]));
		assert.equal(byId.get('claude-29583')!.liveness.state, 'alive');
		assert.equal(byId.get('gone-1')!.liveness.state, 'dead');
		assert.equal(byId.get('codex-41200')!.liveness.state, 'dead');
		assert.ok(Math.abs(state.clockOffsetMs) < 5000);
	});

	test('a commit there reaches the reading; acknowledge and release are applied on its bus', async () => {
		const {dbPath, bus} = newBus();
		const remote = remoteOn(dbPath, '--machine-uuid', MACHINE);
		remote.start();
		await until('a reading', () => remote.getState().reading);
		const alert = bus.alert({type: 'file_conflict', priority: 3, sessions: ['claude-29583'], action: 'look'});
		await until('the new alert', () => remote.getState().reading?.snapshot.alerts.some(row => row.id === alert));
		assert.equal(await remote.acknowledge([alert]), 1);
		assert.equal(statusOf(dbPath, alert), 'read');
		await until(
			'the alert gone from the open ones',
			() => !remote.getState().reading?.snapshot.alerts.some(row => row.id === alert && row.status !== 'read'),
		);
		bus.close();
	});

	test("notifications: a new critical alert there is news, named by the remote's name; a reconnect to the same bus goes on from what was known", async () => {
		const {dbPath, bus} = newBus();
		const events: NotifyEvent[] = [];
		const notifications = new Notifications({gapMs: 0}).add({notify: event => events.push(event)});
		const connector = commandConnector(serveArgv(dbPath, '--machine-uuid', MACHINE));
		const remote = new RemoteMachine({name: 'gpu-box', connector, onReading: notifications.observe});
		remotes.push(remote);
		remote.start();
		await until('a reading', () => remote.getState().reading);
		assert.equal(events.length, 0, 'what was there at the first reading is not news');
		bus.alert({type: 'file_conflict', priority: 3, sessions: ['claude-29583'], filePath: 'first.py'});
		const first = await until('the first notification', () => events[0]);
		assert.equal(first.kind, 'critical-alert');
		assert.equal(first.machine, 'gpu-box');
		// The link drops; an alert arrives before it is back.
		process.kill(-connector.pids.at(-1)!, 'SIGKILL');
		await until('the link down', () => remote.getState().link.kind !== 'live' || null);
		bus.alert({type: 'file_conflict', priority: 3, sessions: ['claude-29583'], filePath: 'meanwhile.py'});
		const second = await until('the alert that arrived while the link was down', () => events[1], 20_000);
		assert.equal(second.machine, 'gpu-box');
		assert.match(second.body, /meanwhile\.py/);
		assert.equal(events.length, 2, 'the first alert is not news again');
		notifications.stop();
		bus.close();
	});

	test('two viewers on one bus both see one acknowledgement', async () => {
		const {dbPath, bus} = newBus();
		const alert = bus.alert({type: 'file_conflict', priority: 3, sessions: ['claude-29583'], action: 'look'});
		bus.close();
		const one = remoteOn(dbPath);
		const two = remoteOn(dbPath);
		one.start();
		two.start();
		const open = (remote: RemoteMachine) => remote.getState().reading?.analysis.openAlerts.some(row => row.id === alert);
		await until('both readings', () => open(one) && open(two));
		assert.equal(await one.acknowledge([alert]), 1);
		await until('both see it acknowledged', () => open(one) === false && open(two) === false);
	});

	test('lines a remote shell prints before the hello are skipped; a remote speaking another major version fails, naming both', async () => {
		const {dbPath, bus} = newBus();
		bus.close();
		const noisy = new RemoteMachine({
			name: 'noisy',
			connector: commandConnector(['sh', '-c', 'echo "Welcome to \u001b[31mbox\u001b[0m"; echo; exec "$@"', 'sh', ...serveArgv(dbPath)]),
		});
		remotes.push(noisy);
		noisy.start();
		await until('a reading despite the noise', () => noisy.getState().reading);
		const future = new RemoteMachine({
			name: 'future',
			connector: commandConnector(['sh', '-c', `echo '{"type":"hello","protocol":{"major":2,"minor":1},"version":"9.0.0"}'; sleep 30`]),
		});
		remotes.push(future);
		future.start();
		const link = await until('a failed link', () => (future.getState().link.kind === 'failed' ? future.getState().link : null));
		assert.match(
			link.kind === 'failed' ? link.why : '',
			/protocol mismatch: the remote speaks version 2\.1, this viewer 1\.0 \(session-status 9\.0\.0 there\)/,
		);
	});

	test('a hostile remote: escape sequences arrive escaped, a 20 MB line and garbage drop the link, which retries', async () => {
		const script = path.join(dir, 'hostile.sh');
		const hostile = '\u001b]52;c;ZXZpbA==\u0007\u001b[2J';
		const session = {
			rowid: 1,
			sessionId: `evil${hostile}`,
			status: 'active',
			hostname: `h${hostile}`,
			pid: 'x',
			registeredAt: 5,
			lastHeartbeat: {text: hostile, ms: 'no'},
		};
		const reading = {
			type: 'reading',
			full: true,
			now: Date.now(),
			tables: {sessions: {put: [session, 'junk', {rowid: 'NaN'}], remove: [], order: ['1', '2']}},
			scalars: {staleTimeoutMs: 'x'},
			judgement: {liveness: [[1, {state: 'alive'}]], heartbeatFirstSeen: [], operator: hostile},
		};
		fs.writeFileSync(
			script,
			[
				`echo '${JSON.stringify({type: 'hello', protocol: {major: 1, minor: 0}, version: '1', hostname: `x${hostile}`, database: '/x', capabilities: []}).replaceAll("'", "'\\''")}'`,
				`echo '${JSON.stringify(reading).replaceAll("'", "'\\''")}'`,
				'sleep 1',
				`head -c 20000000 /dev/zero | tr '\\0' a`,
				'echo',
				'sleep 30',
			].join('\n'),
		);
		const remote = new RemoteMachine({name: 'hostile', connector: commandConnector(['sh', script])});
		remotes.push(remote);
		remote.start();
		const got = await until('the hostile reading', () => remote.getState().reading);
		const text = JSON.stringify([got.snapshot, remote.getState().hostname, got.analysis.operatorId]);
		assert.doesNotMatch(text, /\\u001b|\u001b|\u0007/u, 'no raw escape character survives');
		assert.match(text, /\\\\x1b\]52/, 'escaped visibly instead');
		assert.deepEqual(
			got.snapshot.sessions.map(row => row.pid),
			[null],
		);
		const link = await until(
			'the link dropped after the 20 MB line',
			() => (remote.getState().link.kind === 'reconnecting' ? remote.getState().link : null),
			20_000,
		);
		assert.match(link.kind === 'reconnecting' ? link.why : '', /over the limit/);
		assert.ok(remote.getState().reading, 'the last reading stays');
	});
});

describe('what a remote or a viewer may send, bounded', () => {
	test('times and timeouts beyond any date are no time: every tab, the counts note and the JSON still build', async () => {
		const script = path.join(dir, 'far-times.sh');
		const far = 1e300;
		const session = {
			rowid: 1,
			sessionId: 's',
			status: 'active',
			pid: 1,
			registeredAt: {text: 'x', ms: far},
			lastHeartbeat: {text: 'y', ms: -far},
		};
		const lifecycle = {
			id: 9,
			senderId: 's',
			channel: 'session_lifecycle',
			payload: {event: 'started'},
			createdAt: {text: 'z', ms: far},
			status: 'read',
		};
		const reading = {
			type: 'reading',
			full: true,
			now: far,
			tables: {sessions: {put: [session], remove: [], order: ['1']}, lifecycle: {put: [lifecycle], remove: [], order: ['9']}},
			scalars: {staleTimeoutMs: far, counts: {legacy: 1, v2: 1, byStatus: {}, countedAt: far}, takenAt: far},
			judgement: {liveness: [[1, {state: 'alive', processStartedAt: far}]], heartbeatFirstSeen: [[1, far]], operator: 'op'},
		};
		fs.writeFileSync(
			script,
			`printf '%s\\n' '${JSON.stringify({type: 'hello', protocol: {major: 1, minor: 0}, version: '1', hostname: 'far', database: '/far', now: far})}' '${JSON.stringify(reading)}'\nsleep 30\n`,
		);
		const remote = new RemoteMachine({name: 'far', connector: commandConnector(['sh', script])});
		remotes.push(remote);
		remote.start();
		const got = await until('the reading', () => remote.getState().reading);
		assert.equal(got.snapshot.sessions[0].registeredAt.ms, null);
		assert.ok(got.snapshot.staleTimeoutMs <= 365 * 86_400_000);
		assert.doesNotThrow(() => buildTabs(got, {showEnded: false, countsNote: remote.countsNote()}));
		assert.doesNotThrow(() => toJsonDocument([printedMachine(remote.getState())], Date.now()));
	});

	test('a viewer started --read-only writes nothing on a remote: refused here, never sent', async () => {
		const {dbPath, bus} = newBus();
		const alert = bus.alert({type: 'file_conflict', priority: 3, sessions: ['claude-29583'], action: 'look'});
		bus.close();
		const remote = new RemoteMachine({name: 'ro', connector: commandConnector(serveArgv(dbPath)), readOnly: true});
		remotes.push(remote);
		remote.start();
		await until('a reading', () => remote.getState().reading);
		assert.equal(remote.getState().readOnly, false, 'the remote serves read-write: this viewer is what writes nothing');
		await assert.rejects(remote.acknowledge([alert]), /Not acknowledged: read-only \(--read-only\)/);
		await remote.markShown([alert]);
		assert.equal(statusOf(dbPath, alert), 'pending');
	});

	test('serve refuses a release or a message whose fields are malformed, and writes nothing', async () => {
		const {dbPath, bus} = newBus();
		bus.close();
		const serve = serveChild(dbPath);
		await serve.waitFor(line => line['type'] === 'hello', 'the hello');
		serve.send({type: 'release', id: 1, target: {kind: 'bogus', rowid: 1, key: 'H.13.7', sessionId: 'claude-29583', reason: 'r'}});
		serve.send({type: 'release', id: 2, target: null});
		serve.send({
			type: 'send',
			id: 3,
			request: {
				sender: {kind: 'operator', id: 'op'},
				to: {kind: 'session', rowid: 1, sessionId: 'claude-29583'},
				text: {a: 1},
				priority: 'urgent',
			},
		});
		for (const id of [1, 2, 3]) {
			const answer = await serve.waitFor(line => line['id'] === id, `answer ${id}`);
			assert.equal(answer['ok'], false, JSON.stringify(answer));
		}
		const db = new Database(dbPath, {readonly: true});
		assert.equal((db.prepare('SELECT count(*) AS n FROM task_claims').get() as {n: number}).n, 2, 'no claim released');
		assert.equal((db.prepare(`SELECT count(*) AS n FROM session_messages WHERE sender_id = 'op'`).get() as {n: number}).n, 0, 'no message');
		db.close();
		serve.child.kill();
	});

	test('a remote whose hello names the local bus is a duplicate of it, and shows no rows', async () => {
		const {dbPath, bus} = newBus();
		bus.close();
		const [remote] = remotesFor({
			...defaultConfig({}),
			dbPath,
			noLocal: false,
			remotes: [{name: 'again', transport: {kind: 'exec', argv: serveArgv(dbPath), db: null}}],
		});
		remotes.push(remote);
		remote.start();
		const link = await until('the duplicate', () => (remote.getState().link.kind === 'duplicate' ? remote.getState().link : null));
		assert.deepEqual(link, {kind: 'duplicate', of: 'local'});
		assert.equal(remote.getState().reading, null);
	});
});
