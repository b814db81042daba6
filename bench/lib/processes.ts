import {type ChildProcess, execFileSync, spawn, spawnSync} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import {ROOT} from './config.js';

// Every child the bench starts is killed when it exits, on any path (importing this module arms it).
const children = new Set<ChildProcess>();

/** Registers `child` to be killed when the bench exits. */
export function track(child: ChildProcess): ChildProcess {
	children.add(child);
	child.once('exit', () => children.delete(child));
	return child;
}
function killAll(): void {
	for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		killAll();
		process.exit(130);
	});
}

/** A live process standing in for a local agent. */
export async function spawnSleeper(): Promise<{pid: number; kill: () => void}> {
	const child = track(spawn('sleep', ['86400'], {stdio: 'ignore'}));
	await once(child, 'spawn');
	return {pid: child.pid!, kill: () => child.kill('SIGKILL')};
}

/** The PID of a process that has exited (a dead agent). */
export async function deadPid(): Promise<number> {
	const child = spawn('true', [], {stdio: 'ignore'});
	await once(child, 'exit');
	return child.pid!;
}

/** The environment of every measured process. */
export function childEnv(): NodeJS.ProcessEnv {
	const env = {...process.env};
	// The TUI draws nothing under CI; the bench's choices must not be overridden from outside.
	for (const name of ['CI', 'SESSION_STATUS_DB', 'SESSION_STATUS_SESSION', 'NO_COLOR', 'FORCE_COLOR']) delete env[name];
	env['TERM'] = 'xterm-256color';
	return env;
}

/** python3 by its real path (so timings skip any shim), with its version and its sqlite3's. */
export function resolvePython(): {path: string; version: string; sqlite: string} {
	const reported = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {encoding: 'utf8'}).trim();
	const real = fs.realpathSync(reported);
	const [version, sqlite] = execFileSync(
		real,
		['-c', 'import sys, sqlite3; print(sys.version.split()[0]); print(sqlite3.sqlite_version)'],
		{encoding: 'utf8'},
	)
		.trim()
		.split('\n');
	return {path: real, version: version ?? '?', sqlite: sqlite ?? '?'};
}

/** Runs `command` to its end in the measured processes' environment; its exit status and what it printed. */
export function capture(command: string[]): {status: number | null; stdout: Buffer; stderr: string} {
	const [file, ...args] = command;
	const result = spawnSync(file, args, {cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024});
	return {status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8')};
}
