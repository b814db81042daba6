import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import Database from 'better-sqlite3';
import {BusWriter} from '../source/bus/writer.js';
import {CLI, listTree, requireBuiltCli, run, scratch} from './helpers/cli.js';
import {deadPid, liveProcess} from './helpers/fixtures.js';

/**
 * The printed forms over a fleet: the built CLI as a subprocess, its remotes `exec`
 * remotes running the real `serve` on real bus files.
 */

requireBuiltCli();

const children: Array<{kill: () => unknown}> = [];
after(() => {
	for (const child of children) child.kill();
});

const MIN = 60_000;

/** A bus with one live session of this machine (`{prefix}-live`), a stale one whose process is gone (`{prefix}-stale`) and one pending alert. */
async function bus(prefix: string): Promise<string> {
	const dbPath = path.join(scratch(`${prefix}-`), 'messaging.db');
	const alive = liveProcess();
	children.push(alive);
	const writer = new BusWriter(dbPath);
	const now = Date.now();
	try {
		writer.register({
			sessionId: `${prefix}-live`,
			hostname: os.hostname(),
			vendor: 'claude',
			projectId: 'PILOT',
			pid: alive.pid!,
			registeredAt: now,
		});
		writer.register({
			sessionId: `${prefix}-stale`,
			hostname: os.hostname(),
			vendor: 'codex',
			pid: await deadPid(),
			registeredAt: now - 30 * MIN,
		});
		writer.heartbeat(`${prefix}-stale`, now - 20 * MIN);
		writer.alert({type: 'task_conflict', priority: 2, sessions: [`${prefix}-live`, `${prefix}-stale`], taskId: 'T-1'});
	} finally {
		writer.close();
	}
	return dbPath;
}

/** A config file naming the remotes: `{name: argv}` run as exec remotes. */
function configWith(remotes: Record<string, string[]>): string {
	const file = path.join(scratch('config-'), 'config.json');
	fs.writeFileSync(file, JSON.stringify({remotes: Object.entries(remotes).map(([name, exec]) => ({name, exec}))}));
	return file;
}

const serveOn = (dbPath: string, ...extra: string[]) => [process.execPath, CLI, 'serve', '--db', dbPath, ...extra];
/** A transport that exits at once with 255, as ssh does when it cannot connect. */
const DOWN = [process.execPath, '-e', 'process.stderr.write("connection refused\\n"); process.exit(255)'];

function rows(dbPath: string, sql: string): Array<Record<string, unknown>> {
	const db = new Database(dbPath, {readonly: true});
	try {
		return db.prepare(sql).all() as Array<Record<string, unknown>>;
	} finally {
		db.close();
	}
}
const sessionStatus = (dbPath: string, id: string) =>
	rows(dbPath, `SELECT status FROM session_registry WHERE session_id = '${id}'`)[0]?.['status'];
const alertStatus = (dbPath: string) =>
	rows(dbPath, `SELECT status FROM session_messages WHERE channel = 'operator_alerts'`)[0]?.['status'];

/** The parts of the --json document these tests read. */
type Item = {machine: string; sessionId?: string};
type Doc = {
	version: number;
	machines: Array<{name: string; hostname: string | null; state: string; error: string | null; takenAt: string | null}>;
	sessions: Item[];
	alerts: Item[];
	lifecycle: Item[];
	claims: Item[];
	locks: Item[];
	unread: {messages: Item[]};
	counts: {openAlerts: number; historicalSessions: number};
};

describe('the printed forms over a fleet', () => {
	test('--once: both machines printed, the remote stale session released and its shown alert delivered on the remote, the log grouped by machine', async () => {
		const [local, remote] = await Promise.all([bus('here'), bus('there')]);
		const logDir = scratch('logs-');
		const result = run(['--once', '--db', local, '--log-dir', logDir, '--config', configWith({box: serveOn(remote)})]);
		assert.equal(result.code, 0, result.stderr);
		const out = result.stdout;
		assert.match(out, /^2 machines: local, box$/m);
		const localAt = out.indexOf('**Machine: local');
		const boxAt = out.indexOf('**Machine: box');
		assert.ok(localAt > 0 && boxAt > localAt, out);
		assert.match(out.slice(boxAt), /\*\*Session: there-live\*\*/);
		assert.match(out.slice(boxAt), /box: Released stale session there-stale/);
		// Written on each machine's own bus.
		assert.equal(sessionStatus(remote, 'there-stale'), 'stale');
		assert.equal(alertStatus(remote), 'delivered');
		assert.equal(sessionStatus(local, 'here-stale'), 'stale');
		assert.equal(alertStatus(local), 'delivered');
		const [logFile] = listTree(logDir).filter(file => file.endsWith('.md'));
		assert.ok(logFile, 'a log entry was written');
		const entry = fs.readFileSync(path.join(logDir, logFile), 'utf8');
		assert.match(entry, /^#### Machine: local \(/m);
		assert.match(entry, /^#### Machine: box \(/m);
		assert.ok(entry.indexOf('#### Machine: local') < entry.indexOf('#### Machine: box'));
		assert.match(entry.slice(entry.indexOf('#### Machine: box')), /\*\*Session: there-live\*\*/);
	});

	test('--json version 2: machines, a machine on every item, one session id on two machines is two entries', async () => {
		const [local, remote] = await Promise.all([bus('same'), bus('same')]);
		const result = run(['--json', '--db', local, '--config', configWith({box: serveOn(remote)})]);
		assert.equal(result.code, 0, result.stderr);
		const doc = JSON.parse(result.stdout) as Doc;
		assert.equal(doc.version, 2);
		assert.deepEqual(
			doc.machines.map(machine => [machine.name, machine.state, machine.hostname, machine.error]),
			[
				['local', 'local', os.hostname(), null],
				['box', 'live', os.hostname(), null],
			],
		);
		assert.match(doc.machines[1]?.takenAt ?? '', /^\d{4}-\d\d-\d\dT/);
		const live = doc.sessions.filter(session => session.sessionId === 'same-live');
		assert.deepEqual(
			live.map(session => session.machine),
			['local', 'box'],
		);
		for (const list of [doc.sessions, doc.alerts, doc.lifecycle, doc.claims, doc.locks, doc.unread.messages])
			for (const item of list) assert.ok(item.machine === 'local' || item.machine === 'box', JSON.stringify(item));
		assert.equal(doc.alerts.length, 2);
		assert.equal(doc.counts.openAlerts, 2, 'counts are summed over the machines');
		assert.equal(doc.counts.historicalSessions, 4);
		// --json writes nothing, here or there.
		assert.equal(alertStatus(remote), 'pending');
		assert.equal(sessionStatus(remote, 'same-stale'), 'active');
	});

	test('one remote down: printed, exit 7, the remote named with why; --json says so in machines', async () => {
		const local = await bus('up');
		const config = configWith({box: DOWN});
		const once = run(['--once', '--no-log', '--db', local, '--config', config]);
		assert.equal(once.code, 7, once.stderr);
		assert.match(once.stdout, /^box: could not be read: .*(255|connection refused)/m);
		assert.match(once.stdout, /\*\*Machine: local/);
		const json = run(['--json', '--db', local, '--config', config]);
		assert.equal(json.code, 7);
		const doc = JSON.parse(json.stdout) as Doc;
		assert.equal(doc.machines[1]?.state, 'unreachable');
		assert.ok((doc.machines[1]?.error ?? '').length > 0);
		assert.ok(doc.sessions.every(session => session.machine === 'local'));
		const missing = run([
			'--once',
			'--no-log',
			'--db',
			local,
			'--config',
			configWith({gone: [path.join(scratch('none-'), 'no-such-program')]}),
		]);
		assert.equal(missing.code, 7);
		assert.match(missing.stdout, /^gone: could not be read: /m);
	});

	test('--no-local with the only remote down: exit 7, no machine could be read, the local bus untouched', async () => {
		const local = await bus('untouched');
		const result = run(['--once', '--no-log', '--no-local', '--db', local, '--config', configWith({box: DOWN})]);
		assert.equal(result.code, 7, result.stderr);
		assert.match(result.stdout, /^No machine could be read\.$/m);
		assert.doesNotMatch(result.stdout, /untouched-live/);
		assert.equal(sessionStatus(local, 'untouched-stale'), 'active');
		assert.equal(alertStatus(local), 'pending');
	});

	test('printed without --once, and with --read-only: nothing written on the remote, the notes say what would have been', async () => {
		const [local, remote] = await Promise.all([bus('quiet'), bus('far')]);
		const config = configWith({box: serveOn(remote)});
		const before = fs.readFileSync(remote);
		const implicit = run(['--db', local, '--config', config]);
		assert.equal(implicit.code, 0, implicit.stderr);
		assert.match(implicit.stdout, /box: Printed without --once, nothing written: would release stale session far-stale/);
		const sessions = run(['--sessions', '--db', local, '--config', config]);
		assert.equal(sessions.code, 0, sessions.stderr);
		assert.match(sessions.stdout, /\*\*Machine: local[^]*\*\*Session: quiet-live\*\*[^]*\*\*Machine: box[^]*\*\*Session: far-live\*\*/);
		const readOnly = run(['--once', '--read-only', '--no-log', '--db', local, '--config', config]);
		assert.equal(readOnly.code, 0, readOnly.stderr);
		assert.match(readOnly.stdout, /box: Read-only: would release stale session far-stale/);
		assert.equal(sessionStatus(remote, 'far-stale'), 'active');
		assert.equal(alertStatus(remote), 'pending');
		assert.equal(sessionStatus(local, 'quiet-stale'), 'active');
		assert.deepEqual(fs.readFileSync(remote), before);
	});

	test('--status-line: a live remote counted with the local bus, a down one shown unreachable, exit 0', async () => {
		const [local, remote] = await Promise.all([bus('a'), bus('b')]);
		const alone = run(['--status-line', '--db', local]);
		assert.equal(alone.stdout, '1 session · 1 stale · 1 alert · 0 unread\n');
		const plain = run(['--status-line', '--db', local, '--config', configWith({'build#1': serveOn(remote), box: DOWN})]);
		assert.equal(plain.code, 0, plain.stderr);
		assert.equal(plain.stdout, '2 sessions · 2 stale · 2 alerts · 0 unread · box: unreachable\n');
		const tmux = run(['--status-line', '--format', 'tmux', '--db', local, '--config', configWith({'#(touch x)': DOWN})]);
		assert.equal(tmux.code, 0);
		assert.equal(tmux.stdout, '#[fg=black,bg=yellow]1 session · 1 stale · 1 alert · 0 unread · ##(touch x): unreachable#[default]\n');
	});
});
