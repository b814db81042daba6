import {spawnSync} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {ensureBus, freshenHeartbeats, prepareBus} from '../build-bus.js';
import type {Setup} from '../lib/config.js';
import type {FleetCpu, FleetFigures} from '../lib/figures.js';
import {
	type FleetWorld,
	MACHINE_NAMES,
	type Remote,
	SMALL_BUS_SESSIONS,
	allLive,
	servePids,
	sshPids,
	startFleetDashboard,
} from '../lib/fleet-world.js';
import {deadPid, spawnSleeper} from '../lib/processes.js';
import type {PtyRun} from '../lib/pty.js';
import {SHAPES} from '../lib/shapes.js';
import {median, round, stats} from '../lib/stats.js';
import {label} from '../lib/table.js';
import {log, msSince, nowNs, sleep} from '../lib/time.js';
import {ownCpuSeconds, rssMb} from '../lib/usage.js';
import {registerMarker, startWriters} from '../lib/writes.js';
import {startFleetWorld} from '../lib/fleet-world.js';

/** Windows and sample counts of the fleet measures. */
export type FleetConfig = {
	/** Idle CPU: this many windows of `windowS` each, from `settleS` after every remote is live; the median is reported. */
	windows: number;
	windowS: number;
	settleS: number;
	latencySamples: number;
	firstReadingRuns: number;
	busyWindowS: number;
	bigMessages: number;
};

const BUSY_COMMITS_PER_S = 100;

/** A running fleet dashboard and the processes measured beside it. */
type Running = {tui: PtyRun; pid: number; serves: number[]; ssh: number[]};

async function running(tui: PtyRun, fleet: FleetWorld, ready: string, what: string): Promise<Running> {
	const seen = await tui.wait(event => event.event === 'first' && event.name === ready, 60_000);
	if (!seen) throw new Error(`the fleet dashboard (${what}) never showed every remote live`);
	const pid = tui.spawned!.pid!;
	return {tui, pid, serves: servePids(fleet.sshdPids()), ssh: sshPids(pid)};
}

/** Percent of a core each part used over one window of `seconds`. */
async function cpuWindow(run: Running, seconds: number): Promise<FleetCpu> {
	const start = nowNs();
	const viewer0 = ownCpuSeconds([run.pid]);
	const ssh0 = ownCpuSeconds(run.ssh);
	const serves0 = run.serves.map(pid => ownCpuSeconds([pid]));
	await sleep(seconds * 1000);
	const elapsed = msSince(start) / 1000;
	const pct = (used: number) => round((used / elapsed) * 100, 2);
	return {
		viewer_pct: pct(ownCpuSeconds([run.pid]) - viewer0),
		ssh_pct: run.ssh.length === 0 ? null : pct(ownCpuSeconds(run.ssh) - ssh0),
		serve_pct: run.serves.map((pid, i) => pct(ownCpuSeconds([pid]) - serves0[i])),
		window_s: round(elapsed, 1),
	};
}

/** `count` windows one after the other; each figure's median over them (each serve's on its own). */
async function cpuWindows(run: Running, count: number, seconds: number): Promise<FleetCpu> {
	const windows: FleetCpu[] = [];
	for (let i = 0; i < count; i++) windows.push(await cpuWindow(run, seconds));
	const med = (values: Array<number | null>) => round(median(values.filter((value): value is number => value !== null)), 2);
	return {
		viewer_pct: med(windows.map(window => window.viewer_pct)),
		ssh_pct: med(windows.map(window => window.ssh_pct)),
		serve_pct: run.serves.map((_, i) => med(windows.map(window => window.serve_pct[i]))),
		window_s: windows[0]?.window_s ?? null,
	};
}

/**
 * The fleet targets on the real dashboard, its remotes behind real sshd on loopback:
 * idle CPU with and without four remotes, a remote's commit to the screen, the first
 * reading of a remote holding the 1M bus, the viewer with that remote under 100 commits/s,
 * and twenty remotes (four machines, five buses each).
 */
export async function measureFleet(setup: Setup, config: FleetConfig): Promise<FleetFigures> {
	const loadBefore = os.loadavg().map(value => round(value) ?? 0);
	const fleet = await startFleetWorld(setup, os.hostname());
	try {
		// 1. Idle: the local bus alone, then with four remotes (one idle bus on each machine).
		log(`[fleet] idle: local bus only, ${config.windows} windows of ${config.windowS} s`);
		fleet.freshen();
		const alone = startFleetDashboard(fleet, setup, [], {localBus: fleet.localBus, tag: 'alone'});
		const localOnly = await running(alone, fleet, 'data', 'local only');
		await sleep(config.settleS * 1000);
		const localCpu = await cpuWindows(localOnly, config.windows, config.windowS);
		await alone.quit();

		log(`[fleet] idle: four remotes (one per machine), ${config.windows} windows of ${config.windowS} s; then commit to screen on one`);
		fleet.freshen();
		const four = MACHINE_NAMES.map((_, m) => fleet.remote(m, 1));
		const fourTui = startFleetDashboard(fleet, setup, four, {
			localBus: fleet.localBus,
			tag: 'four',
			first: [allLive(four.map(r => r.name))],
		});
		const fourRun = await running(fourTui, fleet, 'live', 'four remotes');
		if (fourRun.serves.length !== 4) throw new Error(`expected 4 serve processes under the machines' sshd, found ${fourRun.serves.length}`);
		await sleep(config.settleS * 1000);
		const fourCpu = await cpuWindows(fourRun, config.windows, config.windowS);
		const latency = await remoteCommitToScreen(fourRun, four[0], MACHINE_NAMES[0], config.latencySamples);
		await fourTui.quit();

		// 5. Twenty remotes: four machines, five buses each.
		log(`[fleet] twenty remotes (4 sshd x 5 buses): RSS and idle CPU, ${config.windows} windows of ${config.windowS} s`);
		fleet.freshen();
		const twenty = MACHINE_NAMES.flatMap((_, m) => [1, 2, 3, 4, 5].map(n => fleet.remote(m, n)));
		const twentyTui = startFleetDashboard(fleet, setup, twenty, {
			localBus: fleet.localBus,
			tag: 'twenty',
			first: [allLive(twenty.map(r => r.name))],
		});
		const twentyRun = await running(twentyTui, fleet, 'live', 'twenty remotes');
		await sleep(config.settleS * 1000);
		const twentyCpu = await cpuWindows(twentyRun, config.windows, config.windowS);
		const twentyRss = rssMb(twentyRun.pid);
		await twentyTui.quit();

		// 3 and 4: a remote holding the bench's bus of today's shape.
		const shape = SHAPES.fresh;
		const built = ensureBus(shape, config.bigMessages, log);
		const prepared = await prepareBus(built.path, shape, fleet.world.machines[0].dir, spawnSleeper, deadPid);
		try {
			const big = fleet.remoteOn('big', prepared.path);
			const first = await firstReading(fleet, setup, big, prepared.path, config.firstReadingRuns);
			log(
				`[fleet] busy: the ${label(config.bigMessages)} remote under ${BUSY_COMMITS_PER_S} commits/s, one ${config.busyWindowS} s window`,
			);
			const busy = await busyRemote(fleet, setup, big, prepared.path, config);
			return {
				layout: `${MACHINE_NAMES.length} machines (one sshd each on 127.0.0.1, its own hostname); small buses of ${SMALL_BUS_SESSIONS} live sessions and one open alert; the local bus the same`,
				load_average_before: loadBefore,
				load_average_after: os.loadavg().map(value => round(value) ?? 0),
				idle: {
					windows: config.windows,
					local_only: localCpu,
					four_remotes: fourCpu,
					added_points:
						fourCpu.viewer_pct === null || localCpu.viewer_pct === null ? null : round(fourCpu.viewer_pct - localCpu.viewer_pct, 2),
					serve_max_pct: fourCpu.serve_pct.length === 0 ? null : Math.max(...fourCpu.serve_pct.map(value => value ?? Number.NaN)),
				},
				remote_commit_to_screen: latency,
				first_reading: {bus: path.basename(built.path), messages: config.bigMessages, ...first},
				busy,
				twenty: {
					layout: '4 sshd x 5 buses each (20 remote names, 20 ssh links, 20 serves)',
					windows: config.windows,
					cpu: twentyCpu,
					viewer_rss_mb: round(twentyRss ?? Number.NaN, 1),
					serve_total_pct: round(
						twentyCpu.serve_pct.reduce<number>((sum, value) => sum + (value ?? 0), 0),
						2,
					),
				},
			};
		} finally {
			prepared.stop();
		}
	} finally {
		await fleet.stop();
	}
}

/** Milliseconds from a new session's commit on `remote`'s bus to its id on the viewer's screen, `samples` times. */
async function remoteCommitToScreen(
	run: Running,
	remote: Remote,
	hostname: string,
	samples: number,
): Promise<FleetFigures['remote_commit_to_screen']> {
	log(`[fleet] commit on ${remote.name}'s bus to the screen, ${samples} samples`);
	const writer = new Database(remote.db);
	writer.pragma('busy_timeout = 2000');
	const agent = await spawnSleeper();
	const latency: number[] = [];
	let timeouts = 0;
	try {
		for (let i = 0; i < samples; i++) {
			const marker = `rm${i}x${Math.floor(Math.random() * 1e4).toString(36)}`;
			run.tui.send(`watch ${marker} ${marker}`);
			await sleep(20);
			const committed = registerMarker(writer, marker, agent.pid, hostname);
			const seen = await run.tui.wait(event => event.event === 'seen' && event.id === marker, 5000);
			if (seen) latency.push(Number(BigInt(seen.t) - committed) / 1e6);
			else timeouts++;
			await sleep(400 + Math.random() * 600);
		}
	} finally {
		writer.prepare(`DELETE FROM session_registry WHERE session_id LIKE 'rm%'`).run();
		writer.close();
		agent.kill();
	}
	return {...stats(latency, 1), timeouts};
}

/** Dashboard start to one remote's first reading on screen (--no-local: the tab bar's count); null when it never shows. */
async function oneFirstReading(
	fleet: FleetWorld,
	setup: Setup,
	big: Remote,
	bus: string,
	tag: string,
	ssh: string[],
): Promise<number | null> {
	freshenHeartbeats(bus);
	const tui = startFleetDashboard(fleet, setup, [big], {localBus: null, tag, ssh});
	const seen = await tui.wait(event => event.event === 'first' && event.name === 'data', 30_000);
	await tui.quit();
	await sleep(500);
	return seen ? tui.since(seen) : null;
}

/** The first reading `runs` times with a fresh login each, then as many through a shared connection (its login made first, not timed); and `ssh true` alone. */
async function firstReading(fleet: FleetWorld, setup: Setup, big: Remote, bus: string, runs: number) {
	log(
		`[fleet] first reading of a remote holding ${path.basename(bus)}, ${runs} runs with a fresh ssh login, ${runs} through a shared connection`,
	);
	const series = async (ssh: string[], tag: string) => {
		const times: number[] = [];
		let timeouts = 0;
		for (let i = 0; i < runs; i++) {
			const ms = await oneFirstReading(fleet, setup, big, bus, `${tag}-${i}`, ssh);
			if (ms === null) timeouts++;
			else times.push(ms);
		}
		return {ms: stats(times, 0), timeouts};
	};
	const cold = await series(fleet.world.sshCommand, 'first');
	const [ssh, ...sshArgs] = fleet.sharedSsh;
	spawnSync(ssh, [...sshArgs, big.ssh, 'true']);
	const shared = await series(fleet.sharedSsh, 'shared');
	spawnSync(ssh, [...sshArgs, '-O', 'exit', big.ssh], {stdio: 'ignore'});
	const logins: number[] = [];
	for (let i = 0; i < runs; i++) {
		const start = nowNs();
		spawnSync(fleet.world.sshCommand[0], [...fleet.world.sshCommand.slice(1), big.ssh, 'true']);
		logins.push(msSince(start));
	}
	return {...cold, shared_ms: shared.ms, shared_timeouts: shared.timeouts, ssh_login_ms: stats(logins, 0)};
}

/** The viewer, its ssh and the serve while writers commit 100 times a second on the remote's bus. */
async function busyRemote(fleet: FleetWorld, setup: Setup, big: Remote, bus: string, config: FleetConfig): Promise<FleetFigures['busy']> {
	freshenHeartbeats(bus);
	fleet.freshen();
	const tui = startFleetDashboard(fleet, setup, [big], {localBus: fleet.localBus, tag: 'busy', first: [allLive([big.name])]});
	try {
		const run = await running(tui, fleet, 'live', 'the busy remote');
		await sleep(config.settleS * 1000);
		const writer = new Database(bus);
		writer.pragma('busy_timeout = 2000');
		const writers = startWriters(writer, BUSY_COMMITS_PER_S);
		const cpu = await cpuWindow(run, config.busyWindowS);
		const written = writers.stop();
		writer.close();
		return {bus: path.basename(bus), commits_per_s: round(written.commits / written.seconds, 1), cpu};
	} finally {
		await tui.quit();
	}
}
