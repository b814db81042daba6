import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {BUS_VERSION, hostnames} from '../build-bus.js';
import {BENCH_DIR, type Config} from './config.js';
import {PTY} from './pty.js';
import {round} from './stats.js';
import type {Results} from './figures.js';
import {SHAPES, type ShapeName, openCount} from './shapes.js';
import type {Target} from './targets.js';
import {rssMethod} from './timed-run.js';

/** What one run found, and what it needs to say how. */
export type Run = {
	started: number;
	quick: boolean;
	config: Config;
	python: {path: string; version: string; sqlite: string};
	loadBefore: number[];
	long: boolean;
	results: Results;
	goals: Target[];
	table: string;
};

function sqliteVersion(): string {
	const db = new Database(':memory:');
	const version = (db.prepare('SELECT sqlite_version() AS v').get() as {v: string}).v;
	db.close();
	return version;
}

/** The document bench/results.json holds: machine, bus, method, figures by size, targets, the table. */
export function resultsDocument(run: Run) {
	const {config, python} = run;
	return {
		benchmark: 'session-status',
		date: new Date().toISOString(),
		quick: run.quick,
		long: run.long,
		duration_s: round((Date.now() - run.started) / 1000, 0),
		machine: {
			cpus: os.cpus().length,
			cpu_model: os.cpus()[0]?.model ?? '?',
			memory_gb: round(os.totalmem() / 2 ** 30, 1),
			platform: `${os.platform()} ${os.release()}`,
			node: process.version,
			sqlite_better_sqlite3: sqliteVersion(),
			python: python.version,
			python_executable: python.path,
			sqlite_python: python.sqlite,
			// Where set, Node parses this file at every start (see source/session-status.sh).
			node_extra_ca_certs: process.env['NODE_EXTRA_CA_CERTS'] ?? null,
			load_average_before: run.loadBefore.map(value => round(value)),
			load_average_after: os.loadavg().map(value => round(value)),
		},
		bus: {
			version: BUS_VERSION,
			machines: hostnames(),
			mix: '60% coordination (directed), 20% lifecycle, 15% legacy (message_type NULL), 5% operator alerts; all read but the open ones',
			shapes: Object.fromEntries(
				Object.keys(run.results).map(name => {
					const shape = SHAPES[name as ShapeName];
					const {live, stale, ended, locks, claims, open} = shape;
					return [
						name,
						{summary: shape.summary, live, stale, ended, locks, claims, open, open_messages: openCount(shape), twin: shape.twin ?? null},
					];
				}),
			),
		},
		method: {
			refresh: `SnapshotReader.read after a one-row heartbeat UPDATE committed through another connection (data_version changes), ${config.refreshSamples} samples, interleaved with the floor; countHistory false (as the TUI's usual tick) and true; also after a message arrived and the oldest open one was read with a heartbeat (refresh_after_message), and after that with a lock and a claim changed too, every table the snapshot reads written (refresh_after_every_table)`,
			floor:
				'the statements of snapshotSql(introspect(db)) prepared once and run with .all() in one transaction on a read-only connection, same writes before each sample; without and with the two history counts',
			idle_tick: `${config.idleTicks} calls each of BusMonitor.hasChanged() and LiveBus.tick() with nothing committed`,
			once: `dist/session-status --once --no-log --read-only --db BUS (the installed command, from a private copy of dist/ made at start), python3 bench/old_approach.py --db BUS (interpreter ${python.path}), --status-line --db BUS and --status-line on a path with no database, node -e 0: one warm-up each, then ${config.onceRuns} interleaved runs; wall time around spawnSync; peak RSS: ${rssMethod()}`,
			log_entry:
				'--once --read-only --log-dir EMPTY, then --once --log-dir EMPTY (which may release and mark delivered), on a copy of the working bus (SQLite backup); the bytes appended to the log folder and the bytes printed',
			counts:
				'--json --db BUS: counts.historicalSessions and counts.openAlerts beside SELECT COUNT(*) of session_registry and of the open v2 operator alerts',
			tui: `under a ${PTY.cols}x${PTY.rows} pseudo-terminal (bench/pty_run.py, CI unset, TERM=xterm-256color); first frame = process start to the tab bar text ' 1 Sessions' in the output (the frame may still be reading the bus), first data frame = to the tab bar with its count (a reading on screen), beside a hello-world Ink app bundled with the CLI's esbuild options (scripts/bundle-options.mjs), started by a copy of dist/session-status (the target's ratio) and as plain \`node\`; commit to screen = a new local session (unique session_id, its own live process, lifecycle event) committed, to its id appearing in the terminal output; CPU = utime+stime of the dashboard process, its reaped children and live descendants from /proc, over the window; idle = nothing committed, a window from 5 s after the last commit, then the next window; heartbeat = one live session heartbeats once a second, nothing else committed; busy = writers commit 100 times a second; peak RSS = VmHWM`,
			long: run.long ? longMethod(config) : 'not run (BENCH_LONG=1)',
			pids: 'local live sessions: one is the benchmark process (so the dashboard finds "THIS SESSION" among its ancestors), two thirds are live `sleep` processes registered after they started, one third PIDs of exited processes (dead); local stale sessions: dead PIDs; remote sessions: not checkable',
		},
		shapes: run.results,
		targets: targetsDocument(run.goals, run.quick),
		table: run.table,
	};
}

/** How the long measures are taken (results.json's method.long). */
export function longMethod(config: Config): string {
	return `BENCH_LONG: a dashboard run with --stale-timeout 3600; idle CPU over ${config.longIdleS} s from ${config.longSettleS} s after its first frame showing the bus, nothing committed; then a soak, writers committing 10 times a second for ${config.soakS} s, VmRSS after ${config.soakFirstS} s and at the end`;
}

/** The targets as results.json's `targets` key holds them. */
export function targetsDocument(goals: Target[], quick: boolean) {
	return {
		evaluated_on: `each shape's largest size${quick ? ' (BENCH_QUICK: the targets are stated for 1M)' : ''}`,
		list: goals,
		all_met: goals.every(goal => goal.met !== false),
		not_measured: goals.filter(goal => goal.met === null).map(goal => `${goal.shape}: ${goal.figure}`),
	};
}

/** Writes bench/results.json. */
export function writeResults(document: ReturnType<typeof resultsDocument> | Record<string, unknown>): void {
	fs.writeFileSync(path.join(BENCH_DIR, 'results.json'), `${JSON.stringify(document, null, 2)}\n`);
}

/** bench/results.json as it is, or an empty document when there is none. */
export function readResults(): Record<string, unknown> {
	const file = path.join(BENCH_DIR, 'results.json');
	return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}
