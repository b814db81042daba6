import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import Database from 'better-sqlite3';
import {BusWriter} from '../source/bus/writer.js';
import {BusMonitor} from '../source/monitor/monitor.js';
import {REMOTE_CLOCK_ALLOWANCE_MS} from '../source/analysis/analyze.js';
import {CLI, dumpDatabase, listTree, requireBuiltCli, run, scratch} from './helpers/cli.js';

/**
 * What a newcomer's first commands must never do: printing into a pipe changes nothing;
 * a session on another machine is released only well past the stale timeout, and the
 * output names the machine; a file that is not a bus says so, in every form.
 */

requireBuiltCli();

const MIN = 60_000;

/** Stale sessions here and on another machine, holding a lock and a claim, and a pending alert. */
function staleBus(): string {
	const dbPath = path.join(scratch('stale-'), 'messaging.db');
	const bus = new BusWriter(dbPath);
	const now = Date.now();
	bus.register({sessionId: 'codex-1', hostname: os.hostname(), vendor: 'codex', pid: null, registeredAt: now - 3 * 3_600_000});
	bus.heartbeat('codex-1', now - 3_600_000);
	bus.lock('a.py', 'codex-1');
	bus.claim('T.1', 'codex-1');
	bus.register({sessionId: 'claude-2', hostname: 'build-box.example', vendor: 'claude', pid: 2, registeredAt: now - 3 * 3_600_000});
	bus.heartbeat('claude-2', now - 2 * 3_600_000);
	bus.alert({type: 'file_conflict', priority: 3, sessions: ['codex-1', 'claude-2'], filePath: 'a.py'});
	bus.close();
	return dbPath;
}

describe('printing into a pipe', () => {
	it('without --once, piped output (as `| head -3` gets it) releases nothing, delivers nothing and writes no log', () => {
		const dbPath = staleBus();
		const home = scratch('home-');
		const before = dumpDatabase(dbPath);
		const result = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" --db "${dbPath}" | head -3`], {
			encoding: 'utf8',
			env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home},
		});
		assert.equal(result.stdout.split('\n')[0], 'Cross-LLM Session Dashboard');
		assert.deepEqual(dumpDatabase(dbPath), before, 'the bus is as it was');
		assert.deepEqual(listTree(home), [], 'no log folder under HOME');
		const whole = run(['--db', dbPath], {home});
		assert.match(whole.stdout, /Printed without --once, nothing written: would release stale session codex-1/);
		assert.deepEqual(dumpDatabase(dbPath), before);
	});

	it('--once given explicitly still releases, delivers and logs, naming the machine of a remote session', () => {
		const dbPath = staleBus();
		const home = scratch('home-');
		const result = run(['--db', dbPath, '--once', '--log-dir', path.join(home, 'logs')], {home});
		assert.match(result.stdout, /Released stale session codex-1 \(heartbeat 1h 0m ago; 1 lock, 1 claim\)/);
		assert.match(result.stdout, /Released stale session claude-2 on build-box\.example \(heartbeat 2h 0m ago/);
		assert.match(result.stdout, /Session log entry appended: /);
		const db = new Database(dbPath, {readonly: true});
		try {
			assert.deepEqual(db.prepare(`SELECT status FROM session_registry ORDER BY session_id`).pluck().all(), ['stale', 'stale']);
			assert.equal(db.prepare(`SELECT status FROM session_messages WHERE channel = 'operator_alerts'`).pluck().get(), 'delivered');
		} finally {
			db.close();
		}
	});
});

describe('stale sessions on another machine', () => {
	it('are released only past the stale timeout plus the clock allowance', async () => {
		const dbPath = path.join(scratch('remote-'), 'messaging.db');
		const bus = new BusWriter(dbPath);
		const now = Date.now();
		const staleMs = 300_000;
		const ages = {'near-1': staleMs + 60_000, 'far-2': staleMs + REMOTE_CLOCK_ALLOWANCE_MS + 60_000};
		for (const [id, age] of Object.entries(ages)) {
			bus.register({sessionId: id, hostname: 'build-box.example', pid: 9, registeredAt: now - 2 * age});
			bus.heartbeat(id, now - age);
		}
		bus.register({sessionId: 'here-3', hostname: os.hostname(), pid: null, registeredAt: now - 3_600_000});
		bus.heartbeat('here-3', now - staleMs - MIN);
		bus.close();
		const monitor = new BusMonitor({dbPath, staleTimeoutMs: staleMs, sessionId: null, machineUuid: null, reuseRows: false});
		try {
			const {analysis} = await monitor.read({countHistory: false, now});
			assert.deepEqual(
				analysis.sessions
					.filter(view => view.state === 'stale')
					.map(view => view.row.sessionId)
					.sort(),
				['far-2', 'here-3', 'near-1'],
			);
			assert.deepEqual(analysis.toRelease.map(view => view.row.sessionId).sort(), ['far-2', 'here-3']);
		} finally {
			monitor.close();
		}
	});
});

describe('a file that is not a bus', () => {
	const NOT_A_BUS = /is not a message bus \(no session_registry or session_messages table\)/;
	const files = (): Array<[string, string]> => {
		const dir = scratch('not-a-bus-');
		const other = path.join(dir, 'other.db');
		const db = new Database(other);
		db.exec('CREATE TABLE notes (text TEXT)');
		db.close();
		const empty = path.join(dir, 'empty.db');
		fs.writeFileSync(empty, '');
		return [
			['an SQLite file of another program', other],
			['an empty file', empty],
		];
	};

	it('is exit 4 with the reason, printed, as JSON and as a section', () => {
		for (const [what, dbPath] of files()) {
			for (const args of [['--once'], ['--json'], ['--alerts'], []]) {
				const result = run(['--db', dbPath, ...args]);
				assert.equal(result.code, 4, `${what} ${args.join(' ')}: ${result.stderr}`);
				assert.match(result.stderr, NOT_A_BUS, what);
				assert.equal(result.stdout, '', what);
			}
		}
	});

	it('is `bus: not a message bus` in the status line, exit 0', () => {
		for (const [what, dbPath] of files()) {
			const result = run(['--status-line', '--db', dbPath]);
			assert.equal(result.code, 0, what);
			assert.equal(result.stdout, 'bus: not a message bus\n', what);
		}
	});

	it('a bus lacking some tables says so at the top of the printed dashboard', () => {
		const dbPath = path.join(scratch('partial-'), 'messaging.db');
		const db = new Database(dbPath);
		db.exec(`CREATE TABLE session_registry (session_id TEXT PRIMARY KEY, status TEXT, registered_at TEXT, last_heartbeat TEXT)`);
		db.close();
		const result = run(['--db', dbPath]);
		assert.equal(result.code, 0, result.stderr);
		assert.match(
			result.lines[4] ?? '',
			/^This bus lacks table task_claims; table file_locks; table session_messages: shown as far as it goes\.$/,
		);
	});
});
