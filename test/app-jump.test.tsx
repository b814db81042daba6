import {before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import {withWriter} from './helpers/fixtures.js';
import {KEYS, fixturePids, openDashboard, standardBus} from './helpers/app-harness.js';
import {skip, socketPath, tmux, useTmuxServer} from './helpers/tmux.js';

/**
 * `o` in the App: the sentence for each case it cannot jump, the prompt that chooses among
 * an alert's sessions, and which session each kind of row names. A tmux server of the
 * file's own with no agent pane shows which session `o` looked for; the jump itself is
 * checked with a real client in tmux-triage.test.ts.
 */

const NOT_IN_TMUX = "Not inside tmux: o switches to an agent's pane when the dashboard runs in tmux";

describe('App: o outside tmux', () => {
	it('says so in a sentence, and names a session on another machine as such', async () => {
		const ui = await openDashboard({
			setup: (dbPath, pids) => {
				standardBus(dbPath, pids);
				withWriter(dbPath, bus => bus.register({sessionId: 'remote-7', hostname: 'build-box', pid: 4242, projectId: 'ZZ'}));
			},
		});
		await ui.press('o');
		await ui.waitFor(NOT_IN_TMUX);
		await ui.filterTo('remote-7');
		await ui.press('o');
		await ui.waitFor('remote-7 runs on another machine (build-box): its pane is not reachable from here');
	});

	it('on an alert naming several sessions asks which; a number chooses, any other key cancels', async () => {
		const ui = await openDashboard();
		await ui.press('4');
		await ui.waitFor('project_conflict');
		await ui.press('o');
		await ui.waitFor('Jump to which session? 1 claude-29583  2 codex-41200  (Esc cancels)');
		await ui.press(KEYS.esc);
		await ui.waitFor('Cancelled');
		await ui.press('o');
		await ui.waitFor('Jump to which session?');
		await ui.press('2');
		await ui.waitFor(NOT_IN_TMUX);
		assert.match(ui.frame(), /project_conflict/, 'back on the list');
	});
});

describe('App: o in tmux, with no pane of the agent', {skip}, () => {
	useTmuxServer({builtCli: false});
	before(() => tmux('new-session', '-d', '-s', 'other', 'sleep 600'));
	/** As a pane of that server would see it (the dashboard's own pane is not one of its). */
	const inTmux = () => ({...process.env, TMUX: `${socketPath()},1,0`, TMUX_PANE: '%999'});

	it('names the session it looked for: the session row, the chosen one of an alert, the holder of a lock, the sender of a message', async () => {
		const {codex, dead} = await fixturePids();
		const ui = await openDashboard({environment: inTmux()});
		// Each step names another session than the one before, so each sentence is new.
		await ui.press('G', 'o');
		await ui.waitFor(`No pane of this tmux server holds codex-41200 (no tty, PID ${codex})`);
		await ui.press('2');
		await ui.filterTo('guide.md');
		await ui.press('o');
		await ui.waitFor(`No pane of this tmux server holds gemini-300 (no tty, PID ${dead})`, 'the holder of a lock');
		await ui.press('4', 'o', '1');
		await ui.waitFor(/No pane of this tmux server holds claude-29583 \(no tty, PID \d+\)/);
		await ui.press('j', 'j', 'o');
		await ui.waitFor(`No pane of this tmux server holds gemini-300 (no tty, PID ${dead})`, 'an alert naming one session: no prompt');
		await ui.press('5', 'o');
		await ui.waitFor(`No pane of this tmux server holds codex-41200 (no tty, PID ${codex})`, 'the sender of a message');
	});

	it('matches a TTY whichever way it is written, and says when a session is not registered', async () => {
		const tty = tmux('display-message', '-p', '-t', 'other', '#{pane_tty}').trim();
		const ui = await openDashboard({
			environment: inTmux(),
			setup: (dbPath, pids) => {
				standardBus(dbPath, pids);
				withWriter(dbPath, bus => {
					bus.register({sessionId: 'tty-agent', hostname: os.hostname(), pid: null, tty: tty.replace('/dev/', ''), projectId: 'ZZ'});
					bus.alert({type: 'file_conflict', priority: 1, sessions: ['ghost-1'], filePath: 'g.py'});
				});
			},
		});
		await ui.filterTo('tty-agent');
		await ui.press('o');
		// Found, but no client is attached to switch.
		await ui.waitFor('No tmux client is attached to show the pane');
		await ui.press(KEYS.esc, '4', 'G', 'o');
		await ui.waitFor('ghost-1 is not a registered session: no pane to find');
	});
});
