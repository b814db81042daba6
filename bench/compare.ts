/**
 * Two builds measured side by side: `node --import tsx bench/compare.ts BASELINE_DIR [RUNS]`.
 * BASELINE_DIR is another checkout of the project, built (`npm run build`) and with its
 * node_modules. Each figure is taken alternately from the baseline and from this checkout
 * (RUNS each, default 15, after a warm-up of each), so that the machine's load falls on both
 * alike: `--once` and `--status-line` as whole processes, the dashboard's first frame with
 * the bus under a pseudo-terminal, and one refresh after a heartbeat (bench/refresh-probe.ts
 * of each checkout, a process per sample). On the cached bus of the given size (BENCH_SIZE,
 * 1M) and shape (BENCH_SHAPE, fresh: bench/lib/shapes.ts).
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {ensureBus, prepareBus} from './build-bus.js';
import {ROOT} from './lib/config.js';
import {deadPid, resolvePython, spawnSleeper} from './lib/processes.js';
import {DATA_FRAME, FIRST_FRAME, PtyRun} from './lib/pty.js';
import {SHAPES, SHAPE_NAMES, type ShapeName} from './lib/shapes.js';
import {median, round} from './lib/stats.js';
import {timedRun} from './lib/timed-run.js';
import {log} from './lib/time.js';

const [baselineArg, runsArg] = process.argv.slice(2);
if (!baselineArg) throw new Error('usage: bench/compare.ts BASELINE_DIR [RUNS]');
const BASELINE = path.resolve(baselineArg);
const RUNS = Number(runsArg ?? 15);
const SIZE = Number(process.env['BENCH_SIZE'] ?? 1_000_000);
const shapeName = process.env['BENCH_SHAPE'] ?? 'fresh';
if (!(SHAPE_NAMES as readonly string[]).includes(shapeName))
	throw new Error(`BENCH_SHAPE: no shape ${shapeName} (there are ${SHAPE_NAMES.join(', ')})`);
const SHAPE = SHAPES[shapeName as ShapeName];
const builds = {baseline: BASELINE, current: ROOT} as const;
type Build = keyof typeof builds;

const python = resolvePython().path;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
// The benchmark's bus, its heartbeats made current (its sessions live), its local PIDs real.
const bus = (await prepareBus(ensureBus(SHAPE, SIZE, log).path, SHAPE, workDir, spawnSleeper, deadPid)).path;
const launcher = (build: Build) => path.join(builds[build], 'dist', 'session-status');

/** One sample of each figure for one build. */
const FIGURES: Record<string, (build: Build) => Promise<number | null>> = {
	'--once (ms)': build =>
		Promise.resolve(timedRun([launcher(build), '--once', '--no-log', '--read-only', '--db', bus], workDir, python).ms),
	'--status-line (ms)': build => Promise.resolve(timedRun([launcher(build), '--status-line', '--db', bus], workDir, python).ms),
	'first frame with the bus (ms)': async build => {
		const tui = new PtyRun(python, [launcher(build), '--read-only', '--db', bus], {first: [FIRST_FRAME, DATA_FRAME]});
		const data = tui.since(await tui.wait(event => event.event === 'first' && event.name === 'data', 30_000));
		await tui.quit();
		return data;
	},
	'refresh after a heartbeat (ms)': build => {
		const probe = path.join(builds[build], 'bench', 'refresh-probe.ts');
		const result = spawnSync(process.execPath, ['--import', 'tsx', probe, bus], {cwd: builds[build], encoding: 'utf8'});
		return Promise.resolve(Number(/median ([\d.]+) ms/.exec(result.stdout)?.[1] ?? Number.NaN));
	},
};

const samples: Record<string, Record<Build, number[]>> = {};
for (const [figure, measure] of Object.entries(FIGURES)) {
	samples[figure] = {baseline: [], current: []};
	for (let run = 0; run <= RUNS; run++) {
		for (const build of ['baseline', 'current'] as const) {
			const value = await measure(build);
			if (run > 0 && value !== null && Number.isFinite(value)) samples[figure][build].push(value);
		}
	}
	log(`${figure}: done`);
}

console.log(`| figure (${RUNS} interleaved runs each, medians) | baseline | current | current / baseline |`);
console.log('| --- | --: | --: | --: |');
for (const [figure, {baseline, current}] of Object.entries(samples)) {
	const [a, b] = [median(baseline), median(current)];
	console.log(`| ${figure} | ${round(a, 1)} | ${round(b, 1)} | ${round(b / a, 3)}x |`);
}
fs.rmSync(workDir, {recursive: true, force: true});
