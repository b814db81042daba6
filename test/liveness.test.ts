import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	LivenessProbe,
	START_TIME_SLACK_MS,
	findAncestorSession,
	isThisHost,
	judge,
	killFindsPid,
	pidExists,
	procfsAnswersKill,
	readProcessTable,
	readProcfsTable,
	type HostIdentity,
	type ProcessTable,
	type SessionIdentity,
} from '../source/processes/liveness.js';
import {tempDir} from './helpers/fixtures.js';

const host: HostIdentity = {hostname: os.hostname(), machineUuid: 'AAAA-1111'};
const children: ChildProcess[] = [];

after(() => {
	for (const child of children) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	}
});

/** A real child process that stays alive until killed (after hook kills leftovers). */
async function spawnLive(): Promise<ChildProcess & {pid: number}> {
	const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {stdio: 'ignore'});
	children.push(child);
	await once(child, 'spawn');
	assert.ok(child.pid, 'child has a pid');
	return child as ChildProcess & {pid: number};
}

/** The PID of a real process that has already exited (and been reaped). */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', '0'], {stdio: 'ignore'});
	await once(child, 'exit');
	assert.ok(child.pid);
	return child.pid;
}

async function killAndWait(child: ChildProcess): Promise<void> {
	const exited = once(child, 'exit');
	child.kill('SIGKILL');
	await exited;
}

function session(rowid: number, pid: number | null, extra: Partial<SessionIdentity> = {}): SessionIdentity {
	return {rowid, pid, hostname: host.hostname, machineUuid: null, registeredAtMs: Date.now(), ...extra};
}

describe('judge on real processes', () => {
	it('a live child is alive, with a start time near now (real readProcessTable)', async () => {
		const before = Date.now();
		const child = await spawnLive();
		const probe = new LivenessProbe(host); // default readTable: the real readProcessTable
		const result = await probe.check([session(1, child.pid, {registeredAtMs: Date.now()})]);
		const live = result.get(1);
		assert.ok(live);
		assert.equal(live.state, 'alive');
		assert.ok(live.processStartedAt != null, 'start time known');
		assert.ok(Math.abs(live.processStartedAt - before) < 5000, `started ${live.processStartedAt - before} ms from spawn`);
		assert.equal(probe.scans, 1);
		assert.ok(probe.table.has(child.pid));
		assert.ok(probe.table.has(process.pid));
		assert.equal(probe.table.get(child.pid)?.ppid, process.pid);
		await killAndWait(child);
	});

	it('a PID whose process exited is dead', async () => {
		const pid = await deadPid();
		assert.equal(pidExists(pid), false);
		assert.deepEqual(judge(session(1, pid), host, {exists: pidExists(pid), startedAt: null}), {
			state: 'dead',
			processStartedAt: null,
		});
		const probe = new LivenessProbe(host);
		assert.equal((await probe.check([session(7, pid)])).get(7)?.state, 'dead');
	});

	it('a PID held by a process started after registration is reused; within slack it is alive', async () => {
		const child = await spawnLive();
		const table = await readProcessTable();
		const startedAt = table.get(child.pid)?.startedAt ?? null;
		assert.ok(startedAt != null);
		const exists = pidExists(child.pid);
		assert.equal(exists, true);

		const hourAgo = judge(session(1, child.pid, {registeredAtMs: Date.now() - 3_600_000}), host, {exists, startedAt});
		assert.deepEqual(hourAgo, {state: 'reused', processStartedAt: startedAt});

		for (const registeredAtMs of [startedAt + 2000, startedAt - 2000, startedAt - START_TIME_SLACK_MS]) {
			assert.equal(judge(session(1, child.pid, {registeredAtMs}), host, {exists, startedAt}).state, 'alive');
		}
		assert.equal(
			judge(session(1, child.pid, {registeredAtMs: startedAt - START_TIME_SLACK_MS - 1000}), host, {exists, startedAt}).state,
			'reused',
		);
		// Unknown registration time or unknown start time: cannot call it reused.
		assert.equal(judge(session(1, child.pid, {registeredAtMs: null}), host, {exists, startedAt}).state, 'alive');
		assert.equal(judge(session(1, child.pid, {registeredAtMs: 0}), host, {exists, startedAt: null}).state, 'alive');

		const probe = new LivenessProbe(host);
		const result = await probe.check([
			session(1, child.pid, {registeredAtMs: Date.now() - 3_600_000}),
			session(2, child.pid, {registeredAtMs: startedAt + 2000}),
		]);
		assert.equal(result.get(1)?.state, 'reused');
		assert.equal(result.get(2)?.state, 'alive');
		assert.equal(probe.scans, 1);
		await killAndWait(child);
	});
});

describe('host identity', () => {
	it('another host is remote, never probed', () => {
		const s = session(1, process.pid, {hostname: 'elsewhere', machineUuid: 'BBBB-2222'});
		assert.deepEqual(judge(s, host, {exists: true, startedAt: 1}), {state: 'remote', processStartedAt: null});
		assert.equal(judge(session(1, process.pid, {hostname: null}), host, {exists: true, startedAt: null}).state, 'remote');
	});

	it('hostname matches case-insensitively, with or without .local', () => {
		const h: HostIdentity = {hostname: 'host', machineUuid: null};
		assert.equal(isThisHost({hostname: 'HOST.local', machineUuid: null}, h), true);
		assert.equal(isThisHost({hostname: 'Host', machineUuid: null}, h), true);
		assert.equal(isThisHost({hostname: 'host', machineUuid: null}, {hostname: 'Host.LOCAL', machineUuid: null}), true);
		assert.equal(isThisHost({hostname: 'host.local', machineUuid: null}, {hostname: 'HOST.local', machineUuid: null}), true);
		assert.equal(isThisHost({hostname: 'hostess', machineUuid: null}, h), false);
		assert.equal(isThisHost({hostname: 'host.example', machineUuid: null}, h), false);
		assert.equal(isThisHost({hostname: '', machineUuid: null}, {hostname: '', machineUuid: null}), false);
		assert.equal(isThisHost({hostname: null, machineUuid: null}, h), false);
		assert.equal(judge(session(1, process.pid, {hostname: 'HOST.local'}), h, {exists: true, startedAt: null}).state, 'alive');
	});

	it('machine UUID matches case-insensitively when both are known', () => {
		const h: HostIdentity = {hostname: 'laptop', machineUuid: 'abcd-ef01'};
		assert.equal(isThisHost({hostname: 'renamed', machineUuid: 'ABCD-EF01'}, h), true);
		assert.equal(isThisHost({hostname: null, machineUuid: 'abcd-ef01'}, h), true);
		assert.equal(isThisHost({hostname: 'renamed', machineUuid: 'other'}, h), false);
		assert.equal(isThisHost({hostname: 'renamed', machineUuid: 'abcd-ef01'}, {hostname: 'laptop', machineUuid: null}), false);
		assert.equal(
			judge(session(1, process.pid, {hostname: 'x', machineUuid: 'ABCD-EF01'}), h, {exists: true, startedAt: null}).state,
			'alive',
		);
	});
});

describe('no-pid', () => {
	it('null, 0, negative, huge and non-integer PIDs are not checkable', async () => {
		for (const pid of [null, 0, -5, 2 ** 40, 4194305, 1.5, Number.NaN]) {
			assert.deepEqual(judge(session(1, pid), host, {exists: true, startedAt: 1}), {state: 'no-pid', processStartedAt: null}, String(pid));
			assert.equal(pidExists(pid ?? 0), false, String(pid));
		}
		// no-pid wins over remote
		assert.equal(judge(session(1, null, {hostname: 'elsewhere'}), host, {exists: false, startedAt: null}).state, 'no-pid');
		let scans = 0;
		const probe = new LivenessProbe(host, {readTable: async () => (scans++, readProcessTable())});
		const result = await probe.check([session(1, null), session(2, 0), session(3, -5), session(4, 2 ** 40)]);
		assert.deepEqual(
			[...result.values()].map(l => l.state),
			['no-pid', 'no-pid', 'no-pid', 'no-pid'],
		);
		assert.equal(scans, 0, 'nothing local to scan for');
	});

	it('pidExists: this process yes, pid 1 yes (EPERM counts), a dead one no', async () => {
		assert.equal(pidExists(process.pid), true);
		assert.equal(pidExists(1), true);
		assert.equal(pidExists(await deadPid()), false);
	});

	it(
		'pidExists answers as kill(PID, 0) does: this process, its threads, pid 1, dead PIDs',
		{skip: process.platform !== 'linux'},
		async () => {
			const threads = fs.readdirSync('/proc/self/task').map(Number);
			const dead = [await deadPid(), await deadPid()];
			for (const pid of [process.pid, 1, ...threads, ...dead]) assert.equal(pidExists(pid), killFindsPid(pid), String(pid));
		},
	);

	it('procfsAnswersKill: only for a /proc of this PID namespace that shows every process', () => {
		const proc = (self: string, mountinfo: string | null) => {
			const root = tempDir();
			fs.mkdirSync(path.join(root, 'mine'));
			fs.symlinkSync(self, path.join(root, 'self'));
			if (mountinfo !== null) fs.writeFileSync(path.join(root, 'mine', 'mountinfo'), mountinfo);
			// self -> a folder named as the PID, holding mountinfo as /proc/PID does.
			fs.renameSync(path.join(root, 'mine'), path.join(root, self));
			return root;
		};
		const line = (options: string) => `21 26 0:20 / /proc rw,relatime - proc proc ${options}\n`;
		const root = '25 1 0:22 / / rw - ext4 /dev/vda rw\n';
		assert.equal(procfsAnswersKill(proc('4242', root + line('rw')), 4242), true);
		assert.equal(procfsAnswersKill(proc('4242', root + line('rw,hidepid=0')), 4242), true);
		assert.equal(procfsAnswersKill(proc('4242', root + line('rw,hidepid=off,gid=5')), 4242), true);
		assert.equal(procfsAnswersKill(proc('4242', root + line('rw,hidepid=2')), 4242), false);
		assert.equal(procfsAnswersKill(proc('4242', root + line('rw,hidepid=invisible')), 4242), false);
		assert.equal(procfsAnswersKill(proc('4242', root + line('rw') + line('rw,hidepid=1')), 4242), false, 'the last mount is the one seen');
		assert.equal(procfsAnswersKill(proc('4242', root + line('rw')), 1717), false, 'another PID namespace');
		assert.equal(procfsAnswersKill(proc('4242', root), 4242), false, 'no /proc mount');
		assert.equal(procfsAnswersKill(proc('4242', null), 4242), false, 'no mountinfo');
		assert.equal(procfsAnswersKill(path.join(tempDir(), 'none')), false, 'no /proc at all');
	});
});

describe('LivenessProbe scans only when needed', () => {
	it('prefetch starts the first scan early; the first check shares it instead of scanning again', async () => {
		let scans = 0;
		const probe = new LivenessProbe(host, {readTable: async () => (scans++, readProcessTable())});
		probe.prefetch();
		probe.prefetch();
		const result = await probe.check([session(1, process.pid)]);
		assert.equal(result.get(1)?.state, 'alive');
		assert.equal(scans, 1);
		probe.prefetch();
		assert.equal(scans, 1, 'prefetch does nothing once a scan was made');
	});

	it('no rescan without change; rescan on a new PID, on a death, and after the interval', async () => {
		let clock = 1_000_000;
		let scans = 0;
		const probe = new LivenessProbe(host, {
			rescanIntervalMs: 60_000,
			now: () => clock,
			readTable: async () => {
				scans++;
				return readProcessTable();
			},
		});
		const a = await spawnLive();
		const sessions = [session(1, a.pid), session(2, null), session(3, process.pid, {hostname: 'elsewhere'})];

		let result = await probe.check(sessions);
		assert.equal(result.get(1)?.state, 'alive');
		assert.equal(result.get(2)?.state, 'no-pid');
		assert.equal(result.get(3)?.state, 'remote');
		assert.equal(scans, 1);
		assert.equal(probe.scans, 1);

		clock += 10_000;
		result = await probe.check(sessions);
		assert.equal(result.get(1)?.state, 'alive');
		assert.ok(result.get(1)?.processStartedAt != null, 'start time kept from the last scan');
		assert.equal(scans, 1, 'second check with no change does not rescan');

		const b = await spawnLive();
		sessions.push(session(4, b.pid));
		result = await probe.check(sessions);
		assert.equal(result.get(4)?.state, 'alive');
		assert.equal(scans, 2, 'a new PID triggers a scan');
		assert.ok(probe.table.has(b.pid));

		await probe.check(sessions);
		assert.equal(scans, 2);

		await killAndWait(b);
		result = await probe.check(sessions);
		assert.equal(result.get(4)?.state, 'dead');
		assert.equal(result.get(1)?.state, 'alive');
		assert.equal(scans, 3, 'a PID that died triggers a scan');

		await probe.check(sessions);
		assert.equal(scans, 3, 'dead stays dead: no scan');

		clock += 60_000;
		await probe.check(sessions);
		assert.equal(scans, 4, 'rescan once the interval has passed');
		assert.equal(probe.scans, 4);

		await killAndWait(a);
	});

	it('no rescan on the interval while every local PID is dead: one coming back is a change of its own', async () => {
		let clock = 1_000_000;
		let scans = 0;
		const probe = new LivenessProbe(host, {
			rescanIntervalMs: 60_000,
			now: () => clock,
			readTable: async () => (scans++, readProcessTable()),
		});
		const sessions = [session(1, await deadPid()), session(2, await deadPid())];
		await probe.check(sessions);
		assert.equal(scans, 1, 'the first check scans');
		for (let minute = 0; minute < 3; minute++) {
			clock += 60_000;
			assert.equal((await probe.check(sessions)).get(1)?.state, 'dead');
		}
		assert.equal(scans, 1, 'dead PIDs need no rescan');
	});

	it('concurrent checks share one scan', async () => {
		let scans = 0;
		const probe = new LivenessProbe(host, {readTable: async () => (scans++, readProcessTable())});
		const sessions = [session(1, process.pid)];
		const [r1, r2] = await Promise.all([probe.check(sessions), probe.check(sessions)]);
		assert.equal(r1.get(1)?.state, 'alive');
		assert.equal(r2.get(1)?.state, 'alive');
		assert.equal(scans, 1);
	});

	it('a failing table read does not break checks', async () => {
		const probe = new LivenessProbe(host, {
			readTable: () => Promise.reject(new Error('ps missing')),
		});
		const result = await probe.check([session(1, process.pid)]);
		assert.deepEqual(result.get(1), {state: 'alive', processStartedAt: null});
		assert.equal(probe.table.size, 0);
	});
});

describe('readProcfsTable', () => {
	it('reads parents and start times from /proc/PID/stat, counting fields after the last ")" of the command name', () => {
		const root = tempDir('procfs-');
		fs.writeFileSync(path.join(root, 'stat'), 'cpu  1 2 3\nbtime 1700000000\nprocesses 9\n');
		// Fields 3..22 after the name: state, ppid, then 16 more, then starttime (ticks since boot).
		const stat = (pid: number, name: string, ppid: number, ticks: number) =>
			`${pid} (${name}) S ${ppid} ${Array.from({length: 17}, (_, i) => i).join(' ')} ${ticks} 0 0\n`;
		for (const [pid, text] of [
			[7, stat(7, 'sh', 1, 250)],
			[8, stat(8, 'a) S 99 (b', 7, 1000)],
		] as const) {
			fs.mkdirSync(path.join(root, String(pid)));
			fs.writeFileSync(path.join(root, String(pid), 'stat'), text);
		}
		fs.mkdirSync(path.join(root, 'self'));
		fs.mkdirSync(path.join(root, '9')); // exited: no stat file any more
		const table = readProcfsTable(root)!;
		assert.deepEqual(
			[...table.values()].sort((a, b) => a.pid - b.pid),
			[
				{pid: 7, ppid: 1, startedAt: 1_700_000_002_500},
				{pid: 8, ppid: 7, startedAt: 1_700_000_010_000},
			],
		);
		assert.equal(readProcfsTable(path.join(root, 'missing')), null);
	});

	it('agrees with ps on this machine (Linux)', {skip: process.platform !== 'linux'}, async () => {
		const child = await spawnLive();
		const table = readProcfsTable()!;
		assert.equal(table.get(child.pid)?.ppid, process.pid);
		assert.ok(Math.abs(table.get(child.pid)!.startedAt! - Date.now()) < 5000, 'started just now');
		await killAndWait(child);
	});
});

describe('findAncestorSession', () => {
	it('finds the session registered with our parent (the test runner) or with us; nearest wins', async () => {
		const table = await readProcessTable();
		assert.ok(table.has(process.pid));
		assert.equal(table.get(process.pid)?.ppid, process.ppid);

		assert.equal(findAncestorSession([session(10, 999_999), session(11, process.ppid)], host, table), 11);
		assert.equal(findAncestorSession([session(12, process.pid)], host, table), 12);
		assert.equal(findAncestorSession([session(11, process.ppid), session(12, process.pid)], host, table), 12);
		// The latest registration on the same PID wins.
		const now = Date.now();
		assert.equal(
			findAncestorSession(
				[session(13, process.ppid, {registeredAtMs: now}), session(14, process.ppid, {registeredAtMs: now - 1000})],
				host,
				table,
			),
			13,
		);
	});

	it('returns null when no session is an ancestor, or the match is on another host', async () => {
		const table = await readProcessTable();
		const child = await spawnLive();
		assert.equal(findAncestorSession([], host, table), null);
		assert.equal(findAncestorSession([session(1, child.pid), session(2, null), session(3, 0)], host, table), null);
		assert.equal(findAncestorSession([session(4, process.pid, {hostname: 'elsewhere'})], host, table), null);
		await killAndWait(child);
	});

	it('skips a session whose PID was reused by an ancestor started after it registered', async () => {
		const table = await readProcessTable();
		const stale = session(20, process.pid, {registeredAtMs: Date.now() - 86_400_000 * 365});
		assert.equal(findAncestorSession([stale], host, table), null);
		assert.equal(findAncestorSession([stale, session(21, process.ppid, {registeredAtMs: null})], host, table), 21);
	});

	it('works with an empty table (our own parent is still known)', () => {
		const empty: ProcessTable = new Map();
		assert.equal(findAncestorSession([session(30, process.ppid)], host, empty), 30);
		assert.equal(findAncestorSession([session(31, 999_999)], host, empty), null);
	});

	it('walks a synthetic chain and survives a ppid cycle', () => {
		const t: ProcessTable = new Map([
			[500, {pid: 500, ppid: 400, startedAt: null}],
			[400, {pid: 400, ppid: 300, startedAt: null}],
			[300, {pid: 300, ppid: 500, startedAt: null}],
		]);
		assert.equal(findAncestorSession([session(1, 300)], host, t, 500), 1);
		assert.equal(findAncestorSession([session(1, 300), session(2, 400)], host, t, 500), 2);
		assert.equal(findAncestorSession([session(1, 200)], host, t, 500), null);
	});
});
