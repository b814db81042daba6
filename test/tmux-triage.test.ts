import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {tempDir, withWriter} from './helpers/fixtures.js';
import {LAUNCHER} from './helpers/cli.js';
import {attachClient, has, quote, sendKeys, skip, sleep, startSession, tmux, useTmuxServer, waitForScreen} from './helpers/tmux.js';

/**
 * The BUILT command line in tmux, with a client attached from a pseudo-terminal as a
 * person's terminal is: `o` switches that client from the dashboard's session to the
 * agent's pane in another session (found by its TTY, or as the ancestor of its PID, in
 * another window).
 */

/** Where each client is: `session pane` lines. */
const clients = () => tmux('list-clients', '-F', '#{client_session} #{pane_id}').trim();

async function until(test: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!test()) {
		if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
		await sleep(50);
	}
}

describe('the built CLI in tmux: o', {skip}, () => {
	useTmuxServer();
	const pids: number[] = [];
	after(() => {
		for (const pid of pids) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone already
			}
		}
	});

	it('o switches the attached client to the agent pane: by TTY in another session, by PID ancestor in another window', async () => {
		const dir = tempDir('session-status-jump-');
		const dbPath = path.join(dir, 'messaging.db');
		// The agent found by its TTY: a session of its own.
		tmux('new-session', '-d', '-s', 'agent-tty', '-x', '100', '-y', '30', 'sleep 600');
		const ttyPane = tmux('display-message', '-p', '-t', 'agent-tty', '#{pane_id} #{pane_tty}').trim().split(' ');
		// The agent found through its PID: a child of the shell in the second window of another session.
		const pidFile = path.join(dir, 'agent.pid');
		tmux('new-session', '-d', '-s', 'agent-pid', '-x', '100', '-y', '30', 'sleep 600');
		tmux('new-window', '-t', 'agent-pid', `sh -c ${quote(`sleep 600 & echo $! > ${quote(pidFile)}; wait`)}`);
		const pidPane = tmux('display-message', '-p', '-t', 'agent-pid:1', '#{pane_id}').trim();
		tmux('select-window', '-t', 'agent-pid:0');
		await until(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', 'the agent PID');
		const agentPid = Number(fs.readFileSync(pidFile, 'utf8'));
		withWriter(dbPath, bus => {
			bus.register({sessionId: 'claude-tty', hostname: os.hostname(), tty: ttyPane[1].replace('/dev/', ''), pid: null, projectId: 'A'});
			bus.register({sessionId: 'codex-pid', hostname: os.hostname(), pid: agentPid, projectId: 'B'});
		});

		startSession('ops', `${quote(LAUNCHER)} --db ${quote(dbPath)} --read-only --no-log`);
		await attachClient('ops');
		const opsPane = tmux('display-message', '-p', '-t', 'ops', '#{pane_id}').trim();
		await waitForScreen('ops', has('codex-pid'), 'the dashboard');
		assert.equal(clients(), `ops ${opsPane}`);

		sendKeys('ops', 'o');
		await until(() => clients() === `agent-tty ${ttyPane[0]}`, `the client on the agent-tty pane (now: ${clients()})`);
		await waitForScreen('ops', has(`Switched to claude-tty's pane (${ttyPane[0]})`), 'the confirmation');

		tmux('switch-client', '-c', tmux('list-clients', '-F', '#{client_name}').trim(), '-t', 'ops');
		sendKeys('ops', 'j', 'o');
		await until(() => clients() === `agent-pid ${pidPane}`, `the client on the agent-pid pane (now: ${clients()})`);
		assert.equal(tmux('display-message', '-p', '-t', 'agent-pid', '#{window_index}').trim(), '1', 'its window selected');
		pids.push(agentPid);
	});
});
