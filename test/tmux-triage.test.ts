import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {tempDir, withWriter} from './helpers/fixtures.js';
import {LAUNCHER} from './helpers/cli.js';
import {RECORDER, addHostileAlert, recorded, shellRecorder} from './helpers/notify.js';
import {
	TAB_BAR,
	attachClient,
	has,
	quote,
	sendKeys,
	skip,
	sleep,
	startSession,
	tmux,
	useTmuxServer,
	waitForScreen,
} from './helpers/tmux.js';

/**
 * The BUILT command line in tmux, with a client attached from a pseudo-terminal as a
 * person's terminal is: `o` switches that client from the dashboard's session to the
 * agent's pane in another session (found by its TTY, or as the ancestor of its PID, in
 * another window); `--notify` and the config file's notifier get a hostile alert as data.
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

describe('the built CLI in tmux: o and --notify', {skip}, () => {
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

	it('--notify and the config file notifier get a hostile alert as data: nothing runs', async () => {
		const dir = tempDir('session-status-notify-');
		const dbPath = path.join(dir, 'messaging.db');
		const file = path.join(dir, 'FILE');
		withWriter(dbPath, bus => bus.register({sessionId: 'claude-1', hostname: os.hostname(), pid: process.pid}));
		const shellOut = fs.mkdtempSync(path.join(dir, 'shell-'));
		const shell = shellRecorder(shellOut, quote);
		const argvOut = fs.mkdtempSync(path.join(dir, 'argv-'));
		const config = path.join(dir, 'config.json');
		fs.writeFileSync(config, JSON.stringify({notify: [process.execPath, '-e', RECORDER, argvOut]}));

		const common = `${quote(LAUNCHER)} --db ${quote(dbPath)} --no-log --read-only`;
		startSession('notify-flag', `${common} --notify ${quote(shell)}`);
		startSession('notify-config', `${common} --config ${quote(config)}`);
		for (const name of ['notify-flag', 'notify-config']) await waitForScreen(name, has(TAB_BAR), `the dashboard in ${name}`);
		addHostileAlert(dbPath, file);

		const fromFlag = await recorded(shellOut);
		const fromConfig = await recorded(argvOut);
		assert.equal(fromFlag['TITLE'], `Critical alert: file_conflict;touch ${file}`);
		assert.equal(fromConfig['TITLE'], fromFlag['TITLE']);
		assert.equal(fromConfig['BODY'], fromFlag['BODY']);
		assert.ok(fromFlag['BODY'].includes(`#(touch ${file})`), fromFlag['BODY']);
		assert.equal(fromFlag['stdin.json'], fromConfig['stdin.json']);
		assert.equal((JSON.parse(fromFlag['stdin.json']) as {event: string}).event, 'critical-alert');
		await sleep(300);
		assert.ok(!fs.existsSync(file), 'FILE was never created');
		for (const name of ['notify-flag', 'notify-config']) {
			sendKeys(name, 'q');
			assert.match(await waitForScreen(name, has('EXIT='), 'the exit marker'), /^EXIT=0$/m);
		}
	});
});
