/**
 * `npm run bench`: builds (or finds in bench/cache/) buses of 10k / 100k / 1M messages and
 * measures session-status on each (docs/benchmark.md: the figures and how each is taken).
 * Prints a table and writes bench/results.json. BENCH_QUICK=1: a smaller run.
 * BENCH_TUI=1000000 (a size): only the dashboard's figures on that size, printed as JSON.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {CACHE_DIR, ensureBus, freshenHeartbeats, prepareBus} from './build-bus.js';
import {type Config, ROOT, type Setup} from './lib/config.js';
import {buildHello} from './lib/hello.js';
import {deadPid, resolvePython, spawnSleeper} from './lib/processes.js';
import {resultsDocument, writeResults} from './lib/results.js';
import {round} from './lib/stats.js';
import {type SizeResult, label, printTable} from './lib/table.js';
import {targets} from './lib/targets.js';
import {log} from './lib/time.js';
import {measureIdleTick} from './measures/idle-tick.js';
import {measureRefresh} from './measures/refresh.js';
import {measureTui} from './measures/tui.js';
import {measureWholeProcess} from './measures/whole-process.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const TUI_ONLY = process.env['BENCH_TUI'] ? Number(process.env['BENCH_TUI']) : null;
const CONFIG: Config = QUICK
	? {
			sizes: [10_000, 100_000],
			tuiSizes: [100_000],
			refreshSamples: 20,
			idleTicks: 1000,
			onceRuns: 3,
			firstFrameRuns: 3,
			latencySamples: 6,
			cpuWindowS: 5,
			busyLatencySamples: 3,
		}
	: {
			sizes: [10_000, 100_000, 1_000_000],
			tuiSizes: [1_000_000, 100_000, 10_000],
			refreshSamples: 40,
			idleTicks: 5000,
			onceRuns: 15,
			firstFrameRuns: 11,
			latencySamples: 20,
			cpuWindowS: 30,
			busyLatencySamples: 20,
		};
if (TUI_ONLY !== null) {
	if (!Number.isSafeInteger(TUI_ONLY) || TUI_ONLY <= 0)
		throw new Error(`BENCH_TUI must be a bus size (10000, 100000, 1000000), not ${process.env['BENCH_TUI']}`);
	Object.assign(CONFIG, {sizes: [TUI_ONLY], tuiSizes: [TUI_ONLY]});
}

/** Every figure of one bus size, on a working copy of the cached bus. */
async function measureSize(size: number, setup: Setup): Promise<SizeResult> {
	const built = ensureBus(size, log);
	log(`[${label(size)}] preparing a working copy of ${path.basename(built.path)}`);
	const prepared = await prepareBus(built.path, setup.workDir, spawnSleeper, deadPid);
	const result: SizeResult = {
		bus: {
			file: path.basename(built.path),
			mb: round(built.bytes / 1e6, 1),
			cached: built.cached,
			build_seconds: built.cached ? null : round(built.seconds, 1),
			local_sessions: prepared.local,
		},
	};
	try {
		if (TUI_ONLY === null) {
			log(`[${label(size)}] refresh, floor, idle tick`);
			freshenHeartbeats(prepared.path);
			Object.assign(result, await measureRefresh(prepared.path, CONFIG), await measureIdleTick(prepared.path, CONFIG));
			log(`[${label(size)}] --once vs the old approach${setup.statusLine ? ', --status-line' : ''}`);
			freshenHeartbeats(prepared.path);
			Object.assign(result, measureWholeProcess(prepared.path, CONFIG, setup));
		}
		if (CONFIG.tuiSizes.includes(size)) {
			log(`[${label(size)}] TUI: first frame, commit to screen, idle and busy CPU (${CONFIG.cpuWindowS} s windows)`);
			result['tui'] = await measureTui(prepared.path, CONFIG, setup);
		}
	} finally {
		prepared.stop();
		for (const suffix of ['', '-wal', '-shm']) fs.rmSync(prepared.path + suffix, {force: true});
	}
	return result;
}

async function main(): Promise<void> {
	const started = Date.now();
	const python = resolvePython();
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-status-bench-'));
	// A private copy of the build: dist/ may be rebuilt by someone else while this runs.
	const distCopy = path.join(CACHE_DIR, `dist-run-${process.pid}`);
	process.on('exit', () => {
		fs.rmSync(distCopy, {recursive: true, force: true});
		fs.rmSync(workDir, {recursive: true, force: true});
	});
	fs.mkdirSync(CACHE_DIR, {recursive: true});
	const loadBefore = os.loadavg();
	fs.cpSync(path.join(ROOT, 'dist'), distCopy, {recursive: true});
	const launcher = path.join(distCopy, 'session-status');
	const help = spawnSync(launcher, ['--help'], {encoding: 'utf8'}).stdout ?? '';
	const setup: Setup = {
		python: python.path,
		launcher,
		statusLine: help.includes('--status-line'),
		hello: await buildHello(path.join(workDir, 'hello'), launcher),
		workDir,
	};
	log(
		`session-status bench${QUICK ? ' (BENCH_QUICK)' : ''}: sizes ${CONFIG.sizes.map(label).join(', ')}; python ${python.path}; work dir ${workDir}`,
	);

	const results: Record<number, SizeResult> = {};
	try {
		for (const size of CONFIG.sizes) results[size] = await measureSize(size, setup);
	} finally {
		fs.rmSync(distCopy, {recursive: true, force: true});
	}

	if (TUI_ONLY !== null) {
		console.log(JSON.stringify(results[TUI_ONLY], null, 2));
		return;
	}
	const sizes = CONFIG.sizes;
	const largest = sizes[sizes.length - 1];
	const goals = targets(results, largest, sizes[0]);
	const table = printTable(results, sizes);
	const document = resultsDocument({started, quick: QUICK, config: CONFIG, python, loadBefore, results, largest, goals, table});
	writeResults(document);
	fs.rmSync(workDir, {recursive: true, force: true});

	console.log(
		`\nsession-status benchmark, ${document.date}, ${document.machine.cpus} CPUs (${document.machine.cpu_model}), node ${process.version}${QUICK ? ', BENCH_QUICK' : ''}\n`,
	);
	console.log(table);
	console.log(`\nTargets (on the ${label(largest)}-message bus):`);
	for (const goal of goals) console.log(`  ${goal.met ? 'met    ' : 'NOT MET'}  ${goal.figure}: ${goal.measured}  (target ${goal.target})`);
	console.log(`\nWritten: bench/results.json (${round((Date.now() - started) / 1000, 0)} s)`);
}

await main();
