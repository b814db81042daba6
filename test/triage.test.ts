import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import type {ChildProcess} from 'node:child_process';
import {triageOrder} from '../source/analysis/triage.js';
import {BusMonitor, type Reading} from '../source/monitor/monitor.js';
import {buildTabs} from '../source/ui/tabs/index.js';
import {deadPid, liveProcess, tempDir, withWriter} from './helpers/fixtures.js';

/**
 * What needs the operator first: every class of the Sessions view's own order, the
 * oldest heartbeat first within a class, the rest by project and id, the hook that puts a
 * lost link's rows last, and the tabs that say `!`.
 */

const STALE_MS = 300_000;
const MINUTE = 60_000;
const children: ChildProcess[] = [];
after(() => children.forEach(child => child.kill('SIGKILL')));

async function readBus(dbPath: string, sessionId: string | null): Promise<Reading> {
	const monitor = new BusMonitor({dbPath, staleTimeoutMs: STALE_MS, sessionId, machineUuid: null});
	try {
		return await monitor.read({countHistory: false, now: Date.now()});
	} finally {
		monitor.close();
	}
}

/** One session of each class, and two in some classes to show the order within one. */
async function triageBus(): Promise<string> {
	const dbPath = path.join(tempDir(), 'messaging.db');
	const live = () => {
		const child = liveProcess();
		children.push(child);
		return child.pid!;
	};
	const dead = await deadPid();
	const host = os.hostname();
	const now = Date.now();
	withWriter(dbPath, bus => {
		const session = (
			sessionId: string,
			pid: number | null,
			options: {beat?: number; project?: string; registered?: number; hostname?: string} = {},
		) => {
			bus.register({
				sessionId,
				pid,
				hostname: options.hostname ?? host,
				projectId: options.project ?? 'P',
				registeredAt: options.registered ?? now,
			});
			bus.heartbeat(sessionId, options.beat ?? now);
		};
		session('rest-b', live(), {project: 'B'});
		session('rest-a2', live(), {project: 'A'});
		session('rest-a1', live(), {project: 'A'});
		session('mail', live());
		session('late', live(), {beat: now - 10 * MINUTE});
		session('late-older', live(), {beat: now - 20 * MINUTE});
		session('critical', live(), {beat: now - MINUTE});
		session('stale-holding', 4242, {beat: now - 10 * MINUTE, hostname: 'elsewhere'});
		// Its PID now belongs to a process started an hour after it registered.
		session('reused-holding', live(), {registered: now - 60 * MINUTE, beat: now - MINUTE});
		session('dead-holding', dead, {beat: now - 2 * MINUTE});
		session('dead-idle', dead);
		session('current', live(), {beat: now - 30 * MINUTE});
		bus.lock('a.py', 'dead-holding');
		bus.claim('T.1', 'reused-holding');
		bus.claim('T.2', 'stale-holding');
		bus.alert({type: 'file_conflict', priority: 3, sessions: ['critical', 'rest-b'], filePath: 'x.py'});
		bus.alert({type: 'cwd_overlap', priority: 2, sessions: ['rest-a1'], cwd: '/x'});
		bus.send({senderId: 'mail', recipientId: 'current', channel: 'coordination', payload: {text: 'need a hand'}});
		bus.send({senderId: 'rest-a2', recipientId: 'critical', channel: 'coordination', payload: {text: 'not for the operator'}});
		bus.alert({type: 'task_conflict', priority: 3, sessions: ['rest-b'], taskId: 'T.9'});
		bus.db.prepare(`UPDATE session_messages SET status = 'read' WHERE message_type = 'task_conflict'`).run();
	});
	return dbPath;
}

describe('What needs you first', () => {
	it('orders the Sessions view: current, dead or reused holding, stale holding, critical alert, late, mail, then the rest', async () => {
		const reading = await readBus(await triageBus(), 'current');
		const byId = new Map(reading.analysis.sessions.map(view => [view.row.sessionId, view]));
		assert.equal(byId.get('reused-holding')?.liveness.state, 'reused');
		assert.equal(byId.get('stale-holding')?.state, 'stale');
		const needs = Object.fromEntries(reading.analysis.sessions.map(view => [view.row.sessionId, view.need]));
		assert.deepEqual(needs, {
			'rest-b': 'critical-alert',
			'rest-a2': null,
			'rest-a1': null,
			mail: 'mail',
			late: 'late',
			'late-older': 'late',
			critical: 'critical-alert',
			'stale-holding': 'stale-holding',
			'reused-holding': 'gone-holding',
			'dead-holding': 'gone-holding',
			'dead-idle': null,
			current: 'late',
		});
		const rows = buildTabs(reading, {showEnded: false, countsNote: ''}).sessions.rows;
		assert.deepEqual(
			rows.map(row => row.copy),
			[
				'current',
				// Within a class, the oldest heartbeat first.
				'dead-holding',
				'reused-holding',
				'stale-holding',
				'critical',
				'rest-b',
				'late-older',
				'late',
				'mail',
				// The rest by project and id: a dead session holding nothing needs no one.
				'rest-a1',
				'rest-a2',
				'dead-idle',
			],
		);
		assert.match(rows[0].cells['id'], /^▶ current/);
	});

	it('puts the rows of a lost link last, whatever they need (the hook the fleet fills)', async () => {
		const reading = await readBus(await triageBus(), 'current');
		const lost = new Set(['current', 'dead-holding']);
		const order = triageOrder(reading.analysis.sessions, {lost: view => lost.has(view.row.sessionId)}).map(view => view.row.sessionId);
		assert.deepEqual(order.slice(-2), ['current', 'dead-holding']);
		assert.equal(order[0], 'reused-holding');
	});

	it('marks with ! the tabs holding something that needs the operator, and no others', async () => {
		const tabs = buildTabs(await readBus(await triageBus(), 'current'), {showEnded: false, countsNote: ''});
		const marked = Object.values(tabs)
			.filter(tab => tab.badge?.attention)
			.map(tab => tab.id);
		assert.deepEqual(marked, ['sessions', 'locks', 'claims', 'alerts', 'unread']);

		const quiet = path.join(tempDir(), 'messaging.db');
		const child = liveProcess();
		children.push(child);
		withWriter(quiet, bus => {
			bus.register({sessionId: 'calm', pid: child.pid!, hostname: os.hostname()});
			bus.lock('b.py', 'calm');
			bus.alert({type: 'cwd_overlap', priority: 2, sessions: ['calm'], cwd: '/y'});
			bus.send({senderId: 'x', recipientId: 'someone-else', payload: {text: 'hi'}});
		});
		const calm = buildTabs(await readBus(quiet, null), {showEnded: false, countsNote: ''});
		assert.deepEqual(
			Object.values(calm)
				.filter(tab => tab.badge?.attention)
				.map(tab => tab.id),
			[],
		);
	});

	it('without a current session, mail to the operator setting is the operator own', async () => {
		const dbPath = path.join(tempDir(), 'messaging.db');
		const child = liveProcess();
		children.push(child);
		withWriter(dbPath, bus => {
			bus.register({sessionId: 'asker', pid: child.pid!, hostname: os.hostname()});
			bus.send({senderId: 'asker', recipientId: 'ops-desk', payload: {text: 'which branch?'}});
			bus.send({senderId: 'asker', recipientId: 'someone', payload: {text: 'not yours'}});
		});
		const monitor = new BusMonitor({dbPath, staleTimeoutMs: STALE_MS, sessionId: null, machineUuid: null, operator: 'ops-desk'});
		try {
			const reading = await monitor.read({countHistory: false, now: Date.now()});
			assert.equal(reading.analysis.operatorId, 'ops-desk');
			assert.equal(reading.analysis.sessions[0].need, 'mail');
			const unread = buildTabs(reading, {showEnded: false, countsNote: ''}).unread;
			assert.equal(unread.badge?.attention, true);
			assert.equal(unread.rows[0].cells['recipient'], 'ops-desk', 'the operator own mail first');
			assert.equal(unread.rows[0].tone, 'accent');
			assert.deepEqual(unread.rows[0].readIds, unread.rows[0].shownIds);
			assert.equal(unread.rows[1].readIds, undefined, 'mail to another is not the operator to read');
		} finally {
			monitor.close();
		}
	});
});
