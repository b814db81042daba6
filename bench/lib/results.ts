import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {ACTIVE_SESSIONS, BUS_VERSION, FILE_LOCKS, OPEN_MESSAGES, SESSIONS, TASK_CLAIMS, hostnames} from '../build-bus.js';
import {BENCH_DIR, type Config} from './config.js';
import {PTY} from './pty.js';
import {round} from './stats.js';
import {type SizeResult, label} from './table.js';
import type {Target} from './targets.js';
import {rssMethod} from './timed-run.js';

/** What one run found, and what it needs to say how. */
export type Run = {
	started: number;
	quick: boolean;
	config: Config;
	python: {path: string; version: string; sqlite: string};
	loadBefore: number[];
	results: Record<number, SizeResult>;
	largest: number;
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
		benchmark: 'session-status issue 4',
		date: new Date().toISOString(),
		quick: run.quick,
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
			sessions: SESSIONS,
			active_sessions: ACTIVE_SESSIONS,
			machines: hostnames(),
			file_locks: FILE_LOCKS,
			task_claims: TASK_CLAIMS,
			open_messages: OPEN_MESSAGES,
			mix: '60% coordination (directed), 20% lifecycle, 15% legacy (message_type NULL), 5% operator alerts; the rest of the open ones read',
		},
		method: {
			refresh: `SnapshotReader.read after a one-row heartbeat UPDATE committed through another connection (data_version changes), ${config.refreshSamples} samples, interleaved with the floor; countHistory false (as the TUI's usual tick) and true; also after a message arrived and the oldest open one was read with a heartbeat (refresh_after_message), and after that with a lock and a claim changed too, every table the snapshot reads written (refresh_after_every_table)`,
			floor:
				'the statements of snapshotSql(introspect(db)) prepared once and run with .all() in one transaction on a read-only connection, same writes before each sample; without and with the two history counts',
			idle_tick: `${config.idleTicks} calls each of BusMonitor.hasChanged() and LiveBus.tick() with nothing committed`,
			once: `dist/session-status --once --no-log --read-only --db BUS (the installed command, from a private copy of dist/ made at start) and python3 bench/old_approach.py --db BUS (interpreter ${python.path}), one warm-up each, then ${config.onceRuns} interleaved runs; wall time around spawnSync; peak RSS: ${rssMethod()}`,
			tui: `under a ${PTY.cols}x${PTY.rows} pseudo-terminal (bench/pty_run.py, CI unset, TERM=xterm-256color); first frame = process start to the tab bar text ' 1 Sessions' in the output (the frame may still be reading the bus), first data frame = to the tab bar with its count (a reading on screen), beside a hello-world Ink app bundled with the CLI's esbuild options (scripts/bundle-options.mjs), started by a copy of dist/session-status (the target's ratio) and as plain \`node\`; commit to screen = a new local session (unique session_id, its own live process, lifecycle event) committed, to its id appearing in the terminal output; CPU = utime+stime of the dashboard process, its reaped children and live descendants from /proc, over the window; idle = nothing committed, a window from 5 s after the last commit, then the next window; peak RSS = VmHWM`,
			pids: 'local active sessions: one is the benchmark process (so the dashboard finds "THIS SESSION" among its ancestors), two thirds are live `sleep` processes registered after they started, one third PIDs of exited processes (dead); remote sessions: not checkable',
		},
		sizes: Object.fromEntries(Object.entries(run.results).map(([size, result]) => [size, result])),
		targets: {
			evaluated_on: `${label(run.largest)} messages${run.quick ? ' (BENCH_QUICK: the issue states its targets for 1M)' : ''}`,
			list: run.goals,
			all_met: run.goals.every(goal => goal.met),
		},
		table: run.table,
	};
}

/** Writes bench/results.json. */
export function writeResults(document: ReturnType<typeof resultsDocument>): void {
	fs.writeFileSync(path.join(BENCH_DIR, 'results.json'), `${JSON.stringify(document, null, 2)}\n`);
}
