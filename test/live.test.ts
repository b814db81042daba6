import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {BusWriter} from '../source/bus/writer.js';
import {LiveBus} from '../source/monitor/live.js';
import {Notifications, bellNotifier} from '../source/monitor/notify.js';
import {tempDir} from './helpers/fixtures.js';

describe('LiveBus: the bell', () => {
	it('rings once for a new critical alert, never for those there at start, at most once per 10 s', async () => {
		const dbPath = path.join(tempDir(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.alert({type: 'project_conflict', priority: 3, sessions: ['a', 'b'], projectId: 'P'});
		let clock = Date.now();
		let rings = 0;
		const notifications = new Notifications({now: () => clock}).add(bellNotifier(() => rings++));
		const live = new LiveBus({
			dbPath,
			staleTimeoutMs: 300_000,
			sessionId: null,
			machineUuid: null,
			readOnly: true,
			coalesceMs: 0,
			now: () => clock,
			onReading: notifications.observe,
		});
		try {
			await live.tick();
			assert.equal(rings, 0, 'the alert that was there at start');

			bus.alert({type: 'cwd_overlap', priority: 2, sessions: ['a', 'b'], cwd: '/x'});
			clock += 1000;
			await live.tick();
			assert.equal(rings, 0, 'not critical');

			bus.alert({type: 'file_conflict', priority: 3, sessions: ['a', 'b'], filePath: 'x.py'});
			clock += 1000;
			await live.tick();
			assert.equal(rings, 1, 'a new critical alert');

			bus.alert({type: 'task_conflict', priority: 3, sessions: ['a', 'b'], taskId: 'T.1'});
			clock += 5000;
			await live.tick();
			assert.equal(rings, 1, 'within 10 s of the last bell');

			bus.alert({type: 'task_conflict', priority: 3, sessions: ['c', 'd'], taskId: 'T.2'});
			clock += 10_000;
			await live.tick();
			assert.equal(rings, 2, 'a new one after 10 s');

			clock += 10_000;
			live.refreshNow();
			await live.tick();
			assert.equal(rings, 2, 'nothing new: no bell');
		} finally {
			notifications.stop();
			live.stop();
			bus.close();
		}
	});

	it('keeps the last reading, marked out of date, when the database goes away', async () => {
		const dir = tempDir();
		const dbPath = path.join(dir, 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', pid: process.pid});
		bus.close();
		const live = new LiveBus({
			dbPath: path.join(dir, 'messaging.db'),
			staleTimeoutMs: 300_000,
			sessionId: null,
			machineUuid: null,
			readOnly: true,
			coalesceMs: 0,
		});
		try {
			await live.tick();
			assert.equal(live.getState().reading?.snapshot.sessions.length, 1);
			const {rmSync} = await import('node:fs');
			for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, {force: true});
			await live.tick();
			assert.match(live.getState().error ?? '', /not found/i);
			assert.equal(live.getState().reading?.snapshot.sessions.length, 1, 'the last good reading stays');
		} finally {
			live.stop();
		}
	});
});
