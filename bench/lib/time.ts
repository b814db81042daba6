export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** CLOCK_MONOTONIC in ns: the clock bench/pty_run.py stamps its events with. */
export const nowNs = () => process.hrtime.bigint();
export const msSince = (start: bigint) => Number(nowNs() - start) / 1e6;

/** Progress goes to stderr; stdout carries only the table (or BENCH_TUI's JSON). */
export const log = (line: string) => process.stderr.write(`${line}\n`);

/** Milliseconds `f` takes, after `before` ran (not timed). */
export function timeAfter(before: () => unknown, f: () => unknown): number {
	before();
	const started = nowNs();
	f();
	return msSince(started);
}

/** Milliseconds the promise of `f` takes to settle, after `before` ran (not timed). */
export async function timeAfterAsync(before: () => unknown, f: () => Promise<unknown>): Promise<number> {
	before();
	const started = nowNs();
	await f();
	return msSince(started);
}
