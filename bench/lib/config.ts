import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {Hello} from './hello.js';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');

/** The stale timeout every reader in the bench uses (the dashboard's default). */
export const STALE_MS = 300_000;

/** Sample counts and windows of one run (the full run's or BENCH_QUICK's), the same for every shape. */
export type Config = {
	sizes: number[];
	tuiSizes: number[];
	refreshSamples: number;
	idleTicks: number;
	onceRuns: number;
	firstFrameRuns: number;
	latencySamples: number;
	cpuWindowS: number;
	busyLatencySamples: number;
	/** BENCH_LONG: the idle window, from `longSettleS` after the dashboard showed the bus; the soak, its resident set read after `soakFirstS` and at its end. */
	longSettleS: number;
	longIdleS: number;
	soakFirstS: number;
	soakS: number;
};

/** What the driver sets up once for every measure: the interpreter, the launcher of a private copy of dist/, the hello-world app. */
export type Setup = {
	python: string;
	launcher: string;
	statusLine: boolean;
	hello: Hello;
	workDir: string;
};
