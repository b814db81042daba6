import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {tempDir} from './helpers/fixtures.js';
import {run} from './helpers/cli.js';
import {BusWriter} from '../source/bus/writer.js';
import {openReader} from '../source/bus/open.js';
import {SnapshotReader, type SnapshotOptions} from '../source/bus/reader.js';
import type {SessionCounts} from '../source/bus/types.js';
import {OWN_INDEXES, introspect} from '../source/bus/schema.js';
import {LIMITS, snapshotSql} from '../source/bus/statements.js';
import {endedSessionsSql, keptSessionsSql} from '../source/bus/sessions.js';
import {readStatus} from '../source/bus/status.js';
import {BusMonitor} from '../source/monitor/monitor.js';
import {LiveBus} from '../source/monitor/live.js';
import {statsLines} from '../source/report/describe.js';
import {valueFormat} from '../source/report/format.js';
import {buildTabs} from '../source/ui/tabs/index.js';
import {PRINTED} from '../source/report/bounded.js';

// Buses with more of everything than any list holds: every number shown is a count, every
// bounded list says so, and what is not shown (the ended history) is not read.

const NOW = Date.now();
const STALE_MS = 300_000;
const MIN = 60_000;

function freshPath(): string {
	return path.join(tempDir('session-status-scale-'), 'messaging.db');
}

/** Drops the project's own indexes: the reader must give the same answers without them. */
function dropOwnIndexes(dbPath: string): void {
	const db = new Database(dbPath);
	for (const name of Object.keys(OWN_INDEXES)) db.exec(`DROP INDEX ${name}`);
	db.close();
}

function read(dbPath: string, options: Partial<SnapshotOptions> = {}) {
	const db = openReader(dbPath);
	try {
		return new SnapshotReader(db, dbPath).read({now: NOW, staleTimeoutMs: STALE_MS, countHistory: true, ...options});
	} finally {
		db.close();
	}
}

const ALERTS = 532;
const EXPIRED_ALERTS = 8;
const UNREAD = 600;
const HOLDS = 600;

/**
 * 540 alerts of which 8 have expired (532 open, every fourth critical, ten that expire in an
 * hour); 600 unread messages to three sessions (ten with a TTL still running) beside 20
 * whose TTL ran out and legacy rows that are never unread; 600 locks and 600 claims.
 */
function crowdedBus(dbPath: string): {critical: number} {
	const bus = new BusWriter(dbPath);
	const sessions = ['claude-1', 'codex-2', 'gemini-3'];
	let critical = 0;
	bus.db.transaction(() => {
		for (const sessionId of sessions) bus.register({sessionId, hostname: 'elsewhere', pid: 10, registeredAt: NOW - 60 * MIN});
		for (const sessionId of sessions) bus.heartbeat(sessionId);
		for (let i = 0; i < ALERTS + EXPIRED_ALERTS; i++) {
			const expired = i < EXPIRED_ALERTS;
			const priority = i % 4 === 0 ? 3 : 1 + (i % 2);
			if (!expired && priority === 3) critical++;
			const id = bus.alert({type: ['task_conflict', 'file_conflict'][i % 2], priority, sessions: ['claude-1', 'codex-2'], at: NOW - MIN});
			const expiresAt = expired ? NOW - MIN : i < EXPIRED_ALERTS + 10 ? NOW + 60 * MIN : null;
			if (expiresAt !== null)
				bus.db.prepare(`UPDATE session_messages SET expires_at = ? WHERE id = ?`).run(new Date(expiresAt).toISOString(), id);
		}
		for (let i = 0; i < UNREAD; i++)
			bus.send({
				senderId: 'x',
				recipientId: sessions[i % 3],
				channel: `c${i % 2}`,
				priority: i % 4,
				ttlSeconds: i < 10 ? 3600 : null,
				at: NOW - MIN,
			});
		for (let i = 0; i < 20; i++) bus.send({senderId: 'x', recipientId: 'claude-1', ttlSeconds: 60, at: NOW - 10 * MIN});
		for (let i = 0; i < 5; i++) bus.send({senderId: 'x', recipientId: 'claude-1', messageType: null, at: NOW - MIN});
		for (let i = 0; i < HOLDS; i++) {
			bus.lock(`/repo/f${i}`, sessions[i % 3]);
			bus.claim(`T.${i}`, sessions[i % 3]);
		}
	})();
	bus.close();
	return {critical};
}

describe('counts beyond every list limit', () => {
	it('the snapshot counts every open alert and unread message, exactly, with or without the project indexes', () => {
		const dbPath = freshPath();
		const {critical} = crowdedBus(dbPath);
		const snap = read(dbPath);
		assert.ok(ALERTS > LIMITS.openAlerts && UNREAD > LIMITS.unreadRows, 'more than the lists hold');
		// The most urgent read, then the expired among them dropped: the list is bounded, the count is not.
		const listed = snap.alerts.filter(alert => alert.status !== 'read').length;
		assert.ok(listed <= LIMITS.openAlerts && listed >= LIMITS.openAlerts - EXPIRED_ALERTS, `${listed} listed`);
		assert.deepEqual([snap.alertCounts.open, snap.alertCounts.critical], [ALERTS, critical]);
		assert.deepEqual(snap.alertCounts.byType.map(entry => [entry.type, entry.count]).sort(), [
			['file_conflict', ALERTS / 2],
			['task_conflict', ALERTS / 2],
		]);
		assert.ok(snap.unread.length <= LIMITS.unreadRows && snap.unread.length >= LIMITS.unreadRows - 20, `${snap.unread.length} listed`);
		assert.equal(
			snap.unreadByRecipient.reduce((sum, entry) => sum + entry.count, 0),
			UNREAD,
		);
		assert.deepEqual(snap.counts?.byStatus, {pending: ALERTS + EXPIRED_ALERTS + UNREAD + 20 + 3});
		dropOwnIndexes(dbPath);
		const without = read(dbPath);
		assert.deepEqual(
			[without.alertCounts, without.unreadByRecipient, without.counts],
			[snap.alertCounts, snap.unreadByRecipient, snap.counts],
		);
	});

	it('the status line counts the same, from its own small reading', () => {
		const dbPath = freshPath();
		const {critical} = crowdedBus(dbPath);
		const db = openReader(dbPath);
		try {
			const everyone = readStatus(db, null, NOW);
			assert.deepEqual([everyone?.alerts, everyone?.critical, everyone?.unread], [ALERTS, critical, UNREAD]);
			assert.equal(readStatus(db, 'codex-2', NOW)?.unread, UNREAD / 3);
			assert.equal(readStatus(db, 'claude-1', NOW)?.unread, UNREAD / 3, 'expired and legacy rows are not unread');
		} finally {
			db.close();
		}
	});

	it('the counting statements and the Alerts list read the project indexes alone where the bus has them', () => {
		const dbPath = freshPath();
		crowdedBus(dbPath);
		const db = openReader(dbPath);
		try {
			const sql = snapshotSql(introspect(db));
			const plan = (text: string) =>
				(db.prepare(`EXPLAIN QUERY PLAN ${text}`).all() as Array<{detail: string}>).map(row => row.detail).join(' | ');
			assert.match(plan(sql.alertCounts!), /COVERING INDEX idx_messages_open_lasting/);
			assert.match(plan(sql.unreadCounts!), /COVERING INDEX idx_messages_open_lasting/);
			assert.match(plan(sql.alertsExpiring!), /COVERING INDEX idx_messages_open_expiring/);
			assert.match(plan(sql.unreadExpiring!), /COVERING INDEX idx_messages_open_expiring/);
			assert.match(plan(sql.unreadRows!), /idx_messages_unread_urgent/);
			assert.doesNotMatch(plan(sql.unreadRows!), /TEMP B-TREE/, 'the most urgent first, without sorting every open one');
			// The Alerts list from its index alone, most urgent first: no table page per alert, no sort.
			assert.match(plan(sql.openAlerts!), /COVERING INDEX idx_messages_open_alerts/);
			assert.doesNotMatch(plan(sql.openAlerts!), /TEMP B-TREE/);
		} finally {
			db.close();
		}
	});

	it('the views say how many they show of how many', async () => {
		const dbPath = freshPath();
		crowdedBus(dbPath);
		const monitor = new BusMonitor({dbPath, staleTimeoutMs: STALE_MS, sessionId: 'claude-1', machineUuid: null});
		const reading = await monitor.read({countHistory: false, now: NOW});
		monitor.close();
		const tabs = buildTabs(reading, {showEnded: false, countsNote: ''});
		assert.equal(tabs.alerts.badge?.count, ALERTS);
		assert.equal(tabs.alerts.header[0], `Showing the ${reading.analysis.openAlerts.length} most urgent of ${ALERTS} open alerts`);
		assert.ok(reading.analysis.openAlerts.length <= LIMITS.openAlerts);
		assert.equal(tabs.alerts.total, ALERTS);
		assert.equal(tabs.unread.badge?.count, UNREAD);
		assert.equal(tabs.unread.header[0], `Showing ${reading.snapshot.unread.length} of ${UNREAD} unread messages, most urgent first`);
		assert.equal(tabs.unread.total, UNREAD);
		assert.equal(tabs.locks.badge?.count, HOLDS);
		assert.equal(tabs.claims.badge?.count, HOLDS);
	});

	it('--json, --alerts and the status line are whole and exact; the dashboard prints the most urgent and marks only those delivered', () => {
		const dbPath = freshPath();
		const {critical} = crowdedBus(dbPath);
		const json = JSON.parse(run(['--db', dbPath, '--json']).stdout) as {
			counts: Record<string, number>;
			alerts: Array<{status: string}>;
			unread: {messages: unknown[]};
			locks: unknown[];
			claims: unknown[];
		};
		assert.deepEqual(
			[
				json.counts['openAlerts'],
				json.counts['criticalAlerts'],
				json.counts['unreadMessages'],
				json.counts['fileLocks'],
				json.counts['taskClaims'],
			],
			[ALERTS, critical, UNREAD, HOLDS, HOLDS],
		);
		assert.deepEqual(
			[json.alerts.filter(alert => alert.status === 'pending').length, json.unread.messages.length, json.locks.length, json.claims.length],
			[ALERTS, UNREAD, HOLDS, HOLDS],
			'whole lists',
		);
		const alerts = run(['--db', dbPath, '--alerts', '--read-only']);
		assert.equal(alerts.lines[2], `${ALERTS} unread alerts`);
		assert.equal(alerts.lines.filter(line => line.startsWith('Status: pending')).length, ALERTS);
		assert.equal(
			run(['--db', dbPath, '--status-line']).stdout,
			`3 sessions · ${ALERTS} alerts (${critical} critical) · ${UNREAD} unread\n`,
		);

		const once = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(once.code, 8, 'a critical alert is open');
		assert.match(once.lines[2], new RegExp(`\\| ${ALERTS} alerts \\| ${UNREAD} unread$`));
		const bullets = once.lines.filter(line => /^- \w+_conflict \(priority/.test(line));
		assert.equal(bullets.length, PRINTED.alerts);
		assert.ok(
			once.lines.includes(`- and ${ALERTS - PRINTED.alerts} more (task_conflict 246, file_conflict 266): session-status --alerts`),
			once.stdout,
		);
		const db = new Database(dbPath, {readonly: true});
		const delivered = db
			.prepare(`SELECT count(*) FROM session_messages WHERE channel = 'operator_alerts' AND status = 'delivered'`)
			.pluck()
			.get();
		db.close();
		assert.equal(delivered, PRINTED.alerts, 'only the alerts printed became delivered');
	});
});

describe('the printed dashboard on a neglected bus', () => {
	it('lists a few of each and stays a small log entry: 1,000 sessions (900 stale), 5,000 locks, 2,000 claims, 600 alerts, 6,000 unread', () => {
		const dir = tempDir('session-status-neglected-');
		const dbPath = path.join(dir, 'messaging.db');
		const bus = new BusWriter(dbPath);
		const id = (i: number) => `claude-${10_000 + i}`;
		bus.db.transaction(() => {
			for (let i = 0; i < 1000; i++) {
				bus.register({sessionId: id(i), hostname: 'elsewhere', pid: 10 + i, cwd: `/home/dev/projects/p${i % 20}`, announce: false});
				bus.heartbeat(id(i), NOW - (i < 900 ? 5 * 60 * MIN : 0));
			}
			for (let i = 0; i < 5000; i++) bus.lock(`/home/dev/projects/p${i % 20}/src/module-${i % 40}/file-${i}.ts`, id(i % 1000));
			for (let i = 0; i < 2000; i++) bus.claim(`H.${i}.${i % 7}`, id(i % 1000));
			for (let i = 0; i < 600; i++)
				bus.alert({
					type: 'file_conflict',
					priority: 2 + (i % 2),
					sessions: [id(i % 1000), id((i + 1) % 1000)],
					filePath: `/f${i}`,
					action: 'Unlock it',
				});
			for (let i = 0; i < 6000; i++) bus.send({senderId: id(i % 1000), recipientId: id((i * 7) % 1000), payload: {text: `note ${i}`}});
		})();
		bus.close();
		const logDir = path.join(dir, 'logs');
		const result = run(['--db', dbPath, '--once', '--read-only', '--log-dir', logDir], {timeoutMs: 60_000});
		assert.equal(result.code, 8, result.stderr);
		assert.match(result.lines[2], /^100 active sessions \| 5000 file locks \| 2000 task claims \| 600 alerts \| 6000 unread$/);
		const file = result.lines.at(-1)!.replace('Session log entry appended: ', '');
		const size = fs.statSync(file).size;
		assert.ok(size < 64 * 1024, `the log entry is ${size} bytes`);
		assert.ok(result.lines.includes('And 80 more active sessions: session-status --sessions'));
		assert.ok(result.lines.includes('- and 580 more (file_conflict 580): session-status --alerts'));
		assert.ok(result.lines.includes('- and 880 more like these'), 'the sessions it would release: the first 20');
	});
});

describe('ended sessions are read only when shown', () => {
	const LIVE = 5;
	const ENDED = 450;

	/** Five live sessions, 450 ended ones (one holding a lock, one the current session). */
	function longLivedBus(dbPath: string): void {
		const bus = new BusWriter(dbPath);
		bus.db.transaction(() => {
			for (let i = 0; i < ENDED; i++) {
				bus.register({sessionId: `old-${i}`, registeredAt: NOW - (ENDED - i) * MIN, announce: false});
				bus.db.prepare(`UPDATE session_registry SET status = 'ended' WHERE session_id = ?`).run(`old-${i}`);
			}
			for (let i = 0; i < LIVE; i++) bus.register({sessionId: `live-${i}`, registeredAt: NOW - MIN, announce: false});
			bus.lock('/repo/left-behind', 'old-3');
		})();
		bus.close();
	}

	/** The ended sessions, newest registered first, as the bus holds them. */
	function endedIds(dbPath: string): string[] {
		const db = new Database(dbPath, {readonly: true});
		const ids = db.prepare(`SELECT session_id FROM session_registry WHERE status = 'ended' ORDER BY rowid DESC`).pluck().all() as string[];
		db.close();
		return ids;
	}

	/**
	 * A live reader whose statements report every ended session row they hand over: the test
	 * hook that tells what a read took from the ended history.
	 */
	function watchedReader(dbPath: string, current: string | null) {
		const db = openReader(dbPath);
		const handed: string[] = [];
		let counted = 0;
		const prepare = db.prepare.bind(db);
		db.prepare = ((source: string) => {
			const statement = prepare(source);
			const all = statement.all.bind(statement);
			statement.all = (...args: unknown[]) => {
				const rows = all(...args);
				if (/count\(\*\) FROM session_registry/.test(source)) counted++;
				if (/FROM session_registry/.test(source) && !/count\(\*\)/.test(source)) {
					for (const row of rows) if (Array.isArray(row) && row[11] === 'ended') handed.push(String(row[1]));
				}
				return rows;
			};
			return statement;
		}) as typeof db.prepare;
		const reader = new SnapshotReader(db, dbPath, {currentSessionId: current});
		const writer = new BusWriter(dbPath);
		const take = (options: Partial<SnapshotOptions> = {}) => {
			handed.length = 0;
			const snapshot = reader.read({now: Date.now(), staleTimeoutMs: STALE_MS, countHistory: false, ...options});
			return {snapshot, handed: [...handed]};
		};
		/** How many times the registry was counted since last asked. */
		const counts = () => {
			const n = counted;
			counted = 0;
			return n;
		};
		return {take, writer, counts, close: () => (writer.close(), db.close())};
	}

	for (const statusIndex of [true, false])
		it(`counts the registry again only when a row may have come or gone, exactly (${statusIndex ? 'with' : 'without'} idx_sessions_status)`, () => {
			const dbPath = freshPath();
			longLivedBus(dbPath);
			if (!statusIndex) {
				const db = new Database(dbPath);
				db.exec('DROP INDEX idx_sessions_status');
				db.close();
			}
			const {take, writer, counts, close} = watchedReader(dbPath, null);
			const total = (): SessionCounts => take().snapshot.sessionCounts;
			try {
				assert.deepEqual(total(), {total: ENDED + LIVE, ended: ENDED});
				writer.heartbeat('live-0');
				take();
				counts();
				for (let beat = 0; beat < 3; beat++) {
					writer.heartbeat(`live-${beat % LIVE}`);
					assert.deepEqual(total(), {total: ENDED + LIVE, ended: ENDED});
				}
				assert.equal(counts(), 0, 'heartbeats add no row: the registry is not counted again');
				writer.register({sessionId: 'late-0', registeredAt: NOW, announce: false});
				assert.deepEqual(total(), {total: ENDED + LIVE + 1, ended: ENDED}, 'a row came');
				writer.db.prepare(`DELETE FROM session_registry WHERE session_id IN ('old-10', 'old-11')`).run();
				assert.deepEqual(total(), {total: ENDED + LIVE - 1, ended: ENDED - 2}, 'two rows went');
				writer.end('live-1');
				assert.deepEqual(total(), {total: ENDED + LIVE - 1, ended: ENDED - 1}, 'a session ended');
				assert.ok(counts() >= 2, 'counted again as rows came and went');
			} finally {
				close();
			}
		});

	it('a live refresh takes only the ended sessions still needed; the counts are exact', () => {
		const dbPath = freshPath();
		longLivedBus(dbPath);
		const {take, writer, close} = watchedReader(dbPath, 'old-7');
		try {
			const first = take();
			assert.deepEqual(first.handed.sort(), ['old-3', 'old-7'], 'the holder of a lock and the current session');
			assert.deepEqual(first.snapshot.sessionCounts, {total: ENDED + LIVE, ended: ENDED});
			for (let beat = 0; beat < 3; beat++) {
				writer.heartbeat('live-0');
				const refresh = take();
				assert.ok(refresh.handed.length <= 2, `a refresh after a heartbeat took ${refresh.handed.length} ended sessions`);
				assert.equal(refresh.snapshot.sessions.filter(row => row.status === 'ended').length, 2);
			}
			writer.heartbeat('live-1');
			const ids = endedIds(dbPath);
			const page = take({endedSessions: 200});
			assert.deepEqual(page.handed.sort(), [...ids.slice(0, 200), 'old-3', 'old-7'].sort(), 'one page, and those needed');
			// A read takes the last commit before it once more (see reuse.ts): once one to another table follows, no session is read.
			writer.send({senderId: 'x', recipientId: 'live-0'});
			take({endedSessions: 200});
			assert.deepEqual(take({endedSessions: 200}).handed, [], 'no session read');
			const next = take({endedSessions: 400});
			assert.deepEqual(next.handed, ids.slice(200, 400), 'the next page alone, below the last one read');
			assert.deepEqual(
				next.snapshot.sessions.filter(row => row.status === 'ended').map(row => row.sessionId),
				['old-3', 'old-7', ...ids.slice(0, 400)],
				'those needed, then the pages, newest first',
			);
			assert.equal(next.snapshot.sessions.length, LIVE + 402);
			const hidden = take();
			assert.deepEqual(hidden.handed, [], 'hidden again: nothing read');
			assert.deepEqual(
				hidden.snapshot.sessions.filter(row => row.status === 'ended').map(row => row.sessionId),
				['old-3', 'old-7'],
				'and none listed but those needed',
			);
		} finally {
			close();
		}
	});

	it('reads the live sessions and the pages through idx_sessions_status, and the same without it', () => {
		const dbPath = freshPath();
		longLivedBus(dbPath);
		const db = openReader(dbPath);
		const schema = introspect(db);
		const plan = (text: string, params: object = {}) =>
			(db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as Array<{detail: string}>).map(row => row.detail).join(' | ');
		assert.match(plan(snapshotSql(schema).sessions!), /SEARCH session_registry USING INDEX idx_sessions_status \(status<\?\)/);
		assert.match(plan(endedSessionsSql(schema)!.page, {before: 1000, limit: 10}), /idx_sessions_status \(status=\? AND rowid<\?\)/);
		assert.match(plan(keptSessionsSql(schema)!, {ids: '[]'}), /sqlite_autoindex_session_registry_1 \(session_id=\?\)/);
		db.close();
		const all = (file: string) => read(file, {endedSessions: Infinity});
		const withIndex = all(dbPath);
		assert.deepEqual(
			withIndex.sessions.filter(row => row.status === 'ended').map(row => row.sessionId),
			['old-3', ...endedIds(dbPath).filter(id => id !== 'old-3')],
			'every ended session: the holder of a lock with the live ones, then the rest newest first',
		);
		dropOwnIndexes(dbPath);
		const without = all(dbPath);
		assert.deepEqual(
			without.sessions.map(row => row.sessionId),
			withIndex.sessions.map(row => row.sessionId),
		);
		assert.deepEqual(without.sessionCounts, withIndex.sessionCounts);
	});
});

describe('the live loop: open counts current, history counted only when it changed', () => {
	/** A live bus on a fresh bus with a hand-set clock, noting whether each read counted the history. */
	function liveOn(setup: (bus: BusWriter) => void, countsMs = 0) {
		const dbPath = freshPath();
		const bus = new BusWriter(dbPath);
		setup(bus);
		let clock = Date.now();
		const live = new LiveBus({
			dbPath,
			staleTimeoutMs: STALE_MS,
			sessionId: null,
			machineUuid: null,
			readOnly: true,
			coalesceMs: 0,
			countsMs,
			now: () => clock,
		});
		const counted: boolean[] = [];
		const read = live.monitor.read.bind(live.monitor);
		live.monitor.read = options => (counted.push(options.countHistory), read(options));
		const tick = async (ms: number) => {
			clock += ms;
			await live.tick();
		};
		return {bus, live, counted, tick, close: () => (live.stop(), bus.close())};
	}

	it('pending and delivered follow every read; the rest of the history waits, marked with its time', async () => {
		const {bus, live, tick, close} = liveOn(writer => {
			writer.register({sessionId: 'claude-1'});
			for (let i = 0; i < 15; i++) writer.send({senderId: 'x', recipientId: 'claude-1'});
		}, 60_000);
		try {
			await tick(0);
			await tick(1500);
			const taken = live.getState().reading!.snapshot.counts!;
			for (let i = 0; i < 19; i++) bus.send({senderId: 'x', recipientId: 'claude-1'});
			await tick(1000);
			const {snapshot, analysis} = live.getState().reading!;
			assert.equal(snapshot.counts!.countedAt, taken.countedAt, 'the history counts were not taken again');
			assert.equal(analysis.unreadTotal, 34);
			assert.equal(snapshot.counts!.byStatus['pending'], taken.byStatus['pending'] + 19, 'pending as the Unread list has it');
			assert.equal(snapshot.counts!.v2, taken.v2 + 19);
			const v2 = statsLines(snapshot, analysis, valueFormat('plain'), false).find(line => line.startsWith('v2 messages'));
			assert.match(v2 ?? '', /^v2 messages: 35 \(35 pending, 0 delivered, 0 read; the history as of \d{2}:\d{2}:\d{2} UTC\)$/);
		} finally {
			close();
		}
	});

	it('heartbeats do not make it count the history again; a message does, once', async () => {
		const {bus, counted, tick, close} = liveOn(writer => writer.register({sessionId: 'claude-1'}));
		let at = Date.now();
		const beats = async (count: number) => {
			for (let beat = 0; beat < count; beat++) {
				bus.heartbeat('claude-1', (at += 1000));
				await tick(1000);
				await tick(1000);
			}
		};
		try {
			await tick(0);
			await tick(1500);
			assert.deepEqual(counted, [false, true], 'the first read, then the first counts');
			// The read after a commit takes the commit before it once more (see reuse.ts): the setup's, here.
			await beats(1);
			counted.length = 0;
			await beats(3);
			assert.deepEqual(counted, [false, false, false], 'a read after each heartbeat, no count, and nothing in between');
			counted.length = 0;
			bus.send({senderId: 'x', recipientId: 'claude-1'});
			await tick(1000);
			await tick(1000);
			await tick(1000);
			assert.deepEqual(counted, [false, true], 'the read that saw the message, then one count');
			await beats(1);
			counted.length = 0;
			await beats(3);
			assert.deepEqual(counted, [false, false, false], 'heartbeats alone again: no count');
		} finally {
			close();
		}
	});
});
