import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {type PaneTarget, findPane, parsePanes, tmuxSocket} from '../source/processes/tmux.js';
import type {ProcessTable} from '../source/processes/liveness.js';

/** Finding an agent's pane, pure: by TTY written either way, else through the PID's ancestors. */

const panes = parsePanes(
	['%1\t@1\t$1\t/dev/pts/3\t100', '%2\t@2\t$1\t/dev/pts/4\t200', '%7\t@5\t$2\t/dev/pts/9\t300', 'garbage'].join('\n'),
);

const target = (patch: Partial<PaneTarget>): PaneTarget => ({
	sessionId: 's',
	tty: null,
	pid: null,
	hostname: null,
	machineUuid: null,
	pidReused: false,
	...patch,
});

/** 250 -> 240 -> 200 (a pane's shell) -> 1. */
const table: ProcessTable = new Map([
	[250, {pid: 250, ppid: 240, startedAt: null}],
	[240, {pid: 240, ppid: 200, startedAt: null}],
	[200, {pid: 200, ppid: 1, startedAt: null}],
	[1, {pid: 1, ppid: 0, startedAt: null}],
]);

describe('findPane', () => {
	it('matches a TTY written as pts/3 or /dev/pts/3', () => {
		assert.equal(panes.length, 3, 'a line that is not a pane is skipped');
		assert.equal(findPane(panes, target({tty: 'pts/3'}), new Map())?.paneId, '%1');
		assert.equal(findPane(panes, target({tty: '/dev/pts/9'}), new Map())?.paneId, '%7');
	});

	it('else finds the pane whose process is the PID or one of its ancestors; never through a reused PID', () => {
		assert.equal(findPane(panes, target({tty: 'pts/77', pid: 250}), table)?.paneId, '%2');
		assert.equal(findPane(panes, target({pid: 300}), table)?.paneId, '%7', 'the pane process itself');
		assert.equal(findPane(panes, target({pid: 250, pidReused: true}), table), null);
		assert.equal(findPane(panes, target({pid: 999}), table), null);
	});

	it('reads the server socket from $TMUX, commas in its path and all', () => {
		assert.equal(tmuxSocket({TMUX: '/tmp/tmux-0/default,1234,0'}), '/tmp/tmux-0/default');
		assert.equal(tmuxSocket({TMUX: '/tmp/a,b/sock,1234,5'}), '/tmp/a,b/sock');
		assert.equal(tmuxSocket({}), null);
	});
});
