/**
 * `npm run bench`: builds (or finds in bench/cache/) buses of each shape (bench/lib/shapes.ts)
 * at 10k / 100k / 1M messages and measures session-status on each (docs/benchmark.md: the
 * figures and how each is taken). Prints a table per shape and the targets, and writes
 * bench/results.json. BENCH_QUICK=1: a smaller run. BENCH_LONG=1: the long measures too.
 * BENCH_SHAPES=fresh,neglected: only those shapes. BENCH_TUI=1000000 (a size): only the
 * dashboard's figures on that size (today's shape unless BENCH_SHAPES says), printed as JSON.
 * BENCH_FLEET=1: the fleet's figures too (bench/measures/fleet.ts: remotes behind real sshd,
 * which needs root and OpenSSH); BENCH_ONLY=fleet: those alone, written into the `fleet` key
 * of bench/results.json beside the shapes' figures already there. BENCH_ONLY=long: the long
 * measures alone (about 50 minutes), written into the largest size of each of the three shapes
 * there, the targets evaluated again.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {CACHE_DIR, ensureBus, freshenHeartbeats, prepareBus} from './build-bus.js';
import {type Config, ROOT, type Setup} from './lib/config.js';
import type {Results, SizeResult} from './lib/figures.js';
import {buildHello} from './lib/hello.js';
import {deadPid, resolvePython, spawnSleeper} from './lib/processes.js';
import {longMethod, readResults, resultsDocument, targetsDocument, writeResults} from './lib/results.js';
import {SHAPES, SHAPE_NAMES, type ShapeName} from './lib/shapes.js';
import {round} from './lib/stats.js';
import {fleetTable, label, printTable} from './lib/table.js';
import {MAIN_SHAPES, type Target, fleetTargets, targets} from './lib/targets.js';
import {log} from './lib/time.js';
import {measureCounts} from './measures/counts.js';
import {type FleetConfig, measureFleet} from './measures/fleet.js';
import {measureIdleTick} from './measures/idle-tick.js';
import {measureLogEntry} from './measures/log-entry.js';
import {measureLong} from './measures/long.js';
import {measureRefresh} from './measures/refresh.js';
import {type TuiParts, measureTui} from './measures/tui.js';
import {measureWholeProcess} from './measures/whole-process.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const ONLY = process.env['BENCH_ONLY'];
const LONG_ONLY = ONLY === 'long';
const LONG = LONG_ONLY || process.env['BENCH_LONG'] === '1';
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
			longSettleS: 10,
			longIdleS: 30,
			soakFirstS: 15,
			soakS: 60,
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
			longSettleS: 30,
			longIdleS: 300,
			soakFirstS: 60,
			soakS: 600,
		};
if (ONLY !== undefined && ONLY !== 'fleet' && ONLY !== 'long') throw new Error(`BENCH_ONLY takes fleet or long, not ${ONLY}`);
const FLEET_ONLY = ONLY === 'fleet';
const FLEET = FLEET_ONLY || process.env['BENCH_FLEET'] === '1';
const FLEET_CONFIG: FleetConfig = QUICK
	? {windows: 2, windowS: 5, settleS: 3, latencySamples: 5, firstReadingRuns: 3, busyWindowS: 10, bigMessages: 100_000}
	: {windows: 3, windowS: 10, settleS: 5, latencySamples: 10, firstReadingRuns: 5, busyWindowS: 25, bigMessages: 1_000_000};
if (TUI_ONLY !== null) {
	if (!Number.isSafeInteger(TUI_ONLY) || TUI_ONLY <= 0)
		throw new Error(`BENCH_TUI must be a bus size (10000, 100000, 1000000), not ${process.env['BENCH_TUI']}`);
	Object.assign(CONFIG, {sizes: [TUI_ONLY], tuiSizes: [TUI_ONLY]});
}

/** What one shape gets: its sizes, the sizes the dashboard is measured on, and which of its figures. */
type ShapePlan = {shape: ShapeName; sizes: number[]; tuiSizes: number[]; tuiParts: TuiParts; long: boolean};

/**
 * Today's shape at every size, the dashboard too; the others at every size, the dashboard
 * on the largest; the twins on the largest only, with what their ratios need. BENCH_LONG
 * adds the long measures on the largest size of the three shapes.
 */
function plan(): ShapePlan[] {
	const {sizes, tuiSizes} = CONFIG;
	const largest = [sizes[sizes.length - 1]];
	if (LONG_ONLY)
		return MAIN_SHAPES.map(shape => ({
			shape,
			sizes: largest,
			tuiSizes: [],
			tuiParts: 'all',
			long: true,
		}));
	const all: ShapePlan[] = [
		{shape: 'fresh', sizes, tuiSizes, tuiParts: 'all', long: LONG},
		{shape: 'neglected', sizes, tuiSizes: largest, tuiParts: 'all', long: LONG},
		{shape: 'long-lived', sizes, tuiSizes: largest, tuiParts: 'all', long: LONG},
		{shape: 'neglected-1k-open', sizes: largest, tuiSizes: [], tuiParts: 'all', long: false},
		{shape: 'long-lived-no-history', sizes: largest, tuiSizes: largest, tuiParts: 'heartbeat', long: false},
	];
	const named = process.env['BENCH_SHAPES']?.split(',').map(name => name.trim());
	const unknown = named?.filter(name => !(SHAPE_NAMES as readonly string[]).includes(name)) ?? [];
	if (unknown.length > 0) throw new Error(`BENCH_SHAPES: no shape ${unknown.join(', ')} (there are ${SHAPE_NAMES.join(', ')})`);
	const wanted = named ?? (TUI_ONLY === null ? SHAPE_NAMES : ['fresh']);
	return all.filter(entry => wanted.includes(entry.shape));
}

/** Every figure the plan asks of one shape at one size, on a working copy of the cached bus. */
async function measureBus(entry: ShapePlan, size: number, setup: Setup): Promise<SizeResult> {
	const shape = SHAPES[entry.shape];
	const tag = `[${shape.name} ${label(size)}]`;
	const built = ensureBus(shape, size, log);
	log(`${tag} preparing a working copy of ${path.basename(built.path)}`);
	const prepared = await prepareBus(built.path, shape, setup.workDir, spawnSleeper, deadPid);
	const bus = prepared.path;
	const result: SizeResult = {
		bus: {
			shape: shape.name,
			file: path.basename(built.path),
			mb: round(built.bytes / 1e6, 1),
			cached: built.cached,
			build_seconds: built.cached ? null : round(built.seconds, 1),
			local_sessions: prepared.local,
		},
	};
	try {
		if (TUI_ONLY === null && !LONG_ONLY) {
			log(`${tag} refresh, floor, idle tick`);
			freshenHeartbeats(bus);
			Object.assign(result, await measureRefresh(bus, CONFIG), await measureIdleTick(bus, CONFIG));
			log(`${tag} --once vs the old approach${setup.statusLine ? ', --status-line' : ''}`);
			freshenHeartbeats(bus);
			Object.assign(result, measureWholeProcess(bus, CONFIG, setup));
			log(`${tag} the log entry of --once, the counts of --json`);
			freshenHeartbeats(bus);
			Object.assign(result, await measureLogEntry(bus, setup), measureCounts(bus, setup));
		}
		if (entry.tuiSizes.includes(size)) {
			const what =
				entry.tuiParts === 'all' ? 'first frame, commit to screen, idle, heartbeat and busy CPU' : 'CPU with one heartbeat a second';
			log(`${tag} TUI: ${what} (${CONFIG.cpuWindowS} s windows)`);
			result.tui = await measureTui(bus, CONFIG, setup, entry.tuiParts);
		}
		if (entry.long && size === entry.sizes[entry.sizes.length - 1]) {
			log(`${tag} BENCH_LONG: idle CPU over ${CONFIG.longIdleS} s, then a ${CONFIG.soakS} s soak at 10 commits/s`);
			result.long = await measureLong(bus, CONFIG, setup);
		}
	} finally {
		prepared.stop();
		for (const suffix of ['', '-wal', '-shm']) fs.rmSync(bus + suffix, {force: true});
	}
	return result;
}

const verdict = (met: boolean | null) => (met === null ? 'n/a    ' : met ? 'met    ' : 'NOT MET');

/** The fleet's figures with their targets and table, as results.json's `fleet` key holds them. */
function fleetDocument(figures: Awaited<ReturnType<typeof measureFleet>>) {
	const goals: Target[] = fleetTargets(figures);
	return {
		date: new Date().toISOString(),
		quick: QUICK,
		config: FLEET_CONFIG,
		...figures,
		targets: goals,
		table: fleetTable(figures, goals),
	};
}

function printFleet(fleet: ReturnType<typeof fleetDocument>): void {
	console.log(fleet.table);
	console.log(
		`\nFleet targets (load average ${fleet.load_average_before.join(', ')} before, ${fleet.load_average_after.join(', ')} after):`,
	);
	for (const goal of fleet.targets) console.log(`  ${verdict(goal.met)}  ${goal.figure}: ${goal.measured}  (target ${goal.target})`);
}

/** The results BENCH_ONLY=long adds to: a run of the same kind (BENCH_QUICK or not) holding every size it measures. */
function longOnlyBase(shapes: ShapePlan[]): {shapes?: Results} & Record<string, unknown> {
	const document = readResults() as {shapes?: Results} & Record<string, unknown>;
	if (document['quick'] !== QUICK)
		throw new Error(`bench/results.json holds a ${document['quick'] ? 'BENCH_QUICK' : 'full'} run: take the long measures alike`);
	for (const {shape, sizes} of shapes)
		for (const size of sizes)
			if (!document.shapes?.[shape]?.[size]) throw new Error(`bench/results.json has no ${shape} ${label(size)}: run npm run bench first`);
	return document;
}

/** BENCH_ONLY=long: the long figures into the sizes of bench/results.json they were taken on, its targets and table made again. */
function writeLongOnly(shapesMeasured: ShapePlan[], results: Results, started: number, loadBefore: number[]): void {
	// Read again, not kept from the check at the start: the file may have been written since.
	const document = longOnlyBase(shapesMeasured);
	const shapes: Results = document.shapes ?? {};
	for (const [shape, bySize] of Object.entries(results) as Array<[ShapeName, Record<number, SizeResult>]>) {
		for (const [size, result] of Object.entries(bySize)) {
			const kept = shapes[shape]?.[Number(size)];
			if (kept) kept.long = result.long;
		}
	}
	const goals = targets(shapes);
	const table = printTable(shapes);
	const longRun = {
		date: new Date().toISOString(),
		duration_s: round((Date.now() - started) / 1000, 0),
		load_average_before: loadBefore.map(value => round(value)),
		load_average_after: os.loadavg().map(value => round(value)),
	};
	const method = {...(document['method'] as object), long: longMethod(CONFIG)};
	writeResults({...document, method, long_run: longRun, targets: targetsDocument(goals, QUICK), table});
	console.log(`\nsession-status long measures, ${longRun.date}\n`);
	for (const goal of goals.filter(item => /BENCH_LONG/.test(item.figure)))
		console.log(`  ${verdict(goal.met)}  ${goal.shape} ${label(goal.size)}: ${goal.figure}: ${goal.measured}  (target ${goal.target})`);
	console.log(`\nWritten: the long figures into bench/results.json (${longRun.duration_s} s)`);
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
	const shapes = FLEET_ONLY ? [] : plan();
	if (LONG_ONLY) longOnlyBase(shapes);
	log(
		`session-status bench${QUICK ? ' (BENCH_QUICK)' : ''}${LONG ? ' (BENCH_LONG)' : ''}: ${[...shapes.map(entry => `${entry.shape} ${entry.sizes.map(label).join('/')}`), ...(FLEET ? ['fleet'] : [])].join(', ')}; python ${python.path}; work dir ${workDir}`,
	);

	const results: Results = {};
	let fleet: ReturnType<typeof fleetDocument> | null = null;
	try {
		for (const entry of shapes) {
			const bySize: Record<number, SizeResult> = {};
			results[entry.shape] = bySize;
			for (const size of entry.sizes) bySize[size] = await measureBus(entry, size, setup);
		}
		if (FLEET && TUI_ONLY === null) fleet = fleetDocument(await measureFleet(setup, FLEET_CONFIG));
	} finally {
		fs.rmSync(distCopy, {recursive: true, force: true});
	}

	if (TUI_ONLY !== null) {
		console.log(JSON.stringify(results, null, 2));
		return;
	}
	if (FLEET_ONLY && fleet) {
		writeResults({...readResults(), fleet});
		fs.rmSync(workDir, {recursive: true, force: true});
		console.log(`\nsession-status fleet benchmark, ${new Date().toISOString()}, ${os.cpus().length} CPUs, node ${process.version}\n`);
		printFleet(fleet);
		console.log(`\nWritten: the fleet key of bench/results.json (${round((Date.now() - started) / 1000, 0)} s)`);
		return;
	}
	if (LONG_ONLY) {
		writeLongOnly(shapes, results, started, loadBefore);
		fs.rmSync(workDir, {recursive: true, force: true});
		return;
	}
	const goals = targets(results);
	const table = printTable(results);
	const document = resultsDocument({started, quick: QUICK, long: LONG, config: CONFIG, python, loadBefore, results, goals, table});
	// The fleet's figures are kept from their own run (BENCH_ONLY=fleet) unless this run took them.
	const kept = readResults()['fleet'];
	writeResults({...document, fleet: fleet ?? kept});
	fs.rmSync(workDir, {recursive: true, force: true});

	console.log(
		`\nsession-status benchmark, ${document.date}, ${document.machine.cpus} CPUs (${document.machine.cpu_model}), node ${process.version}${QUICK ? ', BENCH_QUICK' : ''}${LONG ? ', BENCH_LONG' : ''}\n`,
	);
	console.log(table);
	console.log(`\nTargets (on each shape's largest size):`);
	for (const goal of goals)
		console.log(`  ${verdict(goal.met)}  ${goal.shape} ${label(goal.size)}: ${goal.figure}: ${goal.measured}  (target ${goal.target})`);
	if (fleet) {
		console.log('\nFleet:\n');
		printFleet(fleet);
	}
	console.log(`\nWritten: bench/results.json (${round((Date.now() - started) / 1000, 0)} s)`);
}

await main();
