import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type ChildProcess, execFileSync, spawn, spawnSync} from 'node:child_process';
import {BusWriter} from '../source/bus/writer.js';
import {tempDir} from './helpers/fixtures.js';
import {CLI, requireBuiltCli} from './helpers/cli.js';

/**
 * The readme's status-bar recipe in a real tmux status bar: a client attached from a
 * pseudo-terminal draws the bar, and what it drew is read back from the terminal's output.
 * The whole line and the clock after it must show, readable on tmux's default green bar.
 */

requireBuiltCli();

const hasTmux = spawnSync('tmux', ['-V'], {encoding: 'utf8'}).status === 0;
const hasScript = spawnSync('script', ['--version'], {encoding: 'utf8'}).status === 0;
const skip = hasTmux && hasScript ? false : 'tmux and script (util-linux) are needed: CI installs them';

const SOCKET = `session-status-bar-${process.pid}`;
const clients: ChildProcess[] = [];
after(() => {
	for (const client of clients) client.kill('SIGKILL');
	spawnSync('tmux', ['-L', SOCKET, 'kill-server'], {stdio: 'ignore'});
});

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A bus whose line is as long as lines get, and red: sessions, a dead one, a critical alert, mail. */
function busyBus(dir: string): string {
	const dbPath = path.join(dir, 'messaging.db');
	const bus = new BusWriter(dbPath);
	const host = os.hostname();
	for (const [id, pid] of [
		['claude-1', process.pid],
		['codex-2', process.pid],
		['gemini-3', 4_194_303],
		['claude-4', process.pid],
	] as const) {
		bus.register({sessionId: id, hostname: host, pid});
	}
	bus.alert({type: 'file_conflict', priority: 3, sessions: ['claude-1', 'codex-2'], filePath: 'a.py'});
	bus.alert({type: 'cwd_overlap', priority: 2, sessions: ['claude-1', 'codex-2'], cwd: '/repo'});
	for (let i = 0; i < 3; i++) bus.send({senderId: 'codex-2', recipientId: 'claude-1', payload: {text: `note ${i}`}});
	bus.close();
	return dbPath;
}

/** Where the readme's recipe points `session-status`: here the built CLI, run by this Node. */
function recipe(dir: string, dbPath: string): string {
	const command = path.join(dir, 'session-status');
	fs.writeFileSync(command, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(CLI)} --db ${quote(dbPath)} "$@"\n`, {mode: 0o755});
	const readme = fs.readFileSync(new URL('../readme.md', import.meta.url), 'utf8');
	const lines = /```tmux\n([\s\S]*?)```/.exec(readme)?.[1]?.split('\n') ?? [];
	const statusLines = lines.filter(line => /^set -g status-(right|right-length|interval)\b/.test(line));
	assert.ok(
		statusLines.some(line => line.startsWith('set -g status-right-length')),
		'the recipe sets status-right-length',
	);
	return statusLines
		.map(line => line.replace(/\bsession-status\b/, command).replace(/status-interval \d+/, 'status-interval 1'))
		.join('\n');
}

describe('the status-bar recipe in a real tmux status bar', {skip}, () => {
	it('shows the whole line and the clock, white on red when something is wrong', async () => {
		const dir = tempDir('session-status-bar-');
		const config = path.join(dir, 'tmux.conf');
		fs.writeFileSync(config, `${recipe(dir, busyBus(dir))}\n`);
		const env: NodeJS.ProcessEnv = {...process.env, HOME: dir, LANG: 'C.UTF-8', TERM: 'xterm-256color'};
		delete env['TMUX'];
		execFileSync('tmux', ['-L', SOCKET, '-f', config, 'new-session', '-d', '-s', 'bar', '-x', '150', '-y', '10', 'sleep 600'], {env});
		const out = path.join(dir, 'terminal.txt');
		const client = spawn('script', ['-qfc', `stty cols 150 rows 10; tmux -L ${SOCKET} attach -t bar`, out], {env, stdio: 'ignore'});
		clients.push(client);
		const line = '4 sessions · 1 dead · 2 alerts (1 critical) · 3 unread';
		let drawn = '';
		for (let waited = 0; waited < 10_000 && !drawn.includes(line); waited += 200) {
			await new Promise(resolve => setTimeout(resolve, 200));
			drawn = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
		}
		const text = drawn.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\u001b[()][A-Z0-9]/g, '');
		assert.ok(text.includes(line), `the whole line in the bar:\n${JSON.stringify(text.slice(-400))}`);
		assert.match(text.slice(text.lastIndexOf(line)), /^[^\n]*\d\d:\d\d/, 'the clock after it');
		// White on red, bold: whatever the bar's colour, it reads.
		const at = drawn.lastIndexOf(line.slice(0, 10));
		const before = drawn.slice(Math.max(0, at - 60), at);
		assert.match(
			before,
			/\u001b\[[0-9;]*(?:\b41\b|48;5;1\b)[0-9;]*m|\u001b\[41m/,
			`a red background before the line: ${JSON.stringify(before)}`,
		);
		assert.match(
			before,
			/\u001b\[[0-9;]*(?:\b37\b|97\b|38;5;7\b|38;5;15\b)[0-9;]*m|\u001b\[37m/,
			`a white foreground: ${JSON.stringify(before)}`,
		);
	});
});
