import {spawn} from 'node:child_process';
import type {Connection, Connector} from '../../source/fleet/remote.js';
import {escapeControls} from '../../source/text/sanitize.js';
import {CLI} from './cli.js';

/**
 * A connector running a command on this machine as a remote's transport (what the `exec`
 * transport does): `serveArgv` runs the built CLI's serve on a bus.
 */

export function serveArgv(dbPath: string, ...extra: string[]): string[] {
	return [process.execPath, CLI, 'serve', '--db', dbPath, ...extra];
}

export function commandConnector(argv: string[], env: NodeJS.ProcessEnv = process.env): Connector & {pids: number[]} {
	const pids: number[] = [];
	return {
		pids,
		connect(): Connection {
			const child = spawn(argv[0], argv.slice(1), {stdio: ['pipe', 'pipe', 'pipe'], detached: true, env});
			if (child.pid) pids.push(child.pid);
			let stderr = '';
			child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
			const exited = new Promise<{code: number | null; signal: string | null; error?: string}>(resolve => {
				child.on('error', error => resolve({code: null, signal: null, error: error.message}));
				child.on('exit', (code, signal) => resolve({code, signal}));
			});
			return {
				stdin: child.stdin,
				stdout: child.stdout,
				stderrText: () => escapeControls(stderr),
				exited,
				stop: () => {
					try {
						process.kill(-child.pid!, 'SIGKILL');
					} catch {
						// already gone
					}
				},
			};
		},
		explain: (exit, stderr) => ({
			why: exit.error ?? `exit ${exit.code ?? exit.signal}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
			transient: exit.code !== 127,
		}),
	};
}
