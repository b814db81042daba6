import {BusMonitor} from '../../source/monitor/monitor.js';
import {liveBusFor} from '../../source/monitor/live.js';
import {defaultConfig} from '../../source/settings.js';
import os from 'node:os';
import {type Config, STALE_MS} from '../lib/config.js';
import type {IdleTickFigures} from '../lib/figures.js';
import {stats} from '../lib/stats.js';
import {nowNs} from '../lib/time.js';

/** Microseconds `f` takes, `count` times (awaited only when it returns a promise). */
async function microseconds(count: number, f: () => Promise<unknown> | void): Promise<number[]> {
	const samples: number[] = [];
	for (let i = 0; i < count; i++) {
		const started = nowNs();
		const pending = f();
		if (pending) await pending;
		samples.push(Number(nowNs() - started) / 1000);
	}
	return samples;
}

/** BusMonitor.hasChanged() and LiveBus.tick() with nothing committed since the last read. */
export async function measureIdleTick(bus: string, config: Config): Promise<IdleTickFigures> {
	const monitor = new BusMonitor({dbPath: bus, staleTimeoutMs: STALE_MS, sessionId: null, machineUuid: null});
	await monitor.read({countHistory: false});
	const changedUs = await microseconds(config.idleTicks, () => {
		if (monitor.hasChanged()) throw new Error('hasChanged() reported a change with nothing committed');
	});
	monitor.close();

	const live = liveBusFor({...defaultConfig({}, os.tmpdir()), dbPath: bus, staleTimeoutMs: STALE_MS, readOnly: true});
	let notified = 0;
	live.subscribe(() => notified++);
	await live.tick(); // the first, forced read
	await live.exactReading(); // and the whole-history counts: nothing is left due
	const readsBefore = notified;
	const tickStart = Date.now();
	const tickUs = await microseconds(config.idleTicks, () => live.tick());
	const tickWindowMs = Date.now() - tickStart;
	live.stop();

	return {
		idle: {
			has_changed_us: stats(changedUs, 1),
			live_tick_us: stats(tickUs, 1),
			live_tick_window_ms: tickWindowMs,
			live_tick_notifications: notified - readsBefore,
		},
	};
}
