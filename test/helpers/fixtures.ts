import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawn, type ChildProcess} from 'node:child_process';
import {BusWriter} from '../../source/bus/writer.js';

// What the test process leaves behind, cleaned up by one exit listener (one per folder or
// child would pass Node's listener limit and warn).
const folders = new Set<string>();
const children = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of children) child.kill('SIGKILL');
	for (const dir of folders) fs.rmSync(dir, {recursive: true, force: true});
});

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'session-status-'): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	folders.add(dir);
	return dir;
}

/** A real process that stays alive until killed (or the test process exits). */
export function liveProcess(): ChildProcess {
	const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
	children.add(child);
	child.once('exit', () => children.delete(child));
	return child;
}

/** The PID of a process that has already exited. */
export async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', '0'], {stdio: 'ignore'});
	await new Promise(resolve => child.once('exit', resolve));
	return child.pid!;
}

export const MACHINE = 'd3d3a316-09c6-8f41-4a3f-d93e422d199c';

/**
 * The documentation's two-session example, on this host, with real processes:
 * claude-29583 (the given pid) and codex-41200 (another live pid).
 */
export function documentedExample(dbPath: string, pids: {claude: number; codex: number}, now = Date.now()): BusWriter {
	const bus = new BusWriter(dbPath);
	const host = os.hostname();
	bus.register({
		sessionId: 'claude-29583',
		sessionUuid: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
		machineUuid: MACHINE,
		hostname: host,
		vendor: 'claude',
		model: 'opus-4.6',
		projectId: 'PILOT',
		cwd: '/Users/halcasteel/PROJECTS/coditect-rollout-master',
		pid: pids.claude,
		registeredAt: now,
	});
	bus.register({
		sessionId: 'codex-41200',
		sessionUuid: 'f9e8d7c6-b5a4-3210-fedc-ba9876543210',
		machineUuid: MACHINE,
		hostname: host,
		vendor: 'codex',
		model: 'o3',
		projectId: 'PILOT',
		cwd: '/Users/halcasteel/PROJECTS/coditect-rollout-master/submodules/core/coditect-core',
		pid: pids.codex,
		registeredAt: now,
	});
	bus.claim('H.13.7', 'claude-29583');
	bus.claim('J.27.4', 'codex-41200');
	bus.lock('session_message_bus.py', 'claude-29583');
	bus.alert({
		type: 'project_conflict',
		priority: 3,
		sessions: ['claude-29583', 'codex-41200'],
		projectId: 'PILOT',
		action: 'Coordinate task boundaries to avoid overlap',
	});
	for (let i = 0; i < 3; i++)
		bus.send({senderId: 'codex-41200', recipientId: 'claude-29583', channel: 'coordination', payload: {text: `note ${i}`}});
	for (let i = 0; i < 3; i++) bus.send({senderId: 'claude-29583', channel: 'legacy', messageType: null, payload: {text: 'old'}});
	return bus;
}

/** Repeatable random integers below n, from a seed (Park-Miller: every step is exact in a double). */
export function seededRandom(seed: number): (n: number) => number {
	let state = seed;
	return n => (state = (state * 48_271) % 2_147_483_647) % n;
}

/** Runs `fn` on a fresh BusWriter over `dbPath` and closes it. */
export function withWriter<T>(dbPath: string, fn: (bus: BusWriter) => T): T {
	const bus = new BusWriter(dbPath);
	try {
		return fn(bus);
	} finally {
		bus.close();
	}
}

/** Polls `probe` until it gives a value, then returns it; fails naming `what` after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 10_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
