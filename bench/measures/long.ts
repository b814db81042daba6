import Database from 'better-sqlite3';
import {freshenHeartbeats} from '../build-bus.js';
import type {Config, Setup} from '../lib/config.js';
import {startDashboard, stopDashboard} from '../lib/dashboard.js';
import type {LongFigures} from '../lib/figures.js';
import {round} from '../lib/stats.js';
import {sleep} from '../lib/time.js';
import {peakRssMb, rssMb} from '../lib/usage.js';
import {startWriters} from '../lib/writes.js';
import {cpuWindow} from './cpu.js';

const SOAK_COMMITS_PER_S = 10;

/**
 * BENCH_LONG: one dashboard, run with a stale timeout of an hour so that no live session
 * turns stale while nothing heartbeats. Idle CPU over `longIdleS` from `longSettleS` after
 * it showed the bus, nothing committed; then a soak, writers committing 10 times a second,
 * with its resident set after `soakFirstS` and at the end (`soakS`).
 */
export async function measureLong(bus: string, config: Config, setup: Setup): Promise<LongFigures> {
	freshenHeartbeats(bus);
	const dashboard = await startDashboard(bus, setup, ['--stale-timeout', '3600']);
	const {pid} = dashboard;
	try {
		// startDashboard returns 2 s after the first frame showing the bus.
		await sleep(Math.max(0, config.longSettleS - 2) * 1000);
		const idle = await cpuWindow(dashboard, config.longIdleS);

		const soakWriter = new Database(bus);
		soakWriter.pragma('busy_timeout = 2000');
		const writers = startWriters(soakWriter, SOAK_COMMITS_PER_S);
		await sleep(config.soakFirstS * 1000);
		const first = rssMb(pid);
		await sleep((config.soakS - config.soakFirstS) * 1000);
		const last = rssMb(pid);
		const written = writers.stop();
		soakWriter.close();
		return {
			long_idle_cpu_pct: round(idle.pct, 2),
			long_idle_window_s: round(idle.seconds, 1),
			long_idle_bytes_drawn: idle.bytes,
			soak_commits_per_s: round(written.commits / written.seconds, 1),
			soak_rss_first_mb: round(first ?? Number.NaN, 1),
			soak_rss_last_mb: round(last ?? Number.NaN, 1),
			soak_first_s: config.soakFirstS,
			soak_last_s: config.soakS,
			soak_rss_ratio: round((last ?? Number.NaN) / (first ?? Number.NaN)),
			soak_peak_rss_mb: round(peakRssMb(pid) ?? Number.NaN, 1),
		};
	} finally {
		await stopDashboard(dashboard);
	}
}
