import {after, before} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {type ChildProcess, execFileSync, spawn, spawnSync} from 'node:child_process';
import {tempDir} from './fixtures.js';
import {LAUNCHER} from './cli.js';

/**
 * A tmux server of the test file's own (its own -L socket, away from any other tmux
 * server), started with the first command and killed after the file's last test, with
 * what the terminal tests do to it: start a command in a detached session, read the
 * screen, send keys, attach a client from a pseudo-terminal.
 */

export const SOCKET = `session-status-test-${process.pid}`;

export const hasTmux = spawnSync('tmux', ['-V'], {encoding: 'utf8'}).status === 0;
export const skip = hasTmux ? false : 'tmux is not installed (CI installs it): the terminal tests need it';

/** The full tab bar, drawn (a count may carry a `!`: something there needs the operator). */
export const TAB_BAR = /^ 1 Sessions \d+(?:\/\d+)?!? +2 Locks/m;

export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** The environment of the tmux server, hence of every pane: no CI (ink would draw nothing), a scratch HOME. */
function childEnv(home: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'xterm-256color'};
	for (const name of ['CI', 'NO_COLOR', 'FORCE_COLOR', 'TMUX', 'TMUX_PANE', 'SESSION_STATUS_DB', 'SESSION_STATUS_SESSION'])
		delete env[name];
	return env;
}

export let env: NodeJS.ProcessEnv = {};

const clients: ChildProcess[] = [];

/** Registers the file's hooks: the built CLI must exist (unless the file runs none); the server and its clients end after the last test. */
export function useTmuxServer({builtCli = true} = {}): void {
	before(() => {
		if (builtCli && !fs.existsSync(LAUNCHER))
			throw new Error(
				`${LAUNCHER} does not exist: this test runs the built CLI. Run \`npm run build\` first (\`npm test\` builds before testing).`,
			);
		env = childEnv(tempDir('session-status-tmux-home-'));
	});
	after(() => {
		for (const client of clients) client.kill('SIGKILL');
		// tmux leaves its socket file behind after kill-server: remove it too.
		const socketPath = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], {env, encoding: 'utf8'}).stdout.trim();
		spawnSync('tmux', ['-L', SOCKET, 'kill-server'], {env, stdio: 'ignore'});
		if (socketPath.endsWith(SOCKET)) fs.rmSync(socketPath, {force: true});
	});
}

/** The server's socket path, as a pane's $TMUX names it (`socket,pid,session`). */
export function socketPath(): string {
	return tmux('display-message', '-p', '#{socket_path}').trim();
}

export function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-u', '-L', SOCKET, '-f', '/dev/null', ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
}

export const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Starts `command` in a new detached session; the pane stays after it exits, showing `EXIT=<code>`. */
export function startSession(name: string, command: string, size = {x: 100, y: 30}): void {
	const script = `env -u CI ${command}; echo EXIT=$?; exec sleep 600`;
	tmux('new-session', '-d', '-s', name, '-x', String(size.x), '-y', String(size.y), `sh -c ${quote(script)}`);
}

export function screen(name: string): string {
	return tmux('capture-pane', '-p', '-t', name);
}

export async function waitForScreen(name: string, test: (text: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const text = screen(name);
		if (test(text)) return text;
		if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; the screen is:\n${text}`);
		await sleep(100);
	}
}

export const has = (needle: string | RegExp) => (text: string) => (typeof needle === 'string' ? text.includes(needle) : needle.test(text));

export function sendKeys(name: string, ...keys: string[]): void {
	for (const key of keys) tmux('send-keys', '-t', name, key);
}

/** A client attached to `session` from a pseudo-terminal (`script`), as a person's terminal would be; it waits until tmux lists it. */
export async function attachClient(session: string): Promise<ChildProcess> {
	const command = `stty cols 120 rows 32; exec tmux -u -L ${SOCKET} -f /dev/null attach -t ${session}`;
	const client = spawn('script', ['-qfc', command, '/dev/null'], {env, stdio: ['pipe', 'ignore', 'ignore']});
	clients.push(client);
	const deadline = Date.now() + 5000;
	while (!tmux('list-clients', '-F', '#{client_session}').split('\n').includes(session)) {
		if (Date.now() > deadline) assert.fail(`no client attached to ${session}`);
		await sleep(50);
	}
	return client;
}
