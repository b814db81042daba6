import path from 'node:path';
import Database from 'better-sqlite3';
import {freshenHeartbeats} from '../build-bus.js';
import type {Setup} from './config.js';
import {spawnSleeper} from './processes.js';
import {DATA_FRAME, PtyRun} from './pty.js';
import {sleep} from './time.js';
import {registerMarker} from './writes.js';

type Marker = {pid: number; kill: () => void};

/** One dashboard left running on a bus under the pseudo-terminal, with a connection that writes to that bus. */
export type Dashboard = {bus: string; tui: PtyRun; pid: number; writer: Database.Database; markers: Marker[]};

/** Starts the dashboard on `bus` (with `flags` beside the bench's) and returns once it has shown a reading and settled for 2 s. */
export async function startDashboard(bus: string, setup: Setup, flags: string[] = []): Promise<Dashboard> {
	const writer = new Database(bus);
	writer.pragma('busy_timeout = 2000');
	freshenHeartbeats(bus);
	const dump = path.join(setup.workDir, 'tui-long.out');
	const tui = new PtyRun(setup.python, [setup.launcher, '--read-only', ...flags, '--db', bus], {first: [DATA_FRAME], dump});
	const ready = await tui.wait(event => event.event === 'first', 30_000);
	if (!ready) throw new Error(`the dashboard drew no frame on ${bus} (see ${dump})`);
	await sleep(2000);
	return {bus, tui, pid: tui.spawned!.pid!, writer, markers: []};
}

/** Milliseconds from a new local agent's commit to its id on screen; null when it does not show within 5 s. */
export async function commitToScreen(dashboard: Dashboard, index: number, tag: string): Promise<number | null> {
	// A new local agent: a real process, so the dashboard's liveness check (and process scan) runs as it would.
	const agent = await spawnSleeper();
	dashboard.markers.push(agent);
	const marker = `mk${tag}${index}x${Math.floor(Math.random() * 1e4).toString(36)}`;
	// The Sessions view puts what needs the operator first, which may fill the screen: the marker is
	// found as a person would find it, by the filter, set before the commit. Its row, not the filter
	// line, is what is watched for: the id followed by the column's padding.
	dashboard.tui.send(`watch f${marker} filter: ${marker}`);
	dashboard.tui.send(`keys /${marker}\\r`);
	await dashboard.tui.wait(event => event.event === 'seen' && event.id === `f${marker}`, 5000);
	dashboard.tui.send(`watch ${marker} ${marker}  `);
	await sleep(20);
	const committed = registerMarker(dashboard.writer, marker, agent.pid);
	const seen = await dashboard.tui.wait(event => event.event === 'seen' && event.id === marker, 5000);
	dashboard.tui.send('keys \\x1b');
	return seen ? Number(BigInt(seen.t) - committed) / 1e6 : null;
}

/** The bus as it was: the agents commitToScreen registered go (one commit), their processes end. */
export function removeMarkers(dashboard: Dashboard): void {
	dashboard.writer.prepare(`DELETE FROM session_registry WHERE session_id LIKE 'mk%'`).run();
	for (const marker of dashboard.markers.splice(0)) marker.kill();
}

/** Quits the dashboard, then removes the agents left and closes the writer. */
export async function stopDashboard(dashboard: Dashboard): Promise<void> {
	await dashboard.tui.quit();
	removeMarkers(dashboard);
	dashboard.writer.close();
}
