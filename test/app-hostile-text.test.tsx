import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import {withWriter} from './helpers/fixtures.js';
import {RAW_CONTROL} from './helpers/cli.js';
import {KEYS, TAB_HEADERS, openDashboard} from './helpers/app-harness.js';

describe('App: hostile text', () => {
	const EVIL_ID = 'evil-\u001b]0;pwned\u0007-\u009b2J-\u202eexe';

	it('never lets escape sequences, C1 controls or bidi overrides from the bus reach the frame', async () => {
		const ui = await openDashboard({
			config: {sessionId: EVIL_ID},
			setup: (dbPath, pids) =>
				withWriter(dbPath, bus => {
					bus.register({
						sessionId: EVIL_ID,
						sessionUuid: 'u\u001b[2J',
						hostname: os.hostname(),
						vendor: 'claude\u001b[31m',
						model: 'm\u009b1m',
						projectId: 'P\u202eX',
						tty: '/dev/\u001b[H',
						cwd: '/tmp/\u001bP+q\u001b\\x',
						pid: pids.claude,
						metadata: {note: '\u001b]52;c;AAAA\u0007'},
					});
					bus.lock('file\u001b[8m.py', EVIL_ID);
					bus.claim('T\u009b2J', EVIL_ID);
					bus.alert({
						type: 'file_conflict\u001b[5m',
						priority: 3,
						sessions: [EVIL_ID, 'x\u202ey'],
						filePath: '/a/\u001b]8;;http://evil\u0007b',
						action: 'do \u009b31m it',
					});
					bus.send({
						senderId: 'x\u001b[1m',
						recipientId: EVIL_ID,
						channel: 'c\u202e',
						payload: {text: 'hi \u001b[2J\u001b[H there \u009b \u202e'},
					});
					bus.send({senderId: 'y', recipientId: EVIL_ID, channel: 'raw', rawPayload: 'not json \u001b[31m\u0085\u202e'});
				}),
		});
		await ui.waitFor('evil-');
		for (const key of Object.keys(TAB_HEADERS)) {
			await ui.press(key);
			await ui.waitFor(TAB_HEADERS[key], `tab ${key}`);
			if (key !== '7') {
				await ui.press(KEYS.enter);
				await ui.waitFor('Detail');
				await ui.press('G', 'j', 'j');
				await ui.press(KEYS.esc);
			}
		}
		await ui.press('1', 'L');
		await ui.waitFor('Log entry');
		for (const [index, text] of ui.frames().entries()) {
			const found = RAW_CONTROL.exec(text.replace(/\n/g, ''));
			assert.equal(found, null, `frame ${index} holds a raw ${JSON.stringify(found?.[0])}:\n${text}`);
		}
		await ui.press('1');
		assert.ok((await ui.waitFor('evil-')).includes('\\x1b]0;pwned\\x07'), 'shown as a visible escape');
		await ui.press(KEYS.enter);
		const detail = await ui.waitFor('Session UUID');
		assert.ok(detail.includes('u\\x1b[2J'));
		assert.ok(detail.includes('P\\u202eX'));
	});
});
