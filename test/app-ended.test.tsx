import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {BusWriter} from '../source/bus/writer.js';
import {ENDED_PAGE} from '../source/ui/hooks/use-ended-pages.js';
import {withDb} from './helpers/cli.js';
import {KEYS, openDashboard, standardBus} from './helpers/app-harness.js';

/** More ended sessions than two pages, beside the standard bus (whose old-500 has ended too). */
const HISTORY = 2 * ENDED_PAGE + 50;

describe('App: ended sessions, a page at a time', () => {
	it('e lists every ended session exactly, newest first, reading more as the selection moves down; e again hides them', async () => {
		const ui = await openDashboard({
			setup: (dbPath, pids) => {
				standardBus(dbPath, pids);
				const bus = new BusWriter(dbPath);
				bus.db.transaction(() => {
					for (let i = 0; i < HISTORY; i++) {
						bus.register({sessionId: `hist-${i}`, registeredAt: Date.now() - (HISTORY - i) * 60_000, announce: false});
						bus.db.prepare(`UPDATE session_registry SET status = 'ended' WHERE session_id = ?`).run(`hist-${i}`);
					}
				})();
				bus.close();
			},
		});
		const ended = withDb(
			ui.dbPath,
			db => db.prepare(`SELECT session_id FROM session_registry WHERE status = 'ended' ORDER BY rowid DESC`).pluck().all() as string[],
		);
		assert.equal(ended.length, HISTORY + 1);
		await ui.waitFor('gemini-300');
		assert.ok(!ui.frame().includes('hist-'), 'hidden at first');
		await ui.press('e');
		await ui.waitFor(`Ended sessions: ${ENDED_PAGE} of ${ended.length} listed, newest first; more as you move down`);

		// Down a page at a time, noting the ended sessions each frame shows, until the last is selected.
		const seen: string[] = [];
		const note = (frame: string) => {
			for (const line of frame.split('\n')) {
				const match = /^[ ▶]*([\w-]+) .* ended\b/.exec(line);
				if (match && !seen.includes(match[1])) seen.push(match[1]);
			}
		};
		note(ui.frame());
		const last = `${ended.length + 3}/${ended.length + 3}`;
		// The selected index, not the whole `n/m`: m grows when a page arrives, which is no sign the key was handled.
		const selected = () => ui.position()?.split('/')[0];
		const listed = () => Number(ui.position()?.split('/')[1]);
		for (let press = 0; press < 100 && ui.position() !== last; press++) {
			// On the last row listed, the next page is on its way (asked for a screen earlier) and a key
			// pressed before it arrives has nowhere to move to: wait for the page, not for the key.
			if (selected() === String(listed()) && ui.frame().includes('more as you move down')) {
				const rows = listed();
				await ui.waitFor(() => listed() > rows, `the page after row ${rows}`);
			}
			const before = selected();
			await ui.press(KEYS.pageDown);
			note(await ui.waitFor(() => selected() !== before, `the selection to move on from ${before}`));
		}
		await ui.waitFor(`Ended sessions: ${ended.length} of ${ended.length} listed, newest first`);
		note(ui.frame());
		assert.equal(ui.position(), last, 'every session listed, the last one selected');
		assert.deepEqual(seen, ended, 'every ended session, once each, newest registered first');

		await ui.press('e');
		await ui.waitFor(frame => !frame.includes('hist-') && !frame.includes('Ended sessions:'), 'hidden again');
	});
});
