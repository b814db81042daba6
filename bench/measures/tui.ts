import {freshenHeartbeats} from '../build-bus.js';
import type {Config, Setup} from '../lib/config.js';
import {startDashboard, stopDashboard} from '../lib/dashboard.js';
import type {TuiFigures} from '../lib/figures.js';
import {round} from '../lib/stats.js';
import {peakRssMb} from '../lib/usage.js';
import {measureCommitToScreen} from './commit-to-screen.js';
import {measureBusyCpu, measureHeartbeatCpu, measureIdleCpu} from './cpu.js';
import {measureFirstFrame} from './first-frame.js';

/** Every figure of the dashboard, or (for a twin) only its CPU while one session heartbeats once a second. */
export type TuiParts = 'all' | 'heartbeat';

/** The dashboard's figures: first frames, then one long run for commit to screen, idle, heartbeat and busy CPU, and its peak RSS. */
export async function measureTui(bus: string, config: Config, setup: Setup, parts: TuiParts = 'all'): Promise<TuiFigures> {
	freshenHeartbeats(bus);
	const firstFrame = parts === 'all' ? await measureFirstFrame(bus, config, setup) : {};
	const dashboard = await startDashboard(bus, setup);
	try {
		if (parts === 'heartbeat') return await measureHeartbeatCpu(dashboard, config);
		const commitToScreen = await measureCommitToScreen(dashboard, config);
		const idle = await measureIdleCpu(dashboard, config);
		const heartbeat = await measureHeartbeatCpu(dashboard, config);
		const busy = await measureBusyCpu(dashboard, config);
		const peak = peakRssMb(dashboard.pid);
		return {...firstFrame, ...commitToScreen, ...idle, ...heartbeat, ...busy, peak_rss_mb: round(peak ?? Number.NaN, 1)};
	} finally {
		await stopDashboard(dashboard);
	}
}
