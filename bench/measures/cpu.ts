import Database from 'better-sqlite3';
import {freshenHeartbeats, liveSessionIds} from '../build-bus.js';
import type {Config} from '../lib/config.js';
import {type Dashboard, commitToScreen} from '../lib/dashboard.js';
import type {BusyCpuFigures, HeartbeatCpuFigures, IdleCpuFigures} from '../lib/figures.js';
import {round, stats} from '../lib/stats.js';
import {msSince, nowNs, sleep} from '../lib/time.js';
import {cpuPercent, cpuSeconds} from '../lib/usage.js';
import {heartbeatStatement, startWriters} from '../lib/writes.js';

const BUSY_COMMITS_PER_S = 100;

/** Percent of a core the running dashboard uses over the next `seconds`, and the bytes it draws meanwhile. */
export async function cpuWindow(dashboard: Dashboard, seconds: number): Promise<{pct: number; seconds: number; bytes: number}> {
	const bytes0 = await dashboard.tui.stats();
	const cpu0 = cpuSeconds(dashboard.pid);
	const start = nowNs();
	await sleep(seconds * 1000);
	const used = cpuPercent(dashboard.pid, cpu0, start);
	return {pct: used.pct, seconds: used.seconds, bytes: (await dashboard.tui.stats()) - bytes0};
}

/** The running dashboard's CPU with nothing committed: a window from 5 s after the last commit, then the window after it. */
export async function measureIdleCpu(dashboard: Dashboard, config: Config): Promise<IdleCpuFigures> {
	freshenHeartbeats(dashboard.bus);
	await sleep(5000);
	const idle = await cpuWindow(dashboard, config.cpuWindowS);
	const steady = await cpuWindow(dashboard, config.cpuWindowS);
	return {
		idle_cpu_pct: round(idle.pct, 2),
		idle_window_s: round(idle.seconds, 1),
		idle_steady_cpu_pct: round(steady.pct, 2),
		idle_bytes_drawn: idle.bytes,
	};
}

/** The running dashboard's CPU while one live session heartbeats once a second (its own commit each), nothing else committed. */
export async function measureHeartbeatCpu(dashboard: Dashboard, config: Config): Promise<HeartbeatCpuFigures> {
	const {writer} = dashboard;
	freshenHeartbeats(dashboard.bus);
	await sleep(2000);
	const [session] = liveSessionIds(writer);
	if (session === undefined) throw new Error(`no live session on ${dashboard.bus}`);
	const heartbeat = heartbeatStatement(writer);
	let commits = 0;
	const timer = setInterval(() => {
		heartbeat.run(new Date().toISOString(), session);
		commits++;
	}, 1000);
	const used = await cpuWindow(dashboard, config.cpuWindowS);
	clearInterval(timer);
	return {heartbeat_cpu_pct: round(used.pct, 2), heartbeat_window_s: round(used.seconds, 1), heartbeat_commits: commits};
}

/** The running dashboard's CPU while writers commit 100 times a second, and commit to screen sampled meanwhile. */
export async function measureBusyCpu(dashboard: Dashboard, config: Config): Promise<BusyCpuFigures> {
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
