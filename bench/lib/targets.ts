import {round} from './stats.js';
import {type SizeResult, label} from './table.js';

export type Target = {figure: string; target: string; measured: string; met: boolean | null; size: number};

/** The targets, judged on the figures of `size` (and of `smallest` for the growth of refresh). */
export function targets(results: Record<number, SizeResult>, size: number, smallest: number): Target[] {
	const r = results[size] as any;
	const small = results[smallest] as any;
	const list: Target[] = [];
	const add = (figure: string, target: string, measured: string, met: boolean | null) => list.push({figure, target, measured, met, size});
	add(
		'refresh after a write',
		'<= 30 ms and <= 1.5x the floor',
		`${r.refresh.median} ms, ${r.ratio}x the floor (${r.floor.median} ms)`,
		r.refresh.median <= 30 && r.ratio <= 1.5,
	);
	add(
		`refresh at ${label(size)} vs at ${label(smallest)}`,
		'<= 3x',
		`${round(r.refresh.median / small.refresh.median)}x (${r.refresh.median} vs ${small.refresh.median} ms)`,
		r.refresh.median / small.refresh.median <= 3,
	);
	const tick = Math.max(r.idle.live_tick_us.median, r.idle.has_changed_us.median) / 1000;
	add('idle tick', '<= 1 ms', `LiveBus.tick ${r.idle.live_tick_us.median} µs, hasChanged ${r.idle.has_changed_us.median} µs`, tick <= 1);
	add(
		'--once whole process',
		'<= 0.8x the old approach',
		`${r.once.median} ms vs ${r.old_approach.median} ms = ${r.once_vs_old}x`,
		r.once_vs_old <= 0.8,
	);
	const tui = r.tui;
	if (tui) {
		add(
			'TUI first frame (tab bar drawn)',
			'<= 1.2x the bundled hello-world Ink app',
			`${tui.first_frame.median} ms vs ${tui.hello_first_frame.median} ms = ${tui.first_frame_ratio}x (both started by the launcher; ${tui.first_frame_ratio_to_plain}x plain \`node\`, ${tui.hello_plain_first_frame.median} ms)`,
			tui.first_frame_ratio <= 1.2,
		);
		add(
			'TUI first frame showing the bus (tab bar with counts)',
			'<= 1.2x the bundled hello-world Ink app',
			`${tui.first_data_frame.median} ms vs ${tui.hello_first_frame.median} ms = ${tui.first_data_frame_ratio}x`,
			tui.first_data_frame_ratio <= 1.2,
		);
		add(
			'commit to screen',
			'<= 500 ms',
			`${tui.commit_to_screen.median} ms (p95 ${tui.commit_to_screen.p95}, ${tui.commit_to_screen.timeouts} timeouts)`,
			tui.commit_to_screen.median <= 500 && tui.commit_to_screen.timeouts === 0,
		);
		add(
			'idle CPU (nothing committed)',
			'<= 0.5% of one core',
			`${tui.idle_cpu_pct}% over ${tui.idle_window_s} s from 5 s after the last commit; ${tui.idle_steady_cpu_pct}% over the next ${tui.idle_window_s} s`,
			tui.idle_cpu_pct <= 0.5,
		);
		add(
			'busy CPU (writers commit 100/s)',
			'<= 10% of one core, commit to screen still <= 500 ms',
			`${tui.busy_cpu_pct}% at ${tui.busy_commits_per_s} commits/s; commit to screen ${tui.busy_commit_to_screen.median} ms (${tui.busy_commit_to_screen.timeouts} timeouts)`,
			tui.busy_cpu_pct <= 10 && tui.busy_commit_to_screen.median <= 500 && tui.busy_commit_to_screen.timeouts === 0,
		);
	}
	if (r.status_line)
		add(
			'--status-line whole process',
			'< 150 ms',
			`${r.status_line.median} ms (\`node -e 0\`: ${r.node_start.median} ms)`,
			r.status_line.median < 150,
		);
	const rss = [r.once.peak_rss_mb, tui?.peak_rss_mb].filter((value): value is number => typeof value === 'number');
	add(
		'peak RSS',
		'<= 120 MB',
		`--once ${r.once.peak_rss_mb} MB${tui ? `, TUI ${tui.peak_rss_mb} MB` : ''}`,
		rss.length > 0 && Math.max(...rss) <= 120,
	);
	return list;
}
