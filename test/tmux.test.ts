import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {execFileSync, spawnSync} from 'node:child_process';
import Database from 'better-sqlite3';
import stringWidth from 'string-width';
import {documentedExample, liveProcess, tempDir} from './helpers/fixtures.js';
import {BusWriter} from '../source/bus/writer.js';
import {LAUNCHER, launchedCommand} from './helpers/cli.js';
import {TAB_BAR, has, quote, sendKeys, skip, sleep, startSession, tmux, useTmuxServer, waitForScreen} from './helpers/tmux.js';

/**
 * The BUILT command line in a real terminal: tmux runs `dist/session-status` (the
 * installed command, which starts node on dist/cli.js) in a
 * detached session (with CI unset: ink draws nothing under CI=true), sends keys
 * and reads the screen with capture-pane. A dedicated tmux socket keeps it away
 * from any other tmux server; the server is killed afterwards.
 */

/** PIDs of processes whose command line matches `pattern` (pgrep -f). */
function pgrep(pattern: string): number[] {
	const result = spawnSync('pgrep', ['-f', pattern], {encoding: 'utf8'});
	return result.stdout
		.split('\n')
		.filter(Boolean)
		.map(Number)
		.filter(pid => pid !== process.pid);
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

async function waitUntilGone(pids: number[], timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (pids.some(alive) && Date.now() < deadline) await sleep(50);
	assert.deepEqual(pids.filter(alive), [], 'these processes should have ended');
}

/** Processes other than the demo's agents holding `name` (a file of the demo folder under `tmp`) open: serve sets its title, so pgrep cannot find it by its arguments. */
function openersOf(tmp: string, name: string): number[] {
	return fs.readdirSync('/proc').flatMap(entry => {
		if (!/^\d+$/.test(entry)) return [];
		try {
			if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('demo-agent')) return [];
			const open = fs.readdirSync(`/proc/${entry}/fd`).some(fd => {
				const target = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
				return target.startsWith(tmp) && target.endsWith(`/${name}`);
			});
			return open ? [Number(entry)] : [];
		} catch {
			return [];
		}
	});
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The CLI process of a pane: the descendant of the pane's shell that is node
 * running dist/cli.js (the CLI sets its title to `session-status`; the launcher
 * execs node, so it keeps the launcher's PID).
 */
async function cliPid(session: string): Promise<number> {
	const root = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
	const deadline = Date.now() + 5000;
	for (;;) {
		const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], {encoding: 'utf8'})
			.split('\n')
			.map(line => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
			.filter(match => match !== null)
			.map(match => ({pid: Number(match[1]), ppid: Number(match[2]), args: match[3]}));
		const family = new Set([root]);
		for (let grew = true; grew;) {
			grew = false;
			for (const entry of table) {
				if (family.has(entry.ppid) && !family.has(entry.pid)) {
					family.add(entry.pid);
					grew = true;
				}
			}
		}
		const found = table.filter(
			entry => family.has(entry.pid) && (entry.args === 'session-status' || /^(\S*\/)?node\s+(--\S+\s+)*\S*dist\/cli\.js/.test(entry.args)),
		);
		if (found.length === 1) return found[0].pid;
		if (Date.now() > deadline) assert.fail(`expected one CLI process in ${session}, found ${JSON.stringify(found)}`);
		await sleep(50);
	}
}

type Bus = {dir: string; dbPath: string; logDir: string; errFile: string; command: string};

function newBus(): Bus {
	const dir = tempDir('session-status-tmux-');
	const dbPath = path.join(dir, 'messaging.db');
	const children = [liveProcess(), liveProcess()];
	after(() => children.forEach(child => child.kill('SIGKILL')));
	documentedExample(dbPath, {claude: children[0].pid!, codex: children[1].pid!}).close();
	const logDir = path.join(dir, 'logs');
	const errFile = path.join(dir, 'stderr.txt');
	return {
		dir,
		dbPath,
		logDir,
		errFile,
		command: `${quote(LAUNCHER)} --db ${quote(dbPath)} --log-dir ${quote(logDir)} --session claude-29583 2>${quote(errFile)}`,
	};
}

describe('the built CLI in tmux', {skip}, () => {
	useTmuxServer();

	it('shows the dashboard, switches to the Alerts tab with 4, and q restores the screen with exit code 0', async () => {
		const bus = newBus();
		startSession('main', bus.command);
		const first = await waitForScreen('main', has(TAB_BAR), 'the tab bar');
		assert.match(first, /SESSION +VENDOR/);
		await waitForScreen('main', has('▶ claude-29583'), 'the current session, marked');
		assert.ok(first.replace(/\n+$/, '').split('\n').length <= 29, 'at most rows - 1 lines (no flicker)');

		sendKeys('main', '4');
		const alerts = await waitForScreen('main', has('project_conflict'), 'the Alerts tab');
		assert.match(alerts, /PRIO +TYPE +SESSIONS +RESOURCE +STATUS/);
		assert.match(alerts, /critical +project_conflict +claude-29583 \+ codex-41200 +PILOT/);
		const delivered = await waitForScreen('main', has(/project_conflict .* delivered /), 'the alert delivered once shown');
		assert.ok(delivered);
		const db = new Database(bus.dbPath, {readonly: true});
		try {
			assert.equal(db.prepare(`SELECT status FROM session_messages WHERE message_type = 'project_conflict'`).pluck().get(), 'delivered');
		} finally {
			db.close();
		}

		sendKeys('main', 'j', 'Enter');
		await waitForScreen('main', has('Payload:'), 'the alert detail');
		sendKeys('main', 'Escape', 'q');
		const done = await waitForScreen('main', has('EXIT='), 'the exit marker');
		assert.match(done, /^EXIT=0$/m);
		assert.ok(!TAB_BAR.test(done) && !done.includes('project_conflict'), `the main screen is back:\n${done}`);
		assert.equal(fs.readFileSync(bus.errFile, 'utf8'), '');
	});

	it('the launcher gives the live dashboard its heap flags, and a one-shot run in a terminal none', async () => {
		const bus = newBus();
		// `sh -x` traces the command the launcher runs; the program's own stderr goes to the same file.
		const traced = (name: string, args: string) => {
			const trace = path.join(bus.dir, `${name}.trace`);
			startSession(name, `sh -x ${quote(LAUNCHER)} --db ${quote(bus.dbPath)} --log-dir ${quote(bus.logDir)} ${args} 2>${quote(trace)}`);
			return () => launchedCommand(fs.readFileSync(trace, 'utf8'));
		};
		const live = traced('flags', '');
		await waitForScreen('flags', has(TAB_BAR), 'the tab bar');
		assert.match(
			live(),
			/^node --no-memory-reducer --max-semi-space-size=4 --heap-growing-percent=30 --single-threaded-gc \S+\/cli\.js --db /,
		);
		sendKeys('flags', 'q');
		assert.match(await waitForScreen('flags', has('EXIT='), 'the exit marker'), /^EXIT=0$/m);
		for (const [name, args] of [
			['once', '--once --no-log --read-only'],
			['json', '--json'],
		] as const) {
			const oneShot = traced(name, args);
			await waitForScreen(name, has('EXIT='), 'the exit marker');
			assert.match(oneShot(), /^node --no-memory-reducer \S+\/cli\.js --db /, name);
		}
	});

	it('SIGTERM restores the screen and ends the process', async () => {
		const bus = newBus();
		startSession('term', bus.command);
		await waitForScreen('term', has(TAB_BAR), 'the tab bar');
		const pid = await cliPid('term');
		process.kill(pid, 'SIGTERM');
		const done = await waitForScreen('term', has('EXIT='), 'the exit marker');
		assert.match(done, /^EXIT=143$/m);
		assert.ok(!TAB_BAR.test(done), `the main screen is back:\n${done}`);
		await waitUntilGone([pid]);
	});

	it('a closed terminal (the pane killed: SIGHUP) ends the process quietly', async () => {
		const bus = newBus();
		startSession('hup', bus.command);
		await waitForScreen('hup', has(TAB_BAR), 'the tab bar');
		const pid = await cliPid('hup');
		tmux('kill-session', '-t', 'hup');
		await waitUntilGone([pid]);
		assert.equal(fs.readFileSync(bus.errFile, 'utf8'), '', 'nothing on stderr');
	});

	it('SIGHUP alone ends it quietly too', async () => {
		const bus = newBus();
		startSession('hup2', bus.command);
		await waitForScreen('hup2', has(TAB_BAR), 'the tab bar');
		const pid = await cliPid('hup2');
		process.kill(pid, 'SIGHUP');
		await waitUntilGone([pid]);
		await waitForScreen('hup2', has('EXIT='), 'the exit marker');
		assert.equal(fs.readFileSync(bus.errFile, 'utf8'), '', 'nothing on stderr');
	});

	it('re-lays out at once when the window is resized', async () => {
		const bus = newBus();
		startSession('resize', bus.command);
		await waitForScreen('resize', has(TAB_BAR), 'the tab bar');
		tmux('resize-window', '-t', 'resize', '-x', '50', '-y', '20');
		const narrow = await waitForScreen('resize', has(/^ 1 Sessions \d+!? 2·\d/m), 'the compact tab bar');
		const lines = narrow.replace(/\n+$/, '').split('\n');
		assert.ok(lines.length <= 20, `${lines.length} lines`);
		for (const line of lines) assert.ok(stringWidth(line) <= 50, `a line wider than 50 columns: ${JSON.stringify(line)}`);
		assert.equal(lines.filter(line => /1 Sessions/.test(line)).length, 1, `one tab bar, no leftovers of the wide frame:\n${narrow}`);
		assert.ok(!narrow.includes('VENDOR'), 'compact columns at 50 columns');
		assert.match(narrow, /SESSION +(PROJECT +)?STATE +BEAT/);
		assert.ok(narrow.includes('claude-29583'));
		assert.match(lines.filter(line => line.trim() !== '').at(-1)!, /\? help$/, 'the status bar is the last line');

		tmux('resize-window', '-t', 'resize', '-x', '100', '-y', '30');
		const wide = await waitForScreen('resize', has(TAB_BAR), 'the full tab bar again');
		assert.match(wide, /SESSION +VENDOR/);
		sendKeys('resize', 'q');
		assert.match(await waitForScreen('resize', has('EXIT='), 'the exit marker'), /^EXIT=0$/m);
	});

	it('a crowded bus in the narrowest pane: the tab bar is cut with an ellipsis, and the dashboard goes on', async () => {
		const bus = newBus();
		const writer = new BusWriter(bus.dbPath);
		writer.db.transaction(() => {
			for (let i = 0; i < 150; i++) {
				writer.register({sessionId: `agent-${i}`, hostname: 'elsewhere', pid: 1000 + i});
				writer.lock(`src/file-${i}.ts`, `agent-${i}`);
				writer.claim(`T.${i}`, `agent-${i}`);
				writer.send({senderId: `agent-${i}`, recipientId: 'claude-29583', payload: {text: `note ${i}`}});
			}
		})();
		writer.close();
		startSession('crowded', bus.command, {x: 40, y: 12});
		const shown = await waitForScreen('crowded', has(/^ 1 Sessions \d{3}.*…/m), 'the tab bar, cut');
		for (const line of shown.replace(/\n+$/, '').split('\n'))
			assert.ok(stringWidth(line) <= 40, `a line wider than 40 columns: ${JSON.stringify(line)}`);
		sendKeys('crowded', '2');
		await waitForScreen('crowded', has(/^.*2 Locks \d{3}/m), 'the Locks tab, named in the cut bar');
		sendKeys('crowded', 'q');
		assert.match(await waitForScreen('crowded', has('EXIT='), 'the exit marker'), /^EXIT=0$/m);
		assert.equal(fs.readFileSync(bus.errFile, 'utf8'), '');
	});

	it('demo: simulated agents on a temporary bus and a second machine read through serve, all cleaned up on q', async () => {
		const tmp = tempDir('session-status-tmux-demo-');
		const errFile = path.join(tmp, 'stderr.txt');
		startSession('demo', `env TMPDIR=${quote(tmp)} ${quote(LAUNCHER)} demo 2>${quote(errFile)}`);
		const shown = await waitForScreen(
			'demo',
			text =>
				TAB_BAR.test(text) && ['claude-', 'codex-', 'gemini-', 'gpu-box '].every(id => text.includes(id)) && /gpu-box: live/.test(text),
			'the demo agents, gpu-box among them',
			15_000,
		);
		const sessions = shown.split('\n').filter(line => /^(local|gpu-box)\s+(▶ )?(claude|codex|gemini)-\d+/.test(line));
		assert.ok(sessions.length >= 6, `several agents:\n${shown}`);
		assert.ok(sessions.filter(line => line.startsWith('gpu-box')).length >= 2, `gpu-box's agents:\n${shown}`);
		const serve = openersOf(tmp, 'gpu-box.db');
		assert.equal(serve.length, 1, 'gpu-box is read by a real serve process');
		const demoDirs = fs.readdirSync(tmp).filter(name => name.startsWith('session-status-demo-'));
		assert.equal(demoDirs.length, 1, 'the demo bus lives in a temporary folder');
		const agentPattern = `demo-agent.*${escapeRegex(tmp)}`;
		const agents = pgrep(agentPattern);
		assert.ok(agents.length >= 3, `the agents are real processes (found ${agents.length})`);
		assert.ok(pgrep('demo-agent').length >= agents.length);

		sendKeys('demo', '4');
		await waitForScreen('demo', has('project_conflict'), 'the demo alerts');
		sendKeys('demo', 'q');
		assert.match(await waitForScreen('demo', has('EXIT='), 'the exit marker'), /^EXIT=0$/m);
		await waitUntilGone([...agents, ...serve]);
		assert.deepEqual(pgrep(agentPattern), [], 'no demo agent is left');
		assert.deepEqual(openersOf(tmp, 'gpu-box.db'), [], 'no serve is left');
		assert.deepEqual(
			fs.readdirSync(tmp).filter(name => name.startsWith('session-status-demo-')),
			[],
			'the temporary folder is gone',
		);
		assert.equal(fs.readFileSync(errFile, 'utf8'), '');
	});
});
