import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import stringWidth from 'string-width';
import {KEYS, openDashboard} from './helpers/app-harness.js';

/** The screens a newcomer meets first: no bus yet, a file that is not a bus, keys that arrive together. */

describe('App: the first screen', () => {
	for (const columns of [80, 120]) {
		it(`with no bus at the path, says so whole at ${columns} columns, pointing at the demo`, async () => {
			const ui = await openDashboard({columns, rows: 24, setup: () => {}, ready: 'Database not found'});
			const lines = ui.frame().split('\n');
			for (const line of lines) assert.ok(stringWidth(line) <= columns, line);
			const text = lines.map(line => line.trim()).join(' ');
			assert.match(text, /Point elsewhere with --db PATH or SESSION_STATUS_DB=PATH, or try the demo bus: session-status demo/);
		});
	}

	it('a file that is not a bus says so, not "0 sessions"', async () => {
		const ui = await openDashboard({
			setup: dbPath => {
				const db = new Database(dbPath);
				db.exec('CREATE TABLE notes (text TEXT)');
				db.close();
			},
			ready: 'not a message bus',
		});
		assert.match(ui.frame().replace(/\n +/g, ' '), /no session_registry or session_messages table/);
		assert.doesNotMatch(ui.frame(), / live \d/, 'never shown as live');
	});
});

describe('App: keys that arrive together', () => {
	it('`j` and Enter in one write move, then open the detail of the row moved to', async () => {
		const ui = await openDashboard();
		await ui.waitForPosition('1/3');
		await ui.press(`j${KEYS.enter}`);
		const detail = await ui.waitFor('Detail — Esc back');
		// The second row: gemini-300, dead holding a lock, needs the operator first.
		assert.match(detail, /Session: gemini-300/);
	});

	it('`/pilot` and Enter in one write keep the filter "pilot"; no raw control character reaches the frame', async () => {
		const ui = await openDashboard();
		await ui.press(`/pilot${KEYS.enter}`);
		const frame = await ui.waitFor('filter: pilot (');
		assert.doesNotMatch(frame, /[\r\u0000-\u0009\u000b-\u001f]/);
		await ui.press(`${KEYS.down}${KEYS.down}`);
		await ui.waitForPosition('2/2');
	});

	it('text pasted into the filter is taken as text, its control characters dropped', async () => {
		const ui = await openDashboard();
		await ui.press('/');
		await ui.waitFor('(Enter keeps, Esc clears)');
		await ui.press('co\u0007dex\u0001');
		const frame = await ui.waitFor('/codex');
		assert.doesNotMatch(frame, /[\u0000-\u0009\u000b-\u001f]/);
	});
});
