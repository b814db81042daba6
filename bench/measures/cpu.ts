import Database from 'better-sqlite3';
import {freshenHeartbeats} from '../build-bus.js';
import type {Config} from '../lib/config.js';
import {type Dashboard, commitToScreen} from '../lib/dashboard.js';
import {round, stats} from '../lib/stats.js';
import {msSince, nowNs, sleep} from '../lib/time.js';
import {cpuSeconds} from '../lib/usage.js';
import {startWriters} from '../lib/writes.js';

const BUSY_COMMITS_PER_S = 100;

/** Percent of a core `pid` used since `cpu0` (CPU seconds) and `start`. */
function cpuPercent(pid: number, cpu0: number, start: bigint): {pct: number; cpu: number; seconds: number} {
	const cpu = cpuSeconds(pid);
	const seconds = msSince(start) / 1000;
	return {pct: ((cpu - cpu0) / seconds) * 100, cpu, seconds};
}

/** The running dashboard's CPU with nothing committed: a window from 5 s after the last commit, then the window after it. */
export async function measureIdleCpu(dashboard: Dashboard, config: Config): Promise<Record<string, unknown>> {
	const {tui, pid} = dashboard;
	freshenHeartbeats(dashboard.bus);
	await sleep(5000);
	const bytes0 = await tui.stats();
	const idleCpu0 = cpuSeconds(pid);
	const idleStart = nowNs();
	await sleep(config.cpuWindowS * 1000);
	const idle = cpuPercent(pid, idleCpu0, idleStart);
	const bytes1 = await tui.stats();
	const steadyStart = nowNs();
	await sleep(config.cpuWindowS * 1000);
	const steady = cpuPercent(pid, idle.cpu, steadyStart);
	return {
		idle_cpu_pct: round(idle.pct, 2),
		idle_window_s: round(idle.seconds, 1),
		idle_steady_cpu_pct: round(steady.pct, 2),
		idle_bytes_drawn: bytes1 - bytes0,
	};
}

/** The running dashboard's CPU while writers commit 100 times a second, and commit to screen sampled meanwhile. */
export async function measureBusyCpu(dashboard: Dashboard, config: Config): Promise<Record<string, unknown>> {
	const {pid} = dashboard;
	freshenHeartbeats(dashboard.bus);
	await sleep(2000);
	const busyWriter = new Database(dashboard.bus);
	busyWriter.pragma('busy_timeout = 2000');
	const busyCpu0 = cpuSeconds(pid);
	const busyStart = nowNs();
	const writers = startWriters(busyWriter, BUSY_COMMITS_PER_S);
	const latency: number[] = [];
	let timeouts = 0;
	const windowMs = config.cpuWindowS * 1000;
	const gap = windowMs / (config.busyLatencySamples + 1);
	for (let i = 0; i < config.busyLatencySamples && msSince(busyStart) < windowMs - gap; i++) {
		await sleep(Math.max(0, gap * (i + 1) - msSince(busyStart)));
		const value = await commitToScreen(dashboard, i, 'b');
		if (value === null) timeouts++;
		else latency.push(value);
	}
	await sleep(Math.max(0, windowMs - msSince(busyStart)));
	const busy = cpuPercent(pid, busyCpu0, busyStart);
	const written = writers.stop();
	busyWriter.close();
	return {
		busy_cpu_pct: round(busy.pct, 2),
		busy_window_s: round(busy.seconds, 1),
		busy_commits_per_s: round(written.commits / written.seconds, 1),
		busy_commit_to_screen: {...stats(latency, 1), timeouts},
	};
}
