import type {ShapeName} from './shapes.js';
import type {Stats} from './stats.js';

/**
 * The figures of one bus (a shape at a size), as the measures return them and
 * bench/results.json holds them. A figure that was not measured on that bus is absent;
 * a number that could not be computed (no samples) is null.
 */

export type BusFigures = {
	shape: ShapeName;
	file: string;
	mb: number | null;
	cached: boolean;
	build_seconds: number | null;
	local_sessions: {alive: number; dead: number; self: number};
};

export type SnapshotRows = {
	sessions: number;
	locks: number;
	claims: number;
	alerts: number;
	unread: number;
	lifecycle: number;
	floor_rows_with_counts: number;
};

export type RefreshFigures = {
	refresh: Stats;
	floor: Stats;
	floor_by_statement_ms: Record<string, number | null>;
	ratio: number | null;
	refresh_after_message: Stats;
	refresh_after_every_table: Stats;
	ratio_every_table: number | null;
	refresh_with_counts: Stats;
	floor_with_counts: Stats;
	ratio_with_counts: number | null;
	monitor_read: Stats;
	analyse_only: Stats;
	snapshot_rows: SnapshotRows;
};

export type IdleTickFigures = {
	idle: {has_changed_us: Stats; live_tick_us: Stats; live_tick_window_ms: number; live_tick_notifications: number};
};

/** A whole process run again and again: wall time, its peak RSS, what it exited with and printed. */
export type ProcessFigures = Stats & {
	peak_rss_mb: number | null;
	exit_status: Array<number | null>;
	stdout_bytes: number;
	stderr?: string;
};

export type WholeProcessFigures = {
	once: ProcessFigures;
	old_approach: ProcessFigures;
	once_vs_old: number | null;
	status_line: ProcessFigures | null;
	/** The same command on a path with no database: Node, the launcher and the bundle. */
	status_line_no_db: ProcessFigures | null;
	/** status_line's median less status_line_no_db's: what reading the bus costs it. */
	status_line_over_floor_ms: number | null;
	node_start: Stats;
};

/** One printed run that appends its session-log entry: the entry's size, what it printed, its exit status. */
export type LogRun = {entry_bytes: number; printed_bytes: number; exit_status: number | null};

export type LogEntryFigures = {
	/** `--once --read-only`: what a read-only run appends every time (stale sessions it would release). */
	log_read_only: LogRun;
	/** `--once` on a copy it may write to: releases, deliveries, and the entry saying so. */
	log_writing: LogRun;
};

export type CountFigures = {
	counts: {
		historical_json: number | null;
		historical_sql: number;
		open_alerts_json: number | null;
		open_alerts_sql: number;
		exact: boolean;
	};
};

export type FirstFrameFigures = {
	first_frame: Stats;
	first_data_frame: Stats;
	hello_first_frame: Stats;
	hello_plain_first_frame: Stats;
	first_frame_ratio: number | null;
	first_data_frame_ratio: number | null;
	first_frame_ratio_to_plain: number | null;
};

/** Commit to screen: samples, and the ones not seen within 5 s. */
export type Latency = Stats & {timeouts: number};

export type CommitFigures = {commit_to_screen: Latency};

export type IdleCpuFigures = {
	idle_cpu_pct: number | null;
	idle_window_s: number | null;
	idle_steady_cpu_pct: number | null;
	idle_bytes_drawn: number;
};

export type HeartbeatCpuFigures = {
	heartbeat_cpu_pct: number | null;
	heartbeat_window_s: number | null;
	heartbeat_commits: number;
};

export type BusyCpuFigures = {
	busy_cpu_pct: number | null;
	busy_window_s: number | null;
	busy_commits_per_s: number | null;
	busy_commit_to_screen: Latency;
};

/** The dashboard's figures; a twin measures only some (run.ts). */
export type TuiFigures = Partial<FirstFrameFigures & CommitFigures & IdleCpuFigures & BusyCpuFigures> &
	Partial<HeartbeatCpuFigures> & {peak_rss_mb?: number | null};

/** BENCH_LONG's figures (docs/benchmark.md: how long each takes). */
export type LongFigures = {
	long_idle_cpu_pct: number | null;
	long_idle_window_s: number | null;
	long_idle_bytes_drawn: number;
	soak_commits_per_s: number | null;
	soak_rss_first_mb: number | null;
	soak_rss_last_mb: number | null;
	soak_first_s: number;
	soak_last_s: number;
	soak_rss_ratio: number | null;
	soak_peak_rss_mb: number | null;
};

export type SizeResult = {bus: BusFigures} & Partial<
	RefreshFigures & IdleTickFigures & WholeProcessFigures & LogEntryFigures & CountFigures
> & {tui?: TuiFigures; long?: LongFigures};

/** Every bus measured: shape, then size. */
export type Results = Partial<Record<ShapeName, Record<number, SizeResult>>>;

/** Percent of a core over one window: the viewer (the dashboard's process alone), its ssh clients together, and each serve. */
export type FleetCpu = {viewer_pct: number | null; ssh_pct: number | null; serve_pct: Array<number | null>; window_s: number | null};

/** The fleet's figures (bench/measures/fleet.ts): medians over several windows, and the windows' length. */
export type FleetFigures = {
	layout: string;
	load_average_before: number[];
	load_average_after: number[];
	idle: {windows: number; local_only: FleetCpu; four_remotes: FleetCpu; added_points: number | null; serve_max_pct: number | null};
	remote_commit_to_screen: Latency;
	/** Cold: each run logs in afresh; shared: through a ControlMaster already up (the readme's ssh set-up); ssh_login: `ssh DEST true` alone. */
	first_reading: {
		bus: string;
		messages: number;
		ms: Stats;
		timeouts: number;
		shared_ms: Stats;
		shared_timeouts: number;
		ssh_login_ms: Stats;
	};
	busy: {bus: string; commits_per_s: number | null; cpu: FleetCpu};
	twenty: {layout: string; windows: number; cpu: FleetCpu; viewer_rss_mb: number | null; serve_total_pct: number | null};
};
