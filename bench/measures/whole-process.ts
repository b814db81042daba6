import path from 'node:path';
import {BENCH_DIR, type Config, type Setup} from '../lib/config.js';
import type {ProcessFigures, WholeProcessFigures} from '../lib/figures.js';
import {round, stats} from '../lib/stats.js';
import {type Timed, timedRun} from '../lib/timed-run.js';

/**
 * `--once`, the old approach, `--status-line` (if the CLI has it) on the bus and on a path
 * with no database, and `node -e 0`, as whole processes, interleaved, after one warm-up each.
 */
export function measureWholeProcess(bus: string, config: Config, setup: Setup): WholeProcessFigures {
	const {launcher, python, workDir, statusLine} = setup;
	const commands: Record<string, string[]> = {
		once: [launcher, '--once', '--no-log', '--read-only', '--db', bus],
		old: [python, path.join(BENCH_DIR, 'old_approach.py'), '--db', bus],
		node_start: [process.execPath, '-e', '0'],
	};
	if (statusLine) {
		commands['status_line'] = [launcher, '--status-line', '--db', bus];
		commands['status_line_no_db'] = [launcher, '--status-line', '--db', path.join(workDir, 'no-such-folder', 'messaging.db')];
	}
	const runs: Record<string, Timed[]> = Object.fromEntries(Object.keys(commands).map(name => [name, []]));
	for (const command of Object.values(commands)) timedRun(command, workDir, python);
	for (let i = 0; i < config.onceRuns; i++) {
		for (const [name, command] of Object.entries(commands)) runs[name].push(timedRun(command, workDir, python));
	}
	const milliseconds = (list: Timed[]) =>
		stats(
			list.map(run => run.ms),
			1,
		);
	const summary = (list: Timed[]): ProcessFigures => ({
		...milliseconds(list),
		peak_rss_mb: round(Math.max(...list.map(run => run.rssMb ?? Number.NaN)), 1),
		exit_status: [...new Set(list.map(run => run.status))],
		stdout_bytes: list[0]?.stdoutBytes ?? 0,
		stderr: list[0]?.stderr || undefined,
	});
	const once = summary(runs['once']);
	const old = summary(runs['old']);
	const statusLineRuns = statusLine ? summary(runs['status_line']) : null;
	const noDb = statusLine ? summary(runs['status_line_no_db']) : null;
	return {
		once,
		old_approach: old,
		once_vs_old: round((once.median ?? Number.NaN) / (old.median ?? Number.NaN)),
		status_line: statusLineRuns,
		status_line_no_db: noDb,
		status_line_over_floor_ms: round((statusLineRuns?.median ?? Number.NaN) - (noDb?.median ?? Number.NaN), 1),
		node_start: milliseconds(runs['node_start']),
	};
}
