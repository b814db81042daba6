import {freshenHeartbeats} from '../build-bus.js';
import type {Config, Setup} from '../lib/config.js';
import {startDashboard, stopDashboard} from '../lib/dashboard.js';
import {round} from '../lib/stats.js';
import {peakRssMb} from '../lib/usage.js';
import {measureCommitToScreen} from './commit-to-screen.js';
import {measureBusyCpu, measureIdleCpu} from './cpu.js';
import {measureFirstFrame} from './first-frame.js';

/** The dashboard's figures: first frames, then one long run for commit to screen, idle and busy CPU, and its peak RSS. */
export async function measureTui(bus: string, config: Config, setup: Setup): Promise<Record<string, unknown>> {
	freshenHeartbeats(bus);
	const firstFrame = await measureFirstFrame(bus, config, setup);
	const dashboard = await startDashboard(bus, setup);
	try {
		const commitToScreen = await measureCommitToScreen(dashboard, config);
		const idle = await measureIdleCpu(dashboard, config);
		const busy = await measureBusyCpu(dashboard, config);
		return {...firstFrame, ...commitToScreen, ...idle, ...busy, peak_rss_mb: round(peakRssMb(dashboard.pid) ?? Number.NaN, 1)};
	} finally {
		await stopDashboard(dashboard);
	}
}
