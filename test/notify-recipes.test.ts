import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {eventEnvironment, eventJson} from '../source/monitor/notify-events.js';
import {NotifierProcesses} from '../source/processes/notifier.js';
import {ROOT} from './helpers/cli.js';
import {tempDir} from './helpers/fixtures.js';
import {hostileEvent} from './helpers/notify.js';
import {attachClient, skip as noTmux, sleep, socketPath, tmux, useTmuxServer} from './helpers/tmux.js';

/**
 * The readme's notifier recipes, exactly as written there, each run with a hostile event
 * (texts holding `$(touch FILE)`, backticks, `;`, `#(touch FILE)`, newlines): none creates
 * FILE. A tool that is not installed here is replaced by a stub that records the
 * arguments it gets, so the recipe's quoting is checked all the same; tmux and curl run
 * for real.
 */

const readme = fs.readFileSync(path.join(ROOT, 'readme.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Notifications\n'), readme.indexOf('\n## ', readme.indexOf('\n## Notifications\n') + 1));
const RECIPES = new Map(
	Array.from(section.matchAll(/^session-status --notify '([^']*)'$/gm), match => [match[1].split(' ')[0], match[1]] as const),
);

const installed = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** A folder for one recipe's run, the FILE the event aims at, and the event. */
function hostile() {
	const dir = tempDir('session-status-recipe-');
	const file = path.join(dir, 'FILE');
	return {dir, file, event: hostileEvent(dir, file)};
}

/** A stand-in for `tool` that writes its arguments, NUL-separated, to `out`. */
function stub(dir: string, tool: string, out: string): string {
	const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
	fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\nfor arg do printf '%s\\0' "$arg"; done > '${out}'\n`, {mode: 0o755});
	return bin;
}

async function runRecipe(command: string, event: ReturnType<typeof hostileEvent>, env: Record<string, string> = {}) {
	return new NotifierProcesses().run({shell: command}, {env: {...eventEnvironment(event), ...env}, stdin: eventJson(event)});
}

describe('the readme recipes', () => {
	it('lists the four recipes', () => {
		assert.deepEqual([...RECIPES.keys()].sort(), ['curl', 'notify-send', 'osascript', 'tmux']);
	});

	for (const [tool, expected] of [
		['notify-send', (title: string, body: string) => ['-a', 'session-status', '--', title, body]],
		[
			'osascript',
			(title: string, body: string) => [
				'-e',
				'on run argv',
				'-e',
				'display notification (item 2 of argv) with title (item 1 of argv)',
				'-e',
				'end run',
				title,
				body,
			],
		],
	] as const) {
		it(`${tool}: the texts arrive as arguments, whole, and nothing runs`, async () => {
			const {dir, file, event} = hostile();
			const out = path.join(dir, 'argv');
			const real = installed(tool);
			const env: Record<string, string> = real ? {} : {PATH: `${stub(dir, tool, out)}:${process.env['PATH'] ?? ''}`};
			await runRecipe(RECIPES.get(tool)!, event, env);
			if (!real) assert.deepEqual(fs.readFileSync(out, 'utf8').split('\0').slice(0, -1), expected(event.title, event.body));
			await sleep(300);
			assert.ok(!fs.existsSync(file), 'FILE was not created');
		});
	}

	it(
		'curl: the JSON document is the request body, and nothing runs',
		{skip: installed('curl') ? false : 'curl is not installed'},
		async () => {
			const {file, event} = hostile();
			const received: Array<{type: string | undefined; body: string}> = [];
			const server = http.createServer((request, response) => {
				const chunks: Buffer[] = [];
				request.on('data', (chunk: Buffer) => chunks.push(chunk));
				request.on('end', () => {
					received.push({type: request.headers['content-type'], body: Buffer.concat(chunks).toString('utf8')});
					response.end('ok');
				});
			});
			await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
			try {
				const {port} = server.address() as {port: number};
				const command = RECIPES.get('curl')!.replace('https://hooks.example.com/session-status', `http://127.0.0.1:${port}/hook`);
				const outcome = await runRecipe(command, event, {NO_PROXY: '*', no_proxy: '*'});
				assert.deepEqual(outcome, {status: 'done', code: 0, signal: null, output: 'ok'});
				assert.equal(received.length, 1);
				assert.equal(received[0].type, 'application/json');
				assert.deepEqual(JSON.parse(received[0].body), JSON.parse(eventJson(event)));
				assert.ok(!fs.existsSync(file), 'FILE was not created');
			} finally {
				server.close();
			}
		},
	);

	describe('tmux', {skip: noTmux}, () => {
		useTmuxServer({builtCli: false});

		it('shows the message with every # doubled, so tmux runs nothing; the same text undoubled would have run', async () => {
			tmux('new-session', '-d', '-s', 'notes', '-x', '120', '-y', '30', 'sleep 600');
			await attachClient('notes');
			const tmuxEnv = {TMUX: `${socketPath()},1,0`};

			// tmux ties a #(...) job to the client that ran the command and drops it when that
			// client exits, which a short-lived `tmux display-message` may do before the job has
			// run: each command below keeps its client a second longer, so a job, if started, runs.
			const keepClient = ' \\; run-shell "sleep 1"';

			// The control: undoubled, tmux runs #(...) from the text.
			const naive = hostile();
			await runRecipe(`tmux display-message -d 5000 -- "$SESSION_STATUS_BODY"${keepClient}`, naive.event, tmuxEnv);
			const deadline = Date.now() + 5000;
			while (!fs.existsSync(naive.file) && Date.now() < deadline) await sleep(50);
			assert.ok(fs.existsSync(naive.file), 'tmux ran #(touch FILE) from an undoubled text');

			const {file, event} = hostile();
			const outcome = await runRecipe(RECIPES.get('tmux')! + keepClient, event, tmuxEnv);
			assert.equal(outcome.status === 'done' && outcome.code, 0, JSON.stringify(outcome));
			await sleep(1000);
			assert.ok(!fs.existsSync(file), 'FILE was not created');
			const log = tmux('show-messages');
			assert.ok(log.includes(`message: ${event.title}`), `tmux showed the message:\n${log}`);
		});
	});
});
