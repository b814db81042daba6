/**
 * Where the time goes: CPU profiles (node --cpu-prof) of the built CLI on a benchmark bus.
 *
 *   npm run build && node --import tsx bench/profile.ts [messages=1000000] [seconds=10] [shape=fresh]
 *
 * Profiles, written to bench/cache/profiles/<phase>/ (open them in Chrome DevTools):
 *   once   `--once --no-log --read-only` as a whole process;
 *   start  the dashboard in a pseudo-terminal until its first frame showing the bus;
 *   idle   the dashboard for `seconds` with nothing committed (after a 3 s settle);
 *   busy   the dashboard for `seconds` while writers commit 100 times a second.
 * Each profile covers the whole process (startup included); for each phase it prints the
 * functions with the most self time and the most inclusive time, and the CPU share.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {CACHE_DIR, ensureBus, freshenHeartbeats, prepareBus} from './build-bus.js';
import {deadPid, resolvePython, spawnSleeper} from './lib/processes.js';
import {DATA_FRAME, PtyRun} from './lib/pty.js';
import {SHAPES, type ShapeName} from './lib/shapes.js';
import {cpuSeconds} from './lib/usage.js';
import {startWriters} from './lib/writes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const size = Number(process.argv[2] ?? 1_000_000);
const seconds = Number(process.argv[3] ?? 10);
const shapeName = process.argv[4] ?? 'fresh';
if (!(shapeName in SHAPES)) throw new Error(`no shape ${shapeName} (there are ${Object.keys(SHAPES).join(', ')})`);
const shape = SHAPES[shapeName as ShapeName];
const outDir = path.join(CACHE_DIR, 'profiles');
const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

type ProfileNode = {id: number; callFrame: {functionName: string; url: string; lineNumber: number}; children?: number[]};
type Profile = {nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]};

/** Top functions by self and inclusive time (ms) of the newest profile in `dir`. */
function summarise(dir: string, top = 15): string {
	const files = fs.readdirSync(dir).filter(name => name.endsWith('.cpuprofile'));
	if (files.length === 0) return `  (no profile in ${dir})`;
	const newest = files.map(name => path.join(dir, name)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
	const profile = JSON.parse(fs.readFileSync(newest, 'utf8')) as Profile;
	const byId = new Map(profile.nodes.map(node => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const ticks = new Map<number, number>();
	profile.samples.forEach((id, index) => ticks.set(id, (ticks.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
	const label = (node: ProfileNode) =>
		`${node.callFrame.functionName || '(anonymous)'} ${path.basename(node.callFrame.url) || ''}:${node.callFrame.lineNumber + 1}`;
	const self = new Map<string, number>();
	const total = new Map<string, number>();
	for (const [id, time] of ticks) {
		self.set(label(byId.get(id)!), (self.get(label(byId.get(id)!)) ?? 0) + time);
		const seen = new Set<string>();
		for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
			const name = label(byId.get(current)!);
			if (seen.has(name)) continue;
			seen.add(name);
			total.set(name, (total.get(name) ?? 0) + time);
		}
	}
	const idle = [...self].filter(([name]) => name.startsWith('(idle)')).reduce((sum, [, time]) => sum + time, 0);
	const all = [...ticks.values()].reduce((sum, time) => sum + time, 0);
	const list = (map: Map<string, number>) =>
		[...map]
			.filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)'))
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([name, time]) => `    ${(time / 1000).toFixed(0).padStart(6)} ms  ${name}`)
			.join('\n');
	return `  ${path.relative(ROOT, newest)}: ${((all - idle) / 1000).toFixed(0)} ms busy of ${(all / 1000).toFixed(0)} ms\n  self:\n${list(self)}\n  inclusive:\n${list(total)}`;
}

async function main(): Promise<void> {
	const python = resolvePython().path;
	const launcher = path.join(ROOT, 'dist', 'session-status');
	if (!fs.existsSync(launcher)) throw new Error('dist/session-status is missing: run `npm run build` first');
	// The installed command, run as a user runs it; the `node` it finds first on PATH is this
	// process's own with --cpu-prof added (Node 20 takes no --cpu-prof from NODE_OPTIONS).
	const shim = path.join(outDir, 'node-shim');
	fs.mkdirSync(shim, {recursive: true});
	fs.writeFileSync(
		path.join(shim, 'node'),
		`#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --cpu-prof --cpu-prof-dir="$PROFILE_DIR" "$@"\n`,
		{mode: 0o755},
	);
	process.env['PATH'] = `${shim}${path.delimiter}${process.env['PATH'] ?? ''}`;
	const prepared = await prepareBus(
		ensureBus(shape, size, line => process.stderr.write(`${line}\n`)).path,
		shape,
		path.join(outDir, 'work'),
		spawnSleeper,
		deadPid,
	);
	const profiled = (phase: string) => {
		const dir = path.join(outDir, phase);
		fs.rmSync(dir, {recursive: true, force: true});
		fs.mkdirSync(dir, {recursive: true});
		process.env['PROFILE_DIR'] = dir;
		return [launcher];
	};
	try {
		freshenHeartbeats(prepared.path);
		const once = profiled('once');
		spawnSync(once[0], [...once.slice(1), '--once', '--no-log', '--read-only', '--db', prepared.path], {stdio: 'ignore'});
		console.log(`once (${shape.name}, ${size.toLocaleString('en-US')} messages)\n${summarise(path.join(outDir, 'once'))}\n`);

		for (const phase of ['start', 'idle', 'busy'] as const) {
			freshenHeartbeats(prepared.path);
			const command = profiled(phase);
			const tui = new PtyRun(python, [...command, '--read-only', '--db', prepared.path], {first: [DATA_FRAME]});
			const frame = await tui.wait(event => event.event === 'first', 60_000);
			let note = frame
				? `first frame with data after ${(Number(BigInt(frame.t) - BigInt(tui.spawned!.t)) / 1e6).toFixed(0)} ms`
				: 'no frame';
			if (phase !== 'start') {
				await sleep(3000);
				const writer = phase === 'busy' ? new Database(prepared.path) : null;
				const writers = writer ? startWriters(writer, 100) : null;
				const before = cpuSeconds(tui.spawned!.pid!);
				await sleep(seconds * 1000);
				const cpu = ((cpuSeconds(tui.spawned!.pid!) - before) / seconds) * 100;
				writers?.stop();
				writer?.close();
				note += `; ${cpu.toFixed(1)}% of a core over ${seconds} s ${phase}`;
			}
			await tui.quit();
			console.log(`${phase}: ${note}\n${summarise(path.join(outDir, phase))}\n`);
		}
	} finally {
		prepared.stop();
		for (const suffix of ['', '-wal', '-shm']) fs.rmSync(prepared.path + suffix, {force: true});
	}
}

await main();
process.exit(0);
