/** Figures of one bus size, as the measures return them and results.json holds them. */
export type SizeResult = Record<string, unknown>;

/** 10k, 100k, 1M. */
export function label(size: number): string {
	return size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`;
}

/** The markdown table of every figure, one column per size. */
export function printTable(results: Record<number, SizeResult>, sizes: number[]): string {
	const get = (value: unknown, keys: string[]): unknown =>
		keys.reduce<any>((object, key) => (object == null ? undefined : object[key]), value);
	const rows: Array<[string, (r: SizeResult) => string]> = [
		['bus file (MB)', r => String(get(r, ['bus', 'mb']))],
		['refresh median / p95 (ms)', r => `${get(r, ['refresh', 'median'])} / ${get(r, ['refresh', 'p95'])}`],
		['floor median / p95 (ms)', r => `${get(r, ['floor', 'median'])} / ${get(r, ['floor', 'p95'])}`],
		['refresh / floor', r => `${get(r, ['ratio'])}x`],
		['refresh after a message median (ms)', r => String(get(r, ['refresh_after_message', 'median']))],
		[
			'refresh after every table written median (ms); / floor',
			r => `${get(r, ['refresh_after_every_table', 'median'])}; ${get(r, ['ratio_every_table'])}x`,
		],
		['refresh +counts median / p95 (ms)', r => `${get(r, ['refresh_with_counts', 'median'])} / ${get(r, ['refresh_with_counts', 'p95'])}`],
		['floor +counts median (ms)', r => String(get(r, ['floor_with_counts', 'median']))],
		['refresh / floor (+counts)', r => `${get(r, ['ratio_with_counts'])}x`],
		['BusMonitor.read median (ms)', r => String(get(r, ['monitor_read', 'median']))],
		['  of which liveness+analysis (ms)', r => String(get(r, ['analyse_only', 'median']))],
		['idle hasChanged() median (µs)', r => String(get(r, ['idle', 'has_changed_us', 'median']))],
		['idle LiveBus.tick() median (µs)', r => String(get(r, ['idle', 'live_tick_us', 'median']))],
		['--once median (ms)', r => String(get(r, ['once', 'median']))],
		['--once peak RSS (MB)', r => String(get(r, ['once', 'peak_rss_mb']))],
		['old approach median (ms)', r => String(get(r, ['old_approach', 'median']))],
		['old approach peak RSS (MB)', r => String(get(r, ['old_approach', 'peak_rss_mb']))],
		['--once / old approach', r => `${get(r, ['once_vs_old'])}x`],
		['--status-line median (ms)', r => String(get(r, ['status_line', 'median']) ?? '—')],
		['`node -e 0` median (ms)', r => String(get(r, ['node_start', 'median']) ?? '—')],
		['TUI first frame, tab bar (ms)', r => String(get(r, ['tui', 'first_frame', 'median']) ?? '—')],
		['TUI first frame with data (ms)', r => String(get(r, ['tui', 'first_data_frame', 'median']) ?? '—')],
		['hello-world Ink first frame (ms)', r => String(get(r, ['tui', 'hello_first_frame', 'median']) ?? '—')],
		['  as plain `node` (ms)', r => String(get(r, ['tui', 'hello_plain_first_frame', 'median']) ?? '—')],
		[
			'TUI / hello-world (tab bar; data)',
			r => (get(r, ['tui']) ? `${get(r, ['tui', 'first_frame_ratio'])}x; ${get(r, ['tui', 'first_data_frame_ratio'])}x` : '—'),
		],
		[
			'commit to screen median / p95 (ms)',
			r => (get(r, ['tui']) ? `${get(r, ['tui', 'commit_to_screen', 'median'])} / ${get(r, ['tui', 'commit_to_screen', 'p95'])}` : '—'),
		],
		['idle CPU (% of a core)', r => String(get(r, ['tui', 'idle_cpu_pct']) ?? '—')],
		['idle CPU, the next 30 s (% of a core)', r => String(get(r, ['tui', 'idle_steady_cpu_pct']) ?? '—')],
		['busy CPU (% of a core)', r => String(get(r, ['tui', 'busy_cpu_pct']) ?? '—')],
		['busy commits/s achieved', r => String(get(r, ['tui', 'busy_commits_per_s']) ?? '—')],
		['busy commit to screen median (ms)', r => String(get(r, ['tui', 'busy_commit_to_screen', 'median']) ?? '—')],
		['TUI peak RSS (MB)', r => String(get(r, ['tui', 'peak_rss_mb']) ?? '—')],
	];
	const header = ['figure', ...sizes.map(size => `${label(size)} messages`)];
	const body = rows.map(([name, cell]) => [name, ...sizes.map(size => (results[size] ? cell(results[size]) : '—'))]);
	const widths = header.map((_, column) => Math.max(...[header, ...body].map(row => row[column].length)));
	const line = (row: string[]) =>
		`| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
	return [
		line(header),
		`|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
		...body.map(line),
	].join('\n');
}
