import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {once} from 'node:events';
import {performance} from 'node:perf_hooks';
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {BusWriter} from '../source/bus/writer.js';
import {BusError} from '../source/bus/open.js';
import {EXIT_CODES} from '../source/exit-codes.js';
import {type LiveBus, type LiveOptions, type LiveState, liveBusFor} from '../source/monitor/live.js';
import {defaultConfig} from '../source/settings.js';
import {deadPid, liveProcess} from './helpers/fixtures.js';
import {freezeMeter} from './helpers/freeze-meter.js';
import {CLI, ROOT, STACK_FRAME, listTree, requireBuiltCli, run, scratch, utcDate, withDb} from './helpers/cli.js';

/**
 * Faults the dashboard meets in the field, each staged for real: files deleted,
 * replaced, corrupted, locked by another process, made immutable (chattr +i, which
 * stops root too), directories mounted read-only and disks filled (in a private
 * mount namespace: unshare), PIDs reused, writer clocks ahead. What the other test
 * files already prove is not repeated here: a missing database and a text file at
 * the CLI, a truncated file at open, an exclusive lock held during --once, the lock
 * retry of DeliveryWriter alone, an unwritable log folder (ENOTDIR) and /dev/full,
 * PID reuse with a fresh heartbeat, and an old heartbeat with a live PID (late,
 * kept) are in cli.test.ts, delivery.test.ts and log.test.ts.
 */

requireBuiltCli();

const HOST = os.hostname();
const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

let alive: ChildProcess;
const children: ChildProcess[] = [];
const buses: LiveBus[] = [];

before(async () => {
	alive = liveProcess();
	await once(alive, 'spawn');
});

after(() => {
	for (const live of buses) live.stop();
	for (const child of [alive, ...children]) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function liveBus(dbPath: string, options: Partial<LiveOptions> = {}): LiveBus {
	const live = liveBusFor({...defaultConfig({}, os.tmpdir()), dbPath}, {coalesceMs: 0, ...options});
	buses.push(live);
	return live;
}

/** Ticks until the state satisfies `ok` (a tick started by an acknowledgement may be running: tick again). */
async function settle(live: LiveBus, ok: (state: LiveState) => boolean, what: string, timeoutMs = 5000): Promise<LiveState> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		await live.tick();
		const state = live.getState();
		if (ok(state)) return state;
		if (Date.now() > deadline)
			assert.fail(`timed out waiting for ${what}; error: ${state.error}; sessions: ${sessionIds(state).join(', ')}`);
		await sleep(10);
	}
}

const sessionIds = (state: LiveState) => state.reading?.snapshot.sessions.map(row => row.sessionId) ?? [];

function messageState(dbPath: string, id: number): {status: string; delivered_at: string | null; read_at: string | null} {
	return withDb(dbPath, db => db.prepare(`SELECT status, delivered_at, read_at FROM session_messages WHERE id = ?`).get(id) as never);
}

/** A bus with one live session and one pending alert; returns the alert id. */
function busWithAlert(dbPath: string, sessionId: string, priority = 2): number {
	const bus = new BusWriter(dbPath);
	bus.register({sessionId, hostname: HOST, vendor: 'claude', projectId: 'PILOT', pid: alive.pid!});
	const id = bus.alert({type: 'project_conflict', priority, sessions: [sessionId, 'codex-2'], projectId: 'PILOT', action: 'Coordinate'});
	bus.close();
	return id;
}

function removeDatabase(dbPath: string): void {
	for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbPath + suffix, {force: true});
}

describe('the database file goes away, is replaced, comes back (live dashboard)', () => {
	it('missing at start: says so, then shows the bus once it is created', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const live = liveBus(dbPath);
		const missing = await settle(live, state => state.error !== null, 'an error');
		assert.match(missing.error!, /Database not found/);
		assert.ok(missing.error!.includes(dbPath));
		assert.equal(missing.reading, null);
		busWithAlert(dbPath, 'claude-1');
		const found = await settle(live, state => state.reading !== null, 'the first reading');
		assert.equal(found.error, null);
		assert.deepEqual(sessionIds(found), ['claude-1']);
	});

	it('deleted while running: the error says so, the last reading stays, writes are refused; recreated: the new bus shows and takes writes', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const first = busWithAlert(dbPath, 'old-1');
		const live = liveBus(dbPath);
		await settle(live, state => sessionIds(state).includes('old-1'), 'the first bus');
		// The delivery loop has its own handle open on the file from now on.
		assert.equal(await live.acknowledge([first]), 1);
		const before = await settle(live, state => state.reading!.analysis.openAlerts.length === 0, 'the acknowledgement to show');

		removeDatabase(dbPath);
		const gone = await settle(live, state => state.error !== null, 'the deletion to be noticed');
		assert.match(gone.error!, /Database not found/);
		assert.equal(gone.reading, before.reading, 'the last good reading is kept (the views mark it out of date)');
		// The old handle still reaches the deleted inode: an acknowledgement must not vanish into it.
		await assert.rejects(live.acknowledge([first]), (error: unknown) => error instanceof BusError && error.kind === 'not-found');
		assert.equal(fs.existsSync(dbPath), false, 'nothing recreated the file');

		const second = busWithAlert(dbPath, 'new-1');
		const back = await settle(live, state => state.error === null && sessionIds(state).includes('new-1'), 'the recreated bus');
		assert.deepEqual(sessionIds(back), ['new-1']);
		assert.deepEqual(
			back.reading!.analysis.openAlerts.map(alert => alert.id),
			[second],
		);
		assert.equal(await live.acknowledge([second]), 1, 'the acknowledgement reaches the new file');
		assert.equal(messageState(dbPath, second).status, 'read');
	});

	it('replaced by another database (a new inode): the new content shows, and writes go to the new file', async () => {
		const dir = scratch();
		const dbPath = path.join(dir, 'messaging.db');
		const oldAlert = busWithAlert(dbPath, 'old-1');
		const live = liveBus(dbPath);
		await settle(live, state => sessionIds(state).includes('old-1'), 'the first bus');
		assert.equal(await live.acknowledge([oldAlert]), 1);

		// A restore: the new file is moved into place and the old WAL files go with the old file.
		const restored = path.join(dir, 'restore.db');
		const newAlert = busWithAlert(restored, 'restored-1', 3);
		assert.equal(newAlert, oldAlert, 'the same id in both files: only the right file may change');
		fs.renameSync(restored, dbPath);
		for (const suffix of ['-wal', '-shm']) fs.rmSync(dbPath + suffix, {force: true});

		const replaced = await settle(live, state => sessionIds(state).includes('restored-1'), 'the new file to show');
		assert.equal(replaced.error, null);
		assert.deepEqual(sessionIds(replaced), ['restored-1']);
		assert.deepEqual(
			replaced.reading!.analysis.openAlerts.map(alert => [alert.id, alert.status]),
			[[newAlert, 'pending']],
		);
		await live.markShown([newAlert]);
		assert.equal(messageState(dbPath, newAlert).status, 'delivered', 'delivered in the new file');
		assert.equal(await live.acknowledge([newAlert]), 1);
		assert.equal(messageState(dbPath, newAlert).status, 'read');
		assert.equal(
			withDb(dbPath, db => db.pragma('integrity_check', {simple: true})),
			'ok',
		);
	});

	it('replaced by a corrupt copy: the error names the corruption, the last reading stays', async () => {
		const dir = scratch();
		const dbPath = path.join(dir, 'messaging.db');
		busWithAlert(dbPath, 'claude-1');
		const live = liveBus(dbPath);
		const good = await settle(live, state => sessionIds(state).includes('claude-1'), 'the first bus');
		const bad = path.join(dir, 'bad.db');
		fs.writeFileSync(bad, corruptDatabase(path.join(dir, 'source.db')));
		fs.renameSync(bad, dbPath);
		const broken = await settle(live, state => state.error !== null, 'the corruption to be noticed');
		assert.match(broken.error!, /corrupt|not an SQLite database/);
		assert.equal(broken.reading, good.reading);
	});
});

/** The bytes of a database whose message pages (not its schema) are overwritten with garbage. */
function corruptDatabase(scratchPath: string): Buffer {
	const bus = new BusWriter(scratchPath);
	bus.register({sessionId: 'claude-1', hostname: HOST, vendor: 'claude', pid: alive.pid!});
	bus.db.transaction(() => {
		for (let i = 0; i < 1500; i++) bus.send({senderId: 'codex-2', recipientId: 'claude-1', payload: {text: 'x'.repeat(200), i}});
	})();
	bus.alert({type: 'project_conflict', sessions: ['claude-1']});
	bus.db.pragma('wal_checkpoint(TRUNCATE)');
	const pages = bus.db
		.prepare(`SELECT pageno FROM dbstat WHERE name IN ('session_messages', 'idx_messages_unread', 'idx_messages_open') ORDER BY pageno`)
		.pluck()
		.all() as number[];
	const pageSize = Number(bus.db.pragma('page_size', {simple: true}));
	bus.close();
	const bytes = fs.readFileSync(scratchPath);
	assert.ok(pages.length > 20);
	for (const page of pages.filter((_, index) => index % 3 === 0)) bytes.fill(0xa5, (page - 1) * pageSize, page * pageSize);
	return bytes;
}

describe('a broken file at the command line', () => {
	it('corrupt pages that only the snapshot reads: exit 4 with the reason, no stack trace, for every printed form', () => {
		const dir = scratch();
		const dbPath = path.join(dir, 'messaging.db');
		fs.writeFileSync(dbPath, corruptDatabase(path.join(dir, 'source.db')));
		for (const args of [['--once', '--no-log'], ['--json'], ['--unread'], ['--alerts']]) {
			const result = run(['--db', dbPath, ...args]);
			assert.equal(result.code, EXIT_CODES.notADatabase, `${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
			assert.match(result.stderr, /is corrupt/);
			assert.ok(result.stderr.includes(dbPath), result.stderr);
			assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
			assert.ok(!result.stderr.includes('unexpected error'), result.stderr);
		}
	});

	it('a truncated database: exit 4, no stack trace', () => {
		const dir = scratch();
		const dbPath = path.join(dir, 'messaging.db');
		fs.writeFileSync(dbPath, corruptDatabase(path.join(dir, 'source.db')).subarray(0, 3000));
		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, EXIT_CODES.notADatabase, result.stderr);
		assert.ok(result.stderr.includes(dbPath), result.stderr);
		assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
	});
});

describe('a writer holding a long transaction (BEGIN IMMEDIATE for 3 s, another process)', () => {
	const HOLD_MS = 3000;

	async function holdWriteLock(dbPath: string): Promise<ChildProcess> {
		const script = `
			const Database = require('better-sqlite3');
			const db = new Database(process.argv[1]);
			db.exec('BEGIN IMMEDIATE');
			db.prepare("INSERT INTO session_registry (session_id, hostname, pid, status, registered_at, last_heartbeat) VALUES ('txn-1', 'elsewhere', 7, 'active', ?, ?)").run(new Date().toISOString(), new Date().toISOString());
			process.stdout.write('locked\\n');
			setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, Number(process.argv[2]));`;
		const child = spawn(process.execPath, ['-e', script, dbPath, String(HOLD_MS)], {cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit']});
		children.push(child);
		const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
		assert.equal(chunk.toString().trim(), 'locked');
		return child;
	}

	it('reads go on, writes retry then report locked without freezing, nothing half-written; after the commit all is seen and written', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const alert = busWithAlert(dbPath, 'claude-1');
		const live = liveBus(dbPath);
		await settle(live, state => sessionIds(state).includes('claude-1'), 'the first reading');
		await live.markShown([]);
		assert.equal(await live.acknowledge([-1]), 0, 'warm-up: the write handle is open before the lock is taken');

		const holder = await holdWriteLock(dbPath);
		const meter = freezeMeter();
		const started = performance.now();
		// The operator acknowledges; meanwhile the screen keeps refreshing.
		const outcome: {error?: unknown; ms?: number; done: boolean} = {done: false};
		void live.acknowledge([alert]).then(
			() => Object.assign(outcome, {done: true}),
			(error: unknown) => Object.assign(outcome, {error, ms: performance.now() - started, done: true}),
		);
		const shown = live.markShown([alert]);
		let reads = 0;
		while (!outcome.done && performance.now() - started < 10_000) {
			live.refreshNow();
			await live.tick();
			const state = live.getState();
			assert.equal(state.error, null, 'reads go on in WAL mode');
			assert.ok(!sessionIds(state).includes('txn-1'), 'an uncommitted row is not shown');
			reads++;
			await sleep(20);
		}
		await shown;
		const maxGap = meter.stop();
		assert.ok(outcome.done, 'the acknowledgement neither finished nor failed within 10 s');
		const {error, ms = 0} = outcome;
		assert.ok(error instanceof BusError, `expected a locked BusError, got ${String(error)}`);
		assert.equal(error.kind, 'locked');
		assert.equal(error.exitCode, EXIT_CODES.locked);
		assert.match(error.message, /locked .*nothing was written/);
		assert.ok(ms >= 1900 && ms < 2900, `gave up after ${ms.toFixed(0)} ms (the retry window is 2 s)`);
		assert.equal(holder.exitCode, null, 'the lock was still held when the acknowledgement gave up');
		// Several, not a rate: how many fit in 2 s is the machine's load, that none waits for the lock is the freeze check's.
		assert.ok(reads >= 5, `only ${reads} refreshes while locked`);
		assert.ok(maxGap < 100, `the event loop stalled for ${maxGap.toFixed(0)} ms`);
		assert.deepEqual(messageState(dbPath, alert), {status: 'pending', delivered_at: null, read_at: null}, 'nothing half-written');

		await once(holder, 'exit');
		const after = await settle(live, state => sessionIds(state).includes('txn-1'), 'the committed row');
		assert.equal(after.error, null);
		// markShown gave up quietly and forgot the id: the next frame delivers it.
		await live.markShown([alert]);
		assert.equal(messageState(dbPath, alert).status, 'delivered');
		assert.equal(await live.acknowledge([alert]), 1);
		assert.equal(messageState(dbPath, alert).status, 'read');
	});
});

// ---- read-only files and directories ----------------------------------------------------

function chattrWorks(): string | null {
	if (process.platform !== 'linux') return 'chattr is Linux-only';
	const probe = path.join(scratch(), 'probe');
	fs.writeFileSync(probe, 'x');
	const set = spawnSync('chattr', ['+i', probe], {encoding: 'utf8'});
	if (set.error || set.status !== 0)
		return `chattr +i was refused here (${set.error?.message ?? set.stderr.trim()}); needs root on a filesystem with the immutable flag`;
	const write = (() => {
		try {
			fs.appendFileSync(probe, 'y');
			return true;
		} catch {
			return false;
		}
	})();
	spawnSync('chattr', ['-i', probe]);
	return write ? 'chattr +i did not stop a write here' : null;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Shell commands that make `dir` a read-only bind mount of itself (inside a private mount namespace). */
const mountReadOnly = (dir: string) => `mount --bind ${quote(dir)} ${quote(dir)} && mount -o remount,ro,bind ${quote(dir)} ${quote(dir)}`;

function unshareWorks(): string | null {
	if (process.platform !== 'linux') return 'unshare is Linux-only';
	const result = spawnSync('unshare', ['-rm', 'sh', '-c', mountReadOnly(scratch())], {encoding: 'utf8'});
	if (result.error || result.status !== 0)
		return `unshare -rm (a private mount namespace) is not available here: ${result.error?.message ?? result.stderr.trim()}`;
	return null;
}

/** Runs `script` in a private mount namespace (unshare -rm), as the CLI tests run the CLI: HOME set, PATH only. */
function inNamespace(script: string, home: string): {code: number | null; stdout: string; stderr: string} {
	const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], {
		cwd: home,
		env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8'},
		encoding: 'utf8',
		timeout: 30_000,
	});
	if (result.error) throw result.error;
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}

/** A bus folder in a scratch home: `<home>/bus/messaging.db`. */
function busFolder(): {home: string; dir: string; dbPath: string} {
	const home = scratch();
	const dir = path.join(home, 'bus');
	fs.mkdirSync(dir);
	return {home, dir, dbPath: path.join(dir, 'messaging.db')};
}

/** `--once --no-log` on the bus in `dir`, with `dir` mounted read-only. */
function onceInReadOnlyFolder({home, dir, dbPath}: {home: string; dir: string; dbPath: string}) {
	return inNamespace(`${mountReadOnly(dir)} && exec ${quote(process.execPath)} ${quote(CLI)} --db ${quote(dbPath)} --once --no-log`, home);
}

/** A bus left as a crashed writer leaves it: -wal and -shm on disk, nobody connected. */
async function crashedWriterBus(dbPath: string, sessionPid: number): Promise<void> {
	const script = `
		const Database = require('better-sqlite3');
		const db = new Database(process.argv[1]);
		db.pragma('journal_mode = WAL');
		const now = new Date().toISOString();
		db.prepare("INSERT INTO session_registry (session_id, hostname, llm_vendor, project_id, pid, status, registered_at, last_heartbeat) VALUES ('claude-1', ?, 'claude', 'PILOT', ?, 'active', ?, ?)").run(process.argv[2], Number(process.argv[3]), now, now);
		db.prepare("INSERT INTO session_messages (sender_id, channel, payload, created_at, message_type, priority, status) VALUES ('detector', 'operator_alerts', '{\\"sessions\\":[\\"claude-1\\"]}', ?, 'project_conflict', 3, 'pending')").run(now);
		process.kill(process.pid, 'SIGKILL');`;
	new BusWriter(dbPath).close();
	const child = spawn(process.execPath, ['-e', script, dbPath, HOST, String(sessionPid)], {cwd: ROOT, stdio: 'ignore'});
	await once(child, 'exit');
	assert.ok(fs.existsSync(`${dbPath}-wal`) && fs.existsSync(`${dbPath}-shm`), 'the crashed writer left -wal and -shm');
}

describe('a read-only database file (chattr +i: root cannot write it either)', () => {
	const immutable: string[] = [];
	after(() => {
		if (immutable.length > 0) spawnSync('chattr', ['-i', ...immutable]);
	});

	for (const variant of ['closed cleanly (no -wal/-shm)', 'left by a crashed writer (-wal and -shm immutable too)'] as const) {
		it(`${variant}: viewing works, writes are refused with a message, --once exits 8 with a note`, async t => {
			const skip = chattrWorks();
			if (skip) return t.skip(skip);
			const dbPath = path.join(scratch(), 'messaging.db');
			if (variant.startsWith('closed')) busWithAlert(dbPath, 'claude-1', 3);
			else await crashedWriterBus(dbPath, alive.pid!);
			const files = ['', '-wal', '-shm'].map(suffix => dbPath + suffix).filter(file => fs.existsSync(file));
			const before = fs.readFileSync(dbPath);
			const set = spawnSync('chattr', ['+i', ...files], {encoding: 'utf8'});
			assert.equal(set.status, 0, set.stderr);
			immutable.push(...files);
			try {
				const live = liveBus(dbPath);
				const state = await settle(live, s => s.reading !== null || s.error !== null, 'a reading');
				assert.equal(state.error, null);
				assert.deepEqual(sessionIds(state), ['claude-1']);
				const alert = state.reading!.analysis.openAlerts[0];
				assert.equal(alert.status, 'pending');
				await assert.rejects(live.acknowledge([alert.id]), (error: unknown) => {
					assert.ok(error instanceof BusError, String(error));
					assert.equal(error.kind, 'read-only');
					assert.match(error.message, /cannot be written .*viewing still works/);
					return true;
				});
				await live.markShown([alert.id]);
				assert.equal((await settle(live, s => s.reading !== null, 'a reading')).error, null, 'a refused write is no read error');
				live.stop();

				const logDir = scratch();
				const result = run(['--db', dbPath, '--once', '--log-dir', logDir]);
				assert.equal(result.code, EXIT_CODES.criticalAlert, `exit ${result.code}: ${result.stderr}`);
				assert.equal(result.lines[0], 'Cross-LLM Session Dashboard');
				assert.ok(result.stdout.includes('**Session: claude-1**'), result.stdout);
				assert.match(result.stderr, /could not mark messages delivered: .*cannot be written/);
				assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
				assert.ok(
					listTree(logDir).some(name => name.endsWith('.md')),
					'the log is still written',
				);
				assert.deepEqual(fs.readFileSync(dbPath), before, 'the file is unchanged');
			} finally {
				spawnSync('chattr', ['-i', ...files]);
				immutable.length = 0;
			}
		});
	}
});

describe('a read-only directory (a read-only bind mount in a private namespace)', () => {
	it('with -wal and -shm present: the dashboard prints, delivery is refused with a note, exit 8', async t => {
		const skip = unshareWorks();
		if (skip) return t.skip(skip);
		const folder = busFolder();
		const {dir, dbPath} = folder;
		await crashedWriterBus(dbPath, alive.pid!);
		const before = listTree(dir);
		const result = onceInReadOnlyFolder(folder);
		assert.equal(result.code, EXIT_CODES.criticalAlert, `exit ${result.code}: ${result.stderr}`);
		assert.ok(result.stdout.startsWith('Cross-LLM Session Dashboard\n'), result.stdout);
		assert.ok(result.stdout.includes('**Session: claude-1**'));
		assert.match(result.stderr, /could not mark messages delivered: .*cannot be written/);
		assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
		assert.deepEqual(listTree(dir), before);
	});

	it('without -shm: a clear explanation (read-only directory), not an SQLite riddle', t => {
		const skip = unshareWorks();
		if (skip) return t.skip(skip);
		const folder = busFolder();
		const {dir, dbPath} = folder;
		busWithAlert(dbPath, 'claude-1');
		assert.deepEqual(listTree(dir), ['messaging.db'], 'closed cleanly: no -wal, no -shm');
		const result = onceInReadOnlyFolder(folder);
		assert.notEqual(result.code, 0);
		assert.notEqual(result.code, null);
		assert.equal(result.stdout, '');
		assert.match(result.stderr, /read-only directory/);
		assert.match(result.stderr, /-shm/);
		assert.ok(result.stderr.includes(dbPath), result.stderr);
		assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
	});
});

// ---- the session log ------------------------------------------------------------------

/** `count` live sessions, each locking a few files with long paths: a log entry of some tens of KiB. */
function manySessionBus(dbPath: string, count: number): void {
	const bus = new BusWriter(dbPath);
	for (let i = 0; i < count; i++) {
		const cwd = `/home/dev/projects/pilot/worktrees/branch-${i}/${'deep/'.repeat(10)}`;
		bus.register({
			sessionId: `claude-${i}`,
			sessionUuid: `uuid-${i}`,
			hostname: HOST,
			vendor: 'claude',
			model: 'opus-4.6',
			projectId: 'PILOT',
			cwd,
			pid: alive.pid!,
		});
		for (let file = 0; file < 5; file++) bus.lock(`${cwd}src/module-${file}/file-${file}.ts`, `claude-${i}`);
	}
	bus.close();
}

describe('the session log under faults', () => {
	it('a log folder that does not exist yet (several levels) is created', () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		busWithAlert(dbPath, 'claude-1');
		const logDir = path.join(scratch(), 'not', 'yet', 'there');
		const result = run(['--db', dbPath, '--once', '--log-dir', logDir]);
		assert.equal(result.code, 0, result.stderr);
		const file = path.join(logDir, 'PILOT', `SESSION-LOG-${utcDate(Date.now())}.md`);
		assert.equal(result.lines.at(-1), `Session log entry appended: ${file}`);
		assert.match(
			fs.readFileSync(file, 'utf8'),
			/^### \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z - \[H\.0\] Cross-LLM Session Dashboard Status\n/,
		);
	});

	it('a disk that fills up mid-entry: reported (exit 6), the dashboard printed, the log keeps exactly what it held', t => {
		const skip = unshareWorks();
		if (skip) return t.skip(skip);
		const home = scratch();
		const dbPath = path.join(home, 'messaging.db');
		manySessionBus(dbPath, 60);
		const logs = path.join(home, 'logs');
		const out = path.join(home, 'out');
		fs.mkdirSync(logs);
		fs.mkdirSync(out);
		const cli = `${quote(process.execPath)} ${quote(CLI)} --db ${quote(dbPath)} --once --log-dir ${quote(logs)}`;
		// A 128 KiB tmpfs: the first entry (~25 KiB) fits; then a file fills it, 8 KiB are freed, and the
		// second entry starts, fills the disk and fails part-way.
		const script = [
			'set -e',
			`mount -t tmpfs -o size=128k tmpfs ${quote(logs)}`,
			'set +e',
			`${cli} > ${quote(`${out}/first.out`)} 2> ${quote(`${out}/first.err`)}; echo "first=$?"`,
			'set -e',
			`cp -r ${quote(`${logs}/PILOT`)} ${quote(`${out}/before`)}`,
			`head -c 1048576 /dev/zero > ${quote(`${logs}/fill`)} 2>/dev/null || true`,
			`truncate -s -8192 ${quote(`${logs}/fill`)}`,
			'set +e',
			`${cli} > ${quote(`${out}/second.out`)} 2> ${quote(`${out}/second.err`)}; echo "second=$?"`,
			'set -e',
			`cp -r ${quote(`${logs}/PILOT`)} ${quote(`${out}/after`)}`,
		].join('\n');
		const result = inNamespace(script, home);
		assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
		assert.match(result.stdout, /^first=0\nsecond=6\n$/, `${result.stdout}\n${fs.readFileSync(path.join(out, 'first.err'), 'utf8')}`);
		const read = (name: string) => fs.readFileSync(path.join(out, name), 'utf8');
		assert.ok(read('second.out').includes('**Observations:**'), 'the dashboard was printed');
		assert.match(read('second.err'), /Session log write failed: .*SESSION-LOG-\d{4}-\d{2}-\d{2}\.md \(ENOSPC/);
		assert.ok(!read('second.err').includes(STACK_FRAME));
		const beforeFiles = listTree(path.join(out, 'before'));
		assert.equal(beforeFiles.length, 1);
		const entry = fs.readFileSync(path.join(out, 'before', beforeFiles[0]), 'utf8');
		assert.ok(entry.length > 16 * 1024, `the entry is ${entry.length} bytes: too small to overflow 8 KiB`);
		assert.deepEqual(listTree(path.join(out, 'after')), beforeFiles);
		const afterText = fs.readFileSync(path.join(out, 'after', beforeFiles[0]), 'utf8');
		assert.equal(afterText.length, entry.length, `the failed entry left ${afterText.length - entry.length} bytes behind`);
		assert.equal(afterText, entry);
	});
});

// ---- liveness faults ----------------------------------------------------------------------

describe('PIDs and clocks', () => {
	function holdings(dbPath: string, sessionId: string): {status: string; locks: number; claims: number} {
		return withDb(dbPath, db => ({
			status: db.prepare(`SELECT status FROM session_registry WHERE session_id = ?`).pluck().get(sessionId) as string,
			locks: db.prepare(`SELECT count(*) FROM file_locks WHERE session_id = ?`).pluck().get(sessionId) as number,
			claims: db.prepare(`SELECT count(*) FROM task_claims WHERE session_id = ?`).pluck().get(sessionId) as number,
		}));
	}

	function sessionWithHolds(dbPath: string, sessionId: string, pid: number, times: {registeredAt: number; heartbeat: number}): void {
		const bus = new BusWriter(dbPath);
		bus.register({sessionId, hostname: HOST, vendor: 'codex', projectId: 'PILOT', pid, registeredAt: times.registeredAt});
		bus.heartbeat(sessionId, times.heartbeat);
		bus.lock(`/repo/${sessionId}.ts`, sessionId);
		bus.claim(`T.${sessionId}`, sessionId);
		bus.close();
	}

	it('a PID reused by an unrelated process does not keep a silent session alive: released', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		// The PID is alive, but the process holding it started an hour after the session registered.
		const reuser = liveProcess();
		children.push(reuser);
		await once(reuser, 'spawn');
		sessionWithHolds(dbPath, 'codex-reused', reuser.pid!, {registeredAt: Date.now() - 3_600_000, heartbeat: Date.now() - 20 * 60_000});
		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(
			result.lines.some(line => /^- Released stale session codex-reused \(heartbeat 20m ago; 1 lock, 1 claim\)$/.test(line)),
			result.stdout,
		);
		assert.deepEqual(holdings(dbPath, 'codex-reused'), {status: 'stale', locks: 0, claims: 0});
		assert.equal(reuser.exitCode, null, 'the unrelated process was left alone');
	});

	it('a heartbeat an hour in the future with a dead PID is no proof of life: stale, released', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		sessionWithHolds(dbPath, 'codex-ahead', await deadPid(), {registeredAt: Date.now() - 600_000, heartbeat: Date.now() + 3_600_000});
		const json = JSON.parse(run(['--db', dbPath, '--json']).stdout) as {
			sessions: Array<{sessionId: string; state: string; liveness: string}>;
		};
		assert.deepEqual(
			json.sessions.map(s => [s.sessionId, s.state, s.liveness]),
			[['codex-ahead', 'stale', 'dead']],
		);
		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(
			result.lines.some(line => line.startsWith('- Released stale session codex-ahead (')),
			result.stdout,
		);
		assert.deepEqual(holdings(dbPath, 'codex-ahead'), {status: 'stale', locks: 0, claims: 0});
	});

	it('a heartbeat an hour in the future with a live PID: kept, shown with the clock skew', () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		// Registered after its process started (else the PID would count as reused).
		sessionWithHolds(dbPath, 'codex-ahead', alive.pid!, {registeredAt: Date.now(), heartbeat: Date.now() + 3_600_000});
		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(result.stdout.includes('**Session: codex-ahead**'), result.stdout);
		assert.ok(
			result.lines.some(line => /^- \*\*Heartbeat:\*\* .*clock ahead: stamped \d{4}-/.test(line)),
			result.stdout,
		);
		assert.ok(!result.stdout.includes('Released stale session'), result.stdout);
		assert.deepEqual(holdings(dbPath, 'codex-ahead'), {status: 'active', locks: 1, claims: 1});
	});

	it('a future heartbeat that never changes goes stale after the stale timeout of watching it; a new one makes it fresh again', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		let now = Date.now();
		const bus = new BusWriter(dbPath);
		// No PID to check: only the heartbeat can tell.
		bus.register({sessionId: 'gemini-ahead', hostname: HOST, vendor: 'gemini', pid: null, registeredAt: now});
		bus.heartbeat('gemini-ahead', now + 3_600_000);
		bus.close();
		const live = liveBus(dbPath, {staleTimeoutMs: 10_000, livenessMs: 1000, now: () => now});
		const view = (state: LiveState) => state.reading!.analysis.sessions[0];
		let state = await settle(live, s => s.reading !== null, 'a reading');
		assert.equal(view(state).state, 'active');
		assert.equal(view(state).clockAhead, true);
		now += 9_000;
		state = await settle(live, s => s.reading!.analysis.now === now, 'a re-judgement');
		assert.equal(view(state).state, 'active', 'within the stale timeout of first seeing it');
		now += 2_000;
		state = await settle(live, s => s.reading!.analysis.now === now, 'a re-judgement');
		assert.equal(view(state).state, 'stale', 'unchanged for longer than the stale timeout');
		assert.deepEqual(
			state.reading!.analysis.toRelease.map(v => v.row.sessionId),
			['gemini-ahead'],
		);
		const again = new BusWriter(dbPath);
		again.heartbeat('gemini-ahead', now + 3_600_000 + 1000);
		again.close();
		state = await settle(live, s => view(s).row.lastHeartbeat.ms === now + 3_601_000, 'the new heartbeat');
		assert.equal(view(state).state, 'active', 'a heartbeat that changed is fresh again');
	});
});
