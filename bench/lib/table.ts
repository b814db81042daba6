import type {FleetCpu, FleetFigures, Latency, Results, SizeResult} from './figures.js';
import {SHAPES, SHAPE_NAMES} from './shapes.js';
import type {Stats} from './stats.js';
import type {Target} from './targets.js';

/** 10k, 100k, 1M. */
export function label(size: number): string {
	return size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`;
}

/** The sizes measured on a shape, smallest first. */
export function sizesOf(bySize: Record<number, SizeResult> | undefined): number[] {
	return Object.keys(bySize ?? {})
		.map(Number)
		.sort((a, b) => a - b);
}

type Value = number | null | undefined;

/** `value` and a unit, or null (a cell with nothing in it) when there is no value. */
const show = (value: Value, unit = ''): string | null => (value == null ? null : `${value}${unit}`);
/** Two figures in one cell, a dash for the one missing; null when both are. */
const both = (a: Value, b: Value, separator = ' / ', unit = ''): string | null =>
	a == null && b == null ? null : `${a ?? '—'}${separator}${b ?? '—'}${unit}`;
const medianP95 = (stats: Stats | undefined) => (stats ? both(stats.median, stats.p95) : null);
const kb = (bytes: Value) => (bytes == null ? null : Math.round(bytes / 102.4) / 10);
/** Median / p95, and how many commits never showed within 5 s. */
const latency = (value: Latency | undefined) =>
	value ? `${both(value.median, value.p95) ?? '—'}${value.timeouts > 0 ? ` (${value.timeouts} not seen)` : ''}` : null;

type Row = [string, (r: SizeResult) => string | null];

const ROWS: Row[] = [
	['bus file (MB)', r => show(r.bus.mb)],
	[
		'snapshot rows: sessions; alerts; directed messages',
		r => (r.snapshot_rows ? `${r.snapshot_rows.sessions}; ${r.snapshot_rows.alerts}; ${r.snapshot_rows.unread}` : null),
	],
	['refresh median / p95 (ms)', r => medianP95(r.refresh)],
	['floor median / p95 (ms)', r => medianP95(r.floor)],
	['refresh / floor', r => show(r.ratio, 'x')],
	['refresh after a message median (ms)', r => show(r.refresh_after_message?.median)],
	[
		'refresh after every table written median (ms); / floor',
		r => both(r.refresh_after_every_table?.median, r.ratio_every_table, '; ', 'x'),
	],
	['refresh +counts median / p95 (ms)', r => medianP95(r.refresh_with_counts)],
	['floor +counts median (ms)', r => show(r.floor_with_counts?.median)],
	['refresh / floor (+counts)', r => show(r.ratio_with_counts, 'x')],
	['BusMonitor.read median (ms)', r => show(r.monitor_read?.median)],
	['  of which liveness+analysis (ms)', r => show(r.analyse_only?.median)],
	['idle hasChanged() median (µs)', r => show(r.idle?.has_changed_us.median)],
	['idle LiveBus.tick() median (µs)', r => show(r.idle?.live_tick_us.median)],
	['--once median (ms)', r => show(r.once?.median)],
	['--once peak RSS (MB)', r => show(r.once?.peak_rss_mb)],
	['--once printed (KB)', r => show(kb(r.once?.stdout_bytes))],
	['old approach median (ms)', r => show(r.old_approach?.median)],
	['old approach peak RSS (MB)', r => show(r.old_approach?.peak_rss_mb)],
	['--once / old approach', r => show(r.once_vs_old, 'x')],
	['--status-line median (ms)', r => show(r.status_line?.median)],
	['--status-line, no database (ms)', r => show(r.status_line_no_db?.median)],
	['--status-line less no database (ms)', r => show(r.status_line_over_floor_ms)],
	['`node -e 0` median (ms)', r => show(r.node_start?.median)],
	['log entry, --once --read-only (KB)', r => show(kb(r.log_read_only?.entry_bytes))],
	['log entry, --once writing (KB)', r => show(kb(r.log_writing?.entry_bytes))],
	['historical sessions: --json / COUNT(*)', r => (r.counts ? both(r.counts.historical_json, r.counts.historical_sql) : null)],
	['open alerts: --json / COUNT(*)', r => (r.counts ? both(r.counts.open_alerts_json, r.counts.open_alerts_sql) : null)],
	['TUI first frame, tab bar (ms)', r => show(r.tui?.first_frame?.median)],
	['TUI first frame with data (ms)', r => show(r.tui?.first_data_frame?.median)],
	['hello-world Ink first frame (ms)', r => show(r.tui?.hello_first_frame?.median)],
	['  as plain `node` (ms)', r => show(r.tui?.hello_plain_first_frame?.median)],
	['TUI / hello-world (tab bar; data)', r => both(r.tui?.first_frame_ratio, r.tui?.first_data_frame_ratio, 'x; ', 'x')],
	['commit to screen median / p95 (ms)', r => latency(r.tui?.commit_to_screen)],
	['idle CPU (% of a core)', r => show(r.tui?.idle_cpu_pct)],
	['idle CPU, the next window (% of a core)', r => show(r.tui?.idle_steady_cpu_pct)],
	['CPU, one heartbeat a second (% of a core)', r => show(r.tui?.heartbeat_cpu_pct)],
	['busy CPU (% of a core)', r => show(r.tui?.busy_cpu_pct)],
	['busy commits/s achieved', r => show(r.tui?.busy_commits_per_s)],
	['busy commit to screen median / p95 (ms)', r => latency(r.tui?.busy_commit_to_screen)],
	['TUI peak RSS (MB)', r => show(r.tui?.peak_rss_mb)],
	['idle CPU, long window (% of a core)', r => show(r.long?.long_idle_cpu_pct)],
	[
		'soak RSS, early / at the end (MB); ratio',
		r => (r.long ? `${both(r.long.soak_rss_first_mb, r.long.soak_rss_last_mb)}; ${r.long.soak_rss_ratio ?? '—'}x` : null),
	],
];

/** One markdown table: a row per figure measured on the shape, a column per size. */
function shapeTable(bySize: Record<number, SizeResult>): string {
	const sizes = sizesOf(bySize);
	const header = ['figure', ...sizes.map(size => `${label(size)} messages`)];
	const body = ROWS.map(([name, cell]) => [name, ...sizes.map(size => cell(bySize[size]))])
		.filter(row => row.slice(1).some(cell => cell !== null))
		.map(row => row.map(cell => cell ?? '—'));
	const widths = header.map((_, column) => Math.max(...[header, ...body].map(row => row[column].length)));
	const line = (row: string[]) =>
		`| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
	return [
		line(header),
		`|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
		...body.map(line),
	].join('\n');
}

/** A table per shape measured, each under its name and what it holds. */
export function printTable(results: Results): string {
	return SHAPE_NAMES.flatMap(name => {
		const bySize = results[name];
		return bySize ? [`${name}: ${SHAPES[name].summary}\n\n${shapeTable(bySize)}`] : [];
	}).join('\n\n');
}

/** The fleet's figures as one markdown table: a row per figure with what it was measured over, its target and whether it is met. */
export function fleetTable(fleet: FleetFigures, goals: Target[]): string {
	const {idle, busy, twenty} = fleet;
	const windows = (cpu: FleetCpu, count: number) => `median of ${count} windows of ${cpu.window_s} s`;
	const verdict = (index: number) => (goals[index]?.met === null ? 'n/a' : goals[index]?.met ? 'met' : 'NOT MET');
	const rows: string[][] = [
		['viewer idle CPU, local bus only (%)', `${idle.local_only.viewer_pct} (${windows(idle.local_only, idle.windows)})`, '', ''],
		[
			'viewer idle CPU, four live remotes (%)',
			`${idle.four_remotes.viewer_pct}; ssh clients ${idle.four_remotes.ssh_pct} together (${windows(idle.four_remotes, idle.windows)})`,
			'',
			'',
		],
		['  added by four remotes (points)', show(idle.added_points) ?? '—', goals[0]?.target ?? '', verdict(0)],
		['each serve idle (%)', idle.four_remotes.serve_pct.join(', '), goals[1]?.target ?? '', verdict(1)],
		[
			"commit on a remote's bus to the screen, median / p95 (ms)",
			latency(fleet.remote_commit_to_screen) ?? '—',
			goals[2]?.target ?? '',
			verdict(2),
		],
		[
			`first reading of a ${label(fleet.first_reading.messages)} remote, median (ms)`,
			`${fleet.first_reading.ms.median} (${fleet.first_reading.ms.min}-${fleet.first_reading.ms.max}, ${fleet.first_reading.ms.samples} runs, a fresh ssh login each: \`ssh DEST true\` alone ${fleet.first_reading.ssh_login_ms.median}); through a shared connection ${fleet.first_reading.shared_ms.median} (${fleet.first_reading.shared_ms.min}-${fleet.first_reading.shared_ms.max})`,
			goals[3]?.target ?? '',
			verdict(3),
		],
		[
			`viewer CPU, that remote under ${busy.commits_per_s} commits/s (%)`,
			`${busy.cpu.viewer_pct}; ssh ${busy.cpu.ssh_pct}; serve ${busy.cpu.serve_pct.join(', ')} (one ${busy.cpu.window_s} s window)`,
			goals[4]?.target ?? '',
			verdict(4),
		],
		[
			'twenty remotes (4 sshd x 5 buses): viewer RSS (MB); idle CPU (%)',
			`${twenty.viewer_rss_mb}; ${twenty.cpu.viewer_pct}; ssh ${twenty.cpu.ssh_pct}; serves ${twenty.serve_total_pct} together (${windows(twenty.cpu, twenty.windows)})`,
			goals[5]?.target ?? '',
			verdict(5),
		],
	];
	const header = ['figure', 'measured', 'target', ''];
	const widths = header.map((_, column) => Math.max(...[header, ...rows].map(row => row[column].length)));
	const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	return [line(header), `|${widths.map(width => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
