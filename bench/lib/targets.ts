import type {FleetFigures, Latency, Results, SizeResult} from './figures.js';
import type {ShapeName} from './shapes.js';
import {round} from './stats.js';
import {label, sizesOf} from './table.js';

/** One target judged on one shape (or a ratio of two) at one size; `met` is null when a figure was not measured. */
export type Target = {shape: string; size: number; figure: string; target: string; measured: string; met: boolean | null};

type Value = number | null | undefined;

/** The ratio of two figures, or null when either is missing. */
const ratio = (a: Value, b: Value): number | null => (a == null || b == null ? null : round(a / b));
/** Whether every value is there and within its limit; null when one is missing. */
function within(...checks: Array<[Value, number]>): boolean | null {
	if (checks.some(([value]) => value == null)) return null;
	return checks.every(([value, limit]) => (value as number) <= limit);
}
/** Whether the value is there and below the limit; null when it is missing. */
const under = (value: Value, limit: number): boolean | null => (value == null ? null : value < limit);
const NOT_MEASURED = 'not measured';
/** Met when every verdict is; not met when one is not; else unknown. */
const all = (...verdicts: Array<boolean | null>): boolean | null =>
	verdicts.includes(false) ? false : verdicts.includes(null) ? null : true;
/** A commit that never reached the screen fails a latency target, whatever the others did. */
const seen = (latency: Latency, limit: number): boolean | null => (latency.timeouts > 0 ? false : within([latency.median, limit]));

/** The shapes judged on their own; each twin is judged in the ratio to its shape. */
/** The shapes the targets are stated for (the twins only give ratios). */
export const MAIN_SHAPES: ShapeName[] = ['fresh', 'neglected', 'long-lived'];

/** The targets of one shape, on its largest size (and its smallest, for the growth of refresh). */
function shapeTargets(shape: ShapeName, bySize: Record<number, SizeResult>): Target[] {
	const sizes = sizesOf(bySize);
	const size = sizes[sizes.length - 1];
	const r = bySize[size];
	const small = bySize[sizes[0]];
	const list: Target[] = [];
	const add = (figure: string, target: string, measured: string, met: boolean | null) =>
		list.push({shape, size, figure, target, measured, met});

	if (r.refresh && r.floor)
		add(
			'refresh after a write',
			'<= 30 ms and <= 1.5x the floor',
			`${r.refresh.median} ms, ${r.ratio}x the floor (${r.floor.median} ms)`,
			within([r.refresh.median, 30], [r.ratio, 1.5]),
		);
	if (r.refresh && small.refresh && sizes.length > 1) {
		const growth = ratio(r.refresh.median, small.refresh.median);
		add(
			`refresh at ${label(size)} vs at ${label(sizes[0])}`,
			'<= 3x',
			`${growth}x (${r.refresh.median} vs ${small.refresh.median} ms)`,
			within([growth, 3]),
		);
	}
	if (r.idle) {
		const {live_tick_us: tick, has_changed_us: changed} = r.idle;
		const slower = tick.median == null || changed.median == null ? null : Math.max(tick.median, changed.median) / 1000;
		add('idle tick', '<= 1 ms', `LiveBus.tick ${tick.median} µs, hasChanged ${changed.median} µs`, within([slower, 1]));
	}
	if (r.once && r.old_approach) {
		const measured = `${r.once.median} ms vs ${r.old_approach.median} ms = ${r.once_vs_old}x`;
		add('--once whole process', '<= 1.0x the old approach', measured, within([r.once_vs_old, 1]));
		if (shape === 'fresh')
			add('--once whole process (the goal on this shape)', '<= 0.8x the old approach', measured, within([r.once_vs_old, 0.8]));
		const peak = shape === 'long-lived' ? 100 : 120;
		add('--once peak RSS', `<= ${peak} MB`, `${r.once.peak_rss_mb} MB`, within([r.once.peak_rss_mb, peak]));
	}
	if (r.status_line) {
		add(
			'--status-line whole process',
			'< 150 ms',
			`${r.status_line.median} ms (\`node -e 0\`: ${r.node_start?.median} ms)`,
			under(r.status_line.median, 150),
		);
		add(
			'--status-line less --status-line with no database',
			'<= 30 ms',
			`${r.status_line_over_floor_ms} ms (${r.status_line.median} - ${r.status_line_no_db?.median} ms)`,
			within([r.status_line_over_floor_ms, 30]),
		);
	}
	if (shape === 'neglected' && r.log_read_only && r.log_writing) {
		const largest = Math.max(r.log_read_only.entry_bytes, r.log_writing.entry_bytes);
		add(
			'session-log entry of --once',
			'< 64 KB',
			`${round(r.log_read_only.entry_bytes / 1024, 1)} KB read-only, ${round(r.log_writing.entry_bytes / 1024, 1)} KB writing`,
			under(largest, 64 * 1024),
		);
	}
	if (r.counts)
		add(
			'counts exact (--json against COUNT(*))',
			'equal',
			`historical ${r.counts.historical_json} vs ${r.counts.historical_sql}; open alerts ${r.counts.open_alerts_json} vs ${r.counts.open_alerts_sql}`,
			r.counts.exact,
		);
	const tui = r.tui;
	if (tui?.first_frame && tui.hello_first_frame && tui.first_data_frame) {
		add(
			'TUI first frame (tab bar drawn)',
			'<= 1.2x the bundled hello-world Ink app',
			`${tui.first_frame.median} ms vs ${tui.hello_first_frame.median} ms = ${tui.first_frame_ratio}x (both started by the launcher; ${tui.first_frame_ratio_to_plain}x plain \`node\`, ${tui.hello_plain_first_frame?.median} ms)`,
			within([tui.first_frame_ratio, 1.2]),
		);
		add(
			'TUI first frame showing the bus (tab bar with counts)',
			'<= 1.5x the bundled hello-world Ink app',
			`${tui.first_data_frame.median} ms vs ${tui.hello_first_frame.median} ms = ${tui.first_data_frame_ratio}x`,
			within([tui.first_data_frame_ratio, 1.5]),
		);
	}
	if (tui?.commit_to_screen) {
		const {median, p95, timeouts} = tui.commit_to_screen;
		add('commit to screen', '<= 500 ms', `${median} ms (p95 ${p95}, ${timeouts} timeouts)`, seen(tui.commit_to_screen, 500));
	}
	if (tui?.idle_cpu_pct !== undefined)
		add(
			'idle CPU (nothing committed)',
			'<= 0.5% of one core',
			`${tui.idle_cpu_pct}% over ${tui.idle_window_s} s from 5 s after the last commit; ${tui.idle_steady_cpu_pct}% over the next ${tui.idle_window_s} s`,
			within([tui.idle_cpu_pct, 0.5]),
		);
	if (tui?.busy_commit_to_screen) {
		const {median, timeouts} = tui.busy_commit_to_screen;
		add(
			'busy CPU (writers commit 100/s)',
			'<= 10% of one core, commit to screen median <= 350 ms',
			`${tui.busy_cpu_pct}% at ${tui.busy_commits_per_s} commits/s; commit to screen ${median} ms (${timeouts} timeouts)`,
			all(within([tui.busy_cpu_pct, 10]), seen(tui.busy_commit_to_screen, 350)),
		);
	}
	if (r.once || tui) {
		const rss = [r.once?.peak_rss_mb, tui?.peak_rss_mb];
		add(
			'peak RSS',
			'<= 120 MB',
			`--once ${rss[0] ?? NOT_MEASURED} MB, TUI ${rss[1] ?? NOT_MEASURED} MB`,
			within(...rss.filter(value => value !== undefined).map((value): [Value, number] => [value, 120])),
		);
	}
	const long = r.long;
	add(
		'idle CPU over the long window (BENCH_LONG)',
		'<= 0.5% of one core',
		long ? `${long.long_idle_cpu_pct}% over ${long.long_idle_window_s} s` : NOT_MEASURED,
		within([long?.long_idle_cpu_pct, 0.5]),
	);
	add(
		'RSS at the end of the soak / early in it (BENCH_LONG)',
		'<= 1.1x',
		long
			? `${long.soak_rss_last_mb} MB after ${long.soak_last_s} s / ${long.soak_rss_first_mb} MB after ${long.soak_first_s} s at ${long.soak_commits_per_s} commits/s = ${long.soak_rss_ratio}x`
			: NOT_MEASURED,
		within([long?.soak_rss_ratio, 1.1]),
	);
	return list;
}

/** A figure of a shape beside its twin's, at the twin's largest size. */
function twinRatio(
	results: Results,
	shape: ShapeName,
	twin: ShapeName,
	figure: string,
	target: number,
	value: (r: SizeResult) => Value,
	unit: string,
): Target | null {
	const twinSizes = sizesOf(results[twin]);
	const size = twinSizes[twinSizes.length - 1];
	const [a, b] = [results[shape]?.[size], results[twin]?.[size]];
	if (size === undefined || !a || !b) return null;
	const [mine, theirs] = [value(a), value(b)];
	const measured = mine == null || theirs == null ? NOT_MEASURED : `${mine} vs ${theirs} ${unit} = ${ratio(mine, theirs)}x`;
	return {shape: `${shape} / ${twin}`, size, figure, target: `<= ${target}x`, measured, met: within([ratio(mine, theirs), target])};
}

/** Every target: each shape's on its own, then the ratios to the twins. */
export function targets(results: Results): Target[] {
	const list = MAIN_SHAPES.flatMap(shape => {
		const bySize = results[shape];
		return bySize ? shapeTargets(shape, bySize) : [];
	});
	const ratios = [
		twinRatio(results, 'neglected', 'neglected-1k-open', '--status-line, 10,000 open / 1,000 open', 1.3, r => r.status_line?.median, 'ms'),
		twinRatio(
			results,
			'neglected',
			'neglected-1k-open',
			'refresh after a message, 10,000 open / 1,000 open',
			1.3,
			r => r.refresh_after_message?.median,
			'ms',
		),
		twinRatio(
			results,
			'long-lived',
			'long-lived-no-history',
			'dashboard CPU, one heartbeat a second, with / without the ended sessions',
			1.5,
			r => r.tui?.heartbeat_cpu_pct,
			'%',
		),
		twinRatio(
			results,
			'long-lived',
			'long-lived-no-history',
			'refresh after a heartbeat, with / without the ended sessions',
			1.5,
			r => r.refresh?.median,
			'ms',
		),
	];
	return [...list, ...ratios.filter((target): target is Target => target !== null)];
}

/** The fleet's targets (the Fleet issue's "Performance"); twenty remotes' figures are stated, not judged. */
export function fleetTargets(fleet: FleetFigures): Target[] {
	const {idle, busy, twenty} = fleet;
	const add = (figure: string, target: string, measured: string, met: boolean | null): Target => ({
		shape: 'fleet',
		size: fleet.first_reading.messages,
		figure,
		target,
		measured,
		met,
	});
	const servesOk = idle.four_remotes.serve_pct.length === 0 ? null : all(...idle.four_remotes.serve_pct.map(pct => within([pct, 0.5])));
	return [
		add(
			'viewer idle CPU, four live remotes less the local bus alone',
			'<= 0.3 points',
			`${idle.added_points} points (${idle.four_remotes.viewer_pct}% vs ${idle.local_only.viewer_pct}%)`,
			within([idle.added_points, 0.3]),
		),
		add('each serve idle', '<= 0.5% of a core', `${idle.four_remotes.serve_pct.join(', ')}%`, servesOk),
		add(
			"a commit on a remote's bus to the viewer's screen",
			'<= 1000 ms median',
			`${fleet.remote_commit_to_screen.median} ms median, p95 ${fleet.remote_commit_to_screen.p95} ms${fleet.remote_commit_to_screen.timeouts > 0 ? ` (${fleet.remote_commit_to_screen.timeouts} not seen)` : ''}`,
			seen(fleet.remote_commit_to_screen, 1000),
		),
		add(
			`a remote with the ${fleet.first_reading.messages.toLocaleString('en-US')}-message bus: first reading on screen`,
			'<= 2000 ms median',
			`${fleet.first_reading.ms.median} ms median with a fresh ssh login (the login alone ${fleet.first_reading.ssh_login_ms.median} ms); ${fleet.first_reading.shared_ms.median} ms through a shared connection${fleet.first_reading.timeouts > 0 ? ` (${fleet.first_reading.timeouts} never shown)` : ''}`,
			fleet.first_reading.timeouts > 0 ? false : within([fleet.first_reading.ms.median, 2000]),
		),
		add(
			`a remote under ${busy.commits_per_s} commits/s: the viewer's CPU`,
			'<= 10% of a core',
			`${busy.cpu.viewer_pct}% (ssh ${busy.cpu.ssh_pct}%, serve ${busy.cpu.serve_pct.join(', ')}%)`,
			within([busy.cpu.viewer_pct, 10]),
		),
		add(
			'twenty remotes: the viewer',
			'stated in the readme',
			`${twenty.viewer_rss_mb} MB RSS, ${twenty.cpu.viewer_pct}% idle CPU (ssh ${twenty.cpu.ssh_pct}%, serves ${twenty.serve_total_pct}% together)`,
			twenty.viewer_rss_mb === null ? null : true,
		),
	];
}
