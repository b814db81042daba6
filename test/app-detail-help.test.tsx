import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {withWriter} from './helpers/fixtures.js';
import {CLAUDE_UUID, CODEX_CWD, CURRENT, KEYS, KEY_DESCRIPTIONS, fixturePids, openDashboard, standardBus} from './helpers/app-harness.js';

describe('App: detail views', () => {
	it('Enter opens the session detail with the full UUID and CWD; Esc goes back', async () => {
		const ui = await openDashboard();
		const {claude} = await fixturePids();
		await ui.waitForPosition('1/3');
		await ui.press(KEYS.enter);
		// Paths and UUIDs are code spans, as in the printed dashboard.
		const detail = (await ui.waitFor('Detail — Esc back')).replace(/`/g, '');
		assert.match(detail, /Session: claude-29583 \(THIS SESSION\)/);
		assert.ok(detail.includes(`Session UUID: ${CLAUDE_UUID}`));
		assert.ok(detail.includes('CWD: /Users/halcasteel/PROJECTS/coditect-rollout-master'));
		assert.ok(detail.includes(`PID: ${claude} (uptime`));
		assert.ok(detail.includes('Claimed Task: H.13.7 (exclusive)'));
		assert.ok(!/ \d+\/\d+ /.test(detail.split('\n').at(-1)!), 'no list position in the detail');
		await ui.press(KEYS.esc);
		await ui.waitFor('SESSION');
		await ui.waitForPosition('1/3');

		// Third: gemini-300, dead holding a lock and a claim, needs the operator before codex (in a critical alert).
		await ui.press('j', 'j', KEYS.enter);
		const codex = (await ui.waitFor('Session: codex-41200')).replace(/`/g, '');
		assert.ok(codex.includes('f9e8d7c6-b5a4-3210-fedc-ba9876543210'));
		assert.ok(codex.includes(`CWD: ${CODEX_CWD}`), `the full CWD:\n${codex}`);
		await ui.press(KEYS.esc);
		await ui.waitForPosition('3/3');
	});

	it('alert and message details show the payload as pretty JSON and the reply thread', async () => {
		let reply = 0;
		const ui = await openDashboard({
			setup: (dbPath, pids) => {
				standardBus(dbPath, pids);
				withWriter(dbPath, bus => {
					const question = bus.send({
						senderId: 'codex-41200',
						recipientId: CURRENT,
						channel: 'coordination',
						priority: 3,
						payload: {text: 'Can I take H.13.7?'},
					});
					reply = bus.send({
						senderId: CURRENT,
						recipientId: 'codex-41200',
						channel: 'coordination',
						priority: 3,
						replyTo: question,
						payload: {text: 'Yes, take it.'},
					});
				});
			},
		});
		await ui.press('4', KEYS.enter);
		const alert = await ui.waitFor('Payload:');
		assert.match(alert, /\[CRITICAL\] project_conflict/);
		assert.match(alert, /^ +\{$/m);
		assert.match(alert, /^ +"sessions": \[$/m);
		assert.match(alert, /^ +"claude-29583",$/m);
		assert.match(alert, /^ +"action": "Coordinate task boundaries to avoid overlap"$/m);
		await ui.press(KEYS.esc);
		await ui.waitFor('PRIO');

		await ui.press('5');
		await ui.waitFor('Yes, take it.');
		await ui.filterTo('Yes, take');
		await ui.press(KEYS.enter);
		const detail = await ui.waitFor('Payload:');
		assert.ok(detail.includes(`Message #${reply} on coordination from ${CURRENT}`));
		assert.match(detail, /"text": "Yes, take it\."/);
		assert.match(detail, /Thread:\n +in reply to #\d+ from codex-41200/);
		await ui.press(KEYS.esc);
		await ui.waitFor('filter: Yes, take');
	});

	it('a long detail scrolls with j/k and says which lines it shows', async () => {
		const ui = await openDashboard({rows: 12});
		await ui.press(KEYS.enter);
		const top = await ui.waitFor(/Detail — Esc back, j\/k scroll \(1-\d+ of \d+\)/);
		assert.ok(top.includes('Session: claude-29583'));
		await ui.press('j', 'j');
		const scrolled = await ui.waitFor(/\(3-\d+ of \d+\)/);
		assert.ok(!scrolled.includes('Session: claude-29583'));
		await ui.press('g');
		await ui.waitFor(/\(1-\d+ of \d+\)/);
		// G goes to the end of the text (not to the last row of the list beneath); k works at once.
		await ui.press('G');
		const end = await ui.waitFor(frame => {
			const range = /\((\d+)-(\d+) of (\d+)\)/.exec(frame);
			return range !== null && range[2] === range[3] && range[1] !== '1';
		}, 'the end of the detail');
		const [, from] = /\((\d+)-(\d+) of (\d+)\)/.exec(end)!;
		await ui.press('G', 'G', 'k');
		await ui.waitFor(`(${Number(from) - 1}-`);
		await ui.press(KEYS.esc);
		await ui.waitForPosition('1/3');
	});
});

describe('App: help', () => {
	it('? lists every key of the keymap (scrolling when the terminal is short); Esc closes', async () => {
		for (const rows of [60, 24]) {
			const ui = await openDashboard({rows, columns: 80});
			await ui.press('?');
			await ui.waitFor('Keys');
			const seen = new Set<string>();
			// Scrolled a line at a time until the title's range reaches the last line (or no range: it all fits).
			for (let step = 0; step < 80; step++) {
				const frame = ui.frame();
				for (const description of KEY_DESCRIPTIONS) if (frame.includes(description)) seen.add(description);
				const range = /\((\d+)-(\d+) of (\d+)\)/.exec(frame);
				if (!range || range[2] === range[3]) break;
				await ui.press('j');
				await ui.waitFor(next => !next.includes(range[0]), 'the help scrolled');
			}
			const missing = KEY_DESCRIPTIONS.filter(text => !seen.has(text));
			assert.deepEqual(missing, [], `at ${rows} rows the help shows every key`);
			await ui.press(KEYS.esc);
			await ui.waitFor('SESSION');
			ui.close();
		}
	});
});
