import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import {Notifications, commandNotifier} from '../source/monitor/notify.js';
import {NotifierProcesses} from '../source/processes/notifier.js';
import {withWriter} from './helpers/fixtures.js';
import {KEYS, openDashboard} from './helpers/app-harness.js';

/** Notifications in the App: a hung notifier is reported in the status bar, its output never drawn; the `!` marks and their help. */

describe('App: notifications', () => {
	it('says in the status bar that a hung notifier was killed, and never draws its output', async () => {
		const notifications = new Notifications();
		notifications.add(
			commandNotifier(
				{shell: 'printf "NOTIFIER-OUT \\033[2J"; printf "NOTIFIER-ERR" >&2; sleep 30'},
				report => notifications.report(report),
				new NotifierProcesses({timeoutMs: 300}),
			),
		);
		const ui = await openDashboard({notifications, live: {onReading: notifications.observe}});
		try {
			withWriter(ui.dbPath, bus => bus.alert({type: 'file_conflict', priority: 3, sessions: ['codex-41200'], filePath: 'x.py'}));
			await ui.waitFor('Notifier killed after 0.3 s: it did not finish');
			assert.ok(!ui.frames().some(frame => frame.includes('NOTIFIER-')), 'the notifier output is not on screen');
		} finally {
			notifications.stop();
		}
	});
});

describe('App: what needs you', () => {
	it('marks the tabs with ! and the help explains it', async () => {
		const ui = await openDashboard({
			setup: (dbPath, pids) =>
				withWriter(dbPath, bus => {
					bus.register({sessionId: 'calm-1', pid: pids.claude, hostname: os.hostname()});
					bus.register({sessionId: 'gone-2', pid: pids.dead, hostname: os.hostname()});
					bus.lock('a.py', 'gone-2');
				}),
			config: {sessionId: null},
		});
		assert.match(ui.tabBar(), /1 Sessions 2! +2 Locks 1! +3 Claims 0 +4 Alerts 0 +5 Unread 0 /);
		assert.match(ui.frame(), /gone-2[^\n]*\n[^\n]*calm-1/, 'the dead holder first');
		await ui.press('?', 'G');
		const help = await ui.waitFor('Marks');
		assert.match(help, /! +after a tab's count: it holds something that needs you/);
		assert.match(help, /▶ +the current session/);
		await ui.press(KEYS.esc);
		await ui.waitFor('SESSION');
	});
});
