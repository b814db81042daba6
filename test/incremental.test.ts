import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import type {ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {liveProcess, tempDir} from './helpers/fixtures.js';
import {BusWriter} from '../source/bus/writer.js';
import {openReader} from '../source/bus/open.js';
import {SnapshotReader} from '../source/bus/reader.js';
import type {BusSnapshot} from '../source/bus/types.js';
import {CLOCK_SKEW_TOLERANCE_MS, analyze, findLockConflicts, nextHeartbeatChange} from '../source/analysis/analyze.js';
import type {Liveness} from '../source/processes/liveness.js';
import {LiveBus, type LiveState} from '../source/monitor/live.js';
import {coarseAge, coarseAgeChangesIn, countdown, countdownChangesIn} from '../source/ui/tabs/cells.js';

/**
 * What the live loop skips must not change what it shows: rows the reader hands back
 * again, lock conflicts reused, and judgements made only when the clock or a PID can
 * change a state.
 */

const STALE = 10_000;
const HOST = os.hostname();
let alive: ChildProcess;

before(async () => {
	alive = liveProcess();
	await once(alive, 'spawn');
});

after(() => {
	if (alive.exitCode === null && alive.signalCode === null) alive.kill('SIGKILL');
});

/** Reads of the bus at dbPath, now, through one reader (reuseRows false: a one-shot reader's, from scratch). */
function reads(dbPath: string, options?: {reuseRows?: boolean}): () => BusSnapshot {
	const reader = new SnapshotReader(openReader(dbPath), dbPath, options);
	return () => reader.read({now: Date.now(), staleTimeoutMs: STALE, countHistory: false});
}

function busPath(): string {
	return path.join(tempDir('session-status-incremental-'), 'messaging.db');
}

/** A new bus where session 'a' locks `paths`, and reads of it through one reader. */
function lockedBus(...paths: string[]): {bus: BusWriter; dbPath: string; read: () => BusSnapshot} {
	const dbPath = busPath();
	const bus = new BusWriter(dbPath);
	bus.register({sessionId: 'a', hostname: HOST, pid: null});
	for (const filePath of paths) bus.lock(filePath, 'a');
	return {bus, dbPath, read: reads(dbPath)};
}

const NO_PID: Liveness = {state: 'no-pid', processStartedAt: null};
const livenessOf = (snapshot: BusSnapshot) => new Map(snapshot.sessions.map(row => [row.rowid, NO_PID]));

describe('nextHeartbeatChange', () => {
	const now = 1_000_000_000;
	it('a fresh heartbeat changes once it is more than the stale timeout old', () => {
		assert.equal(nextHeartbeatChange(now - 4000, now, now, STALE), now + 6001);
		assert.equal(nextHeartbeatChange(now - STALE, now, now, STALE), now + 1, 'exactly the timeout old: still fresh');
	});

	it('an expired or unreadable heartbeat never changes with time alone', () => {
		assert.equal(nextHeartbeatChange(now - STALE - 1, now, now, STALE), null);
		assert.equal(nextHeartbeatChange(null, now, now, STALE), null);
	});

	it('a heartbeat from the future: watched for the timeout since first seen, or caught up by the clock, whichever comes first', () => {
		const ahead = now + CLOCK_SKEW_TOLERANCE_MS + 3_600_000;
		assert.equal(nextHeartbeatChange(ahead, now - 2000, now, STALE), now + 8001);
		assert.equal(nextHeartbeatChange(ahead, now - STALE - 5, now, STALE), ahead - CLOCK_SKEW_TOLERANCE_MS, 'watched too long already');
		const soon = now + CLOCK_SKEW_TOLERANCE_MS + 500;
		assert.equal(nextHeartbeatChange(soon, now, now, STALE), now + 500);
	});
});

describe('analyze: nextStateChangeAt', () => {
	it('is the first instant a state changes: judging just before it gives the same states, at it one differs', () => {
		const dbPath = busPath();
		const t0 = Date.now();
		const bus = new BusWriter(dbPath);
		for (const [id, age] of [
			['a', 1000],
			['b', 7000],
			['c', 30_000],
		] as const) {
			bus.register({sessionId: id, hostname: HOST, pid: null, registeredAt: t0 - 60_000});
			bus.heartbeat(id, t0 - age);
		}
		bus.register({sessionId: 'ahead', hostname: HOST, pid: null, registeredAt: t0 - 60_000});
		bus.heartbeat('ahead', t0 + 3_600_000);
		bus.close();
		const snapshot = new SnapshotReader(openReader(dbPath), dbPath).read({now: t0, staleTimeoutMs: STALE, countHistory: false});
		const judge = (now: number) =>
			analyze(snapshot, {
				now,
				liveness: livenessOf(snapshot),
				currentRowid: null,
				heartbeatFirstSeen: new Map(snapshot.sessions.map(row => [row.rowid, t0])),
			});
		const states = (now: number) => judge(now).sessions.map(view => `${view.row.sessionId}:${view.state}`);

		let now = t0;
		const seen: string[][] = [states(now)];
		for (let step = 0; step < 3; step++) {
			const next = judge(now).nextStateChangeAt;
			assert.ok(next !== null && next > now);
			assert.deepEqual(states(next - 1), states(now), `nothing changes before ${next - t0} ms`);
			assert.notDeepEqual(states(next), states(now), `something changes at ${next - t0} ms`);
			seen.push(states(next));
			now = next;
		}
		assert.deepEqual(
			seen.map(list => list.filter(entry => entry.endsWith(':stale')).length),
			[1, 2, 3, 4],
		);
		// All stale; only the clock catching up with the heartbeat from the future makes it fresh again.
		const caughtUp = t0 + 3_600_000 - CLOCK_SKEW_TOLERANCE_MS;
		assert.equal(judge(now).nextStateChangeAt, caughtUp);
		assert.deepEqual(
			states(caughtUp).filter(entry => !entry.endsWith(':stale')),
			['ahead:active'],
		);
		assert.equal(judge(caughtUp).nextStateChangeAt, t0 + 3_600_000 + STALE + 1, 'then stale once the heartbeat is older than the timeout');
		assert.equal(judge(t0 + 3_600_000 + STALE + 1).nextStateChangeAt, null, 'all stale: nothing changes with time alone');
	});
});

describe('reuse between refreshes', () => {
	it('the reader hands back unchanged rows and lists as the same objects, and a changed row anew', () => {
		const dbPath = busPath();
		const bus = new BusWriter(dbPath);
		for (const id of ['a', 'b', 'c']) bus.register({sessionId: id, hostname: HOST, pid: null});
		bus.lock('src/x.ts', 'a');
		bus.claim('T.1', 'b');
		const read = reads(dbPath);
		const first = read();
		const again = read();
		assert.equal(again.sessions, first.sessions);
		assert.equal(again.locks, first.locks);
		assert.equal(again.claims, first.claims);
		bus.heartbeat('b', Date.now() + 5);
		const later = read();
		assert.notEqual(later.sessions, first.sessions);
		assert.equal(later.sessions[0], first.sessions[0]);
		assert.notEqual(later.sessions[1], first.sessions[1]);
		assert.notEqual(later.sessions[1].lastHeartbeat.text, first.sessions[1].lastHeartbeat.text);
		assert.equal(later.sessions[2], first.sessions[2]);
		assert.equal(later.locks, first.locks);
		bus.close();
	});

	it('rows that keep changing are read at once: a change back, a pause, then a change are each seen, unchanged rows as the same objects', () => {
		const {bus, read} = lockedBus('src/x.ts', 'src/y.ts');
		const lockTypes = (snapshot: BusSnapshot) => snapshot.locks.map(lock => lock.type).join(' ');
		const setType = (type: string) => bus.db.prepare(`UPDATE file_locks SET lock_type = ? WHERE file_path = 'src/x.ts'`).run(type);
		const first = read();
		assert.equal(lockTypes(first), 'exclusive exclusive');
		setType('shared');
		const shared = read();
		assert.equal(lockTypes(shared), 'shared exclusive');
		assert.equal(shared.locks[1], first.locks[1], 'the lock that did not change is the same object');
		// Back again, read at once: the reader now holds rows read without a fingerprint, and the
		// one it took of the 'shared' rows must not stay with them (the last change would go unseen).
		setType('exclusive');
		const back = read();
		assert.equal(lockTypes(back), 'exclusive exclusive');
		const still = read();
		assert.equal(still.locks, back.locks, 'no change: the same list');
		setType('shared');
		assert.equal(lockTypes(read()), 'shared exclusive');
		bus.close();
	});

	it('values that hold the fingerprint’s separators cannot pass for other values', () => {
		const {bus, dbPath, read} = lockedBus('p');
		const lock = (snapshot: BusSnapshot) => [snapshot.locks[0].key, snapshot.locks[0].sessionId];
		// Path and holder side by side in the row: joined with the separator between them, both rows read the same.
		bus.db.prepare(`UPDATE file_locks SET file_path = 'p' || char(31) || 'a', session_id = 'b'`).run();
		// Read until the reader checks by fingerprint (the first read, one to take it, one check).
		for (let i = 0; i < 3; i++) read();
		bus.db.prepare(`UPDATE file_locks SET file_path = 'p', session_id = 'a' || char(31) || 'b'`).run();
		assert.deepEqual(lock(read()), lock(reads(dbPath, {reuseRows: false})()));
		bus.close();
	});

	it('a hold or message changed in place, to NULL, or to a blob of the same bytes, is read again', () => {
		const dbPath = busPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'a', hostname: HOST, pid: null});
		bus.lock('src/x.ts', 'a', {expiresAt: Date.now() + 3_600_000});
		bus.send({senderId: 'a', recipientId: 'b', channel: 'direct', payload: {text: 'hi'}});
		const read = reads(dbPath);
		let last = read();
		const changes: Array<[string, (snapshot: BusSnapshot) => unknown]> = [
			[`UPDATE file_locks SET lock_type = 'shared'`, snapshot => snapshot.locks[0].type],
			[`UPDATE file_locks SET expires_at = NULL`, snapshot => snapshot.locks[0].expiresAt.text],
			[`UPDATE file_locks SET session_id = X'3132'`, snapshot => snapshot.locks[0].sessionId],
			[`UPDATE session_messages SET payload = '{"text":"bye"}'`, snapshot => snapshot.unread[0].payload],
		];
		for (const [sql, value] of changes) {
			bus.db.prepare(sql).run();
			const next = read();
			const fresh = reads(dbPath, {reuseRows: false})();
			assert.deepEqual(value(next), value(fresh), sql);
			assert.notEqual(next.locks[0], sql.includes('file_locks') ? last.locks[0] : undefined, `${sql}: read again`);
			last = next;
		}
		bus.close();
	});

	it('an analysis reusing cached lock conflicts and holds equals one made from scratch, also when a holder moves', () => {
		const dbPath = busPath();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'a', hostname: HOST, pid: null, cwd: '/repo'});
		bus.register({sessionId: 'b', hostname: HOST, pid: null, cwd: '/repo'});
		bus.lock('src/x.ts', 'a');
		bus.lock('/repo/src', 'b');
		bus.lock('/elsewhere/y.ts', 'b');
		bus.claim('T.1', 'a');
		const read = reads(dbPath);
		const judge = (snapshot: BusSnapshot) => analyze(snapshot, {now: 1, liveness: livenessOf(snapshot), currentRowid: null});
		// A deep copy has none of the arrays the caches are keyed on: analysed from scratch.
		const same = (snapshot: BusSnapshot) => {
			const reused = judge(snapshot);
			const fresh = judge(structuredClone(snapshot));
			assert.deepEqual(reused, fresh);
			assert.deepEqual(reused.lockConflicts, findLockConflicts(fresh.locks));
			return reused;
		};
		const first = same(read());
		assert.equal(first.lockConflicts.length, 1, 'src/x.ts of a, from /repo, is inside /repo/src of b');
		bus.heartbeat('b', Date.now() + 5);
		const heartbeat = read();
		assert.equal(same(heartbeat).lockConflicts, first.lockConflicts, 'reused after a heartbeat');
		bus.db.prepare(`UPDATE session_registry SET cwd = '/other' WHERE session_id = 'a'`).run();
		const moved = read();
		assert.equal(moved.locks, heartbeat.locks, 'the lock rows did not change');
		assert.deepEqual(same(moved).lockConflicts, [], 'src/x.ts of a is now under /other');
		bus.close();
	});
});

describe('when a clock-driven text next changes', () => {
	// Each says how long its text stays as it is: one millisecond before, the same; at it, different.
	const samples = [0, 1, 59_999, 60_000, 61_234, 3_599_999, 3_600_000, 7_265_432, 86_399_999, 86_400_000, 90_061_001, 400_000_000];

	it('ages and uptimes (minutes, then hours past a day)', () => {
		for (const [format, changesIn] of [[coarseAge, coarseAgeChangesIn]] as const) {
			for (const ms of samples) {
				const wait = changesIn(ms);
				assert.ok(wait >= 1, `${ms}`);
				assert.equal(format(ms + wait - 1), format(ms), `${format.name}(${ms}) before ${wait} ms`);
				assert.notEqual(format(ms + wait), format(ms), `${format.name}(${ms}) after ${wait} ms`);
			}
		}
	});

	it('countdowns to an expiry', () => {
		const now = 1_800_000_000_000;
		for (const left of samples.filter(ms => ms > 0)) {
			const expires = {ms: now + left, text: 'x'};
			const wait = countdownChangesIn(expires, false, now);
			const at = (t: number) => countdown(expires, t >= expires.ms, t);
			assert.equal(at(now + wait - 1), at(now), `${left} left, before ${wait} ms`);
			assert.notEqual(at(now + wait), at(now), `${left} left, after ${wait} ms`);
		}
		assert.equal(countdownChangesIn({ms: null}, false, now), Infinity);
		assert.equal(countdownChangesIn({ms: now - 1}, true, now), Infinity);
	});
});

/**
 * A bus with one session (no PID) that heartbeated at t0, and a LiveBus on a clock the
 * test moves, past its first reading and its whole-history counts.
 */
async function liveOnQuietBus(sessionId: string, options: {staleTimeoutMs: number; agesMs: number}) {
	const dbPath = busPath();
	const clock = {now: Date.now()};
	const t0 = clock.now;
	const bus = new BusWriter(dbPath);
	bus.register({sessionId, hostname: HOST, pid: null, registeredAt: t0});
	bus.heartbeat(sessionId, t0);
	bus.close();
	const live = new LiveBus({
		dbPath,
		sessionId: null,
		machineUuid: null,
		readOnly: true,
		coalesceMs: 0,
		countsMs: 3_600_000,
		...options,
		now: () => clock.now,
	});
	const states: LiveState[] = [];
	live.subscribe(state => states.push(state));
	await live.tick();
	clock.now += 1000;
	await live.tick(); // the whole-history counts, once
	return {live, states, clock, t0};
}

describe('LiveBus: judging again only when something can change', () => {
	it('with nothing committed: no new judgement until a heartbeat crosses the stale timeout, then at once', async () => {
		const {live, states, clock, t0} = await liveOnQuietBus('quiet', {staleTimeoutMs: STALE, agesMs: 3_600_000});
		try {
			const judged = states.length;
			for (const offset of [2000, 5000, 9000, STALE]) {
				clock.now = t0 + offset;
				await live.tick();
			}
			assert.equal(states.length, judged, 'nothing can have changed');
			assert.equal(states.at(-1)!.reading!.analysis.sessions[0].state, 'active');
			clock.now = t0 + STALE + 1;
			await live.tick();
			assert.equal(states.length, judged + 1);
			assert.equal(states.at(-1)!.reading!.analysis.sessions[0].state, 'stale');
		} finally {
			live.stop();
		}
	});

	it('ages: judged again at agesMs only once the view says a text on screen changes', async () => {
		const {live, states, clock} = await liveOnQuietBus('steady', {staleTimeoutMs: 3_600_000, agesMs: 15_000});
		try {
			const judged = states.length;
			const start = clock.now;
			live.setClockTextsChangeAt(start + 40_000);
			for (const offset of [15_000, 30_000, 39_999]) {
				clock.now = start + offset;
				await live.tick();
			}
			assert.equal(states.length, judged, 'no text on screen changes before start + 40 s');
			clock.now = start + 40_000;
			await live.tick();
			assert.equal(states.length, judged + 1, 'judged again once one does');
			live.setClockTextsChangeAt(null);
			clock.now += 14_999;
			await live.tick();
			assert.equal(states.length, judged + 1, 'unknown: every agesMs, not sooner');
			clock.now += 1;
			await live.tick();
			assert.equal(states.length, judged + 2);
		} finally {
			live.stop();
		}
	});

	it('a PID that dies is judged dead at the next liveness check, without a commit', async () => {
		const dbPath = busPath();
		let now = Date.now();
		const child = liveProcess();
		await once(child, 'spawn');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'doomed', hostname: HOST, pid: child.pid!, registeredAt: now + 1000});
		bus.close();
		const live = new LiveBus({
			dbPath,
			staleTimeoutMs: 300_000,
			sessionId: null,
			machineUuid: null,
			readOnly: true,
			coalesceMs: 0,
			livenessMs: 5000,
			agesMs: 3_600_000,
			countsMs: 3_600_000,
			now: () => now,
		});
		try {
			await live.tick();
			now += 1000;
			await live.tick();
			const liveness = () => live.getState().reading!.analysis.sessions[0].liveness.state;
			assert.equal(liveness(), 'alive');
			child.kill('SIGKILL');
			await once(child, 'exit');
			now += 2000;
			await live.tick();
			assert.equal(liveness(), 'alive', 'not checked again before livenessMs');
			now += 3000;
			await live.tick();
			assert.equal(liveness(), 'dead');
		} finally {
			live.stop();
		}
	});
});
