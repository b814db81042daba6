import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {stripVTControlCharacters} from 'node:util';
import stringWidth from 'string-width';
import {KEYS, TAB_HEADERS, openDashboard} from './helpers/app-harness.js';

/** Fails unless the frame fits the terminal: at most `rows - 1` lines, none wider than `columns`. */
function checkFrame(frame: string, columns: number, rows: number, what: string): void {
	const lines = frame.split('\n');
	assert.ok(lines.length <= rows - 1, `${what}: ${lines.length} lines in a ${rows}-row terminal:\n${frame}`);
	for (const line of lines) {
		const width = stringWidth(stripVTControlCharacters(line));
		assert.ok(width <= columns, `${what}: a line ${width} cells wide in ${columns} columns: ${JSON.stringify(line)}`);
	}
}

describe('App: sizes', () => {
	for (const [columns, rows] of [
		[40, 20],
		[80, 24],
		[100, 30],
		[40, 10],
	] as const) {
		it(`fits ${columns}x${rows}: every tab, detail, filter, help and prompt`, async () => {
			const ui = await openDashboard({columns, rows});
			await ui.waitFor('claude-29583');
			for (const key of Object.keys(TAB_HEADERS)) {
				await ui.press(key);
				await ui.waitFor(TAB_HEADERS[key].slice(0, 4), `tab ${key}`);
				checkFrame(ui.frame(), columns, rows, `tab ${key}`);
				if (key !== '7') {
					await ui.press(KEYS.enter);
					await ui.waitFor('Detail');
					checkFrame(ui.frame(), columns, rows, `detail of tab ${key}`);
					await ui.press(KEYS.esc);
				}
			}
			await ui.press('1', '/');
			await ui.type('c');
			await ui.waitFor('/c▏');
			checkFrame(ui.frame(), columns, rows, 'filter');
			await ui.press(KEYS.enter, 'G', 'L');
			await ui.waitFor('Log entry');
			checkFrame(ui.frame(), columns, rows, 'a long message');
			await ui.press('4', 'A');
			await ui.waitFor('y confirms');
			checkFrame(ui.frame(), columns, rows, 'a prompt');
			await ui.press('n', '?');
			await ui.waitFor('Keys');
			checkFrame(ui.frame(), columns, rows, 'help');
			await ui.press('q');
		});
	}

	it('at 40 columns the tab bar spells out the active tab, whichever it is', async () => {
		const ui = await openDashboard({columns: 40, rows: 20});
		const names = ['Sessions', 'Locks', 'Claims', 'Alerts', 'Unread', 'Lifecycle', 'Stats'];
		for (const [index, name] of names.entries()) {
			await ui.press(String(index + 1));
			await ui.waitFor(TAB_HEADERS[String(index + 1)].slice(0, 4));
			assert.ok(ui.tabBar().includes(name), `tab ${name} in the bar: ${ui.tabBar()}`);
		}
	});

	it('at 40 columns keeps only the compact columns', async () => {
		const ui = await openDashboard({columns: 40, rows: 20});
		const frame = await ui.waitFor('claude-29583');
		assert.ok(!frame.includes('VENDOR'));
		assert.match(frame, /SESSION +STATE +BEAT/);
	});

	for (const [columns, rows] of [
		[30, 8],
		[39, 20],
		[60, 9],
	] as const) {
		it(`says "Terminal too small" at ${columns}x${rows}, and q still quits`, async () => {
			const ui = await openDashboard({columns, rows, ready: 'Terminal too small'});
			const lines = ui.frame().split('\n');
			assert.ok(lines.length < rows, 'it fits the terminal');
			for (const line of lines) assert.ok(stringWidth(line) <= columns, line);
			assert.match(
				lines.map(line => line.trim()).join(' '),
				new RegExp(`Terminal too small: ${columns}x${rows}, need at least 40x10\\. q quits\\.`),
				'whole, with the size it needs',
			);
			await ui.press('q');
			await ui.waitForQuit();
		});
	}
});
