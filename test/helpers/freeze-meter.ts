import fs from 'node:fs';
import {performance} from 'node:perf_hooks';

/**
 * How long this thread has waited for a CPU while ready to run, in ms, from Linux's
 * schedstat (0 where there is none, so a pause counts whole).
 */
function runQueueWaitMs(): number {
	try {
		return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
	} catch {
		return 0;
	}
}

/**
 * Measures the longest pause of the event loop (a 10 ms timer) until `stop`, less the time
 * the thread waited for a CPU in it: another process's turn on a loaded machine is no
 * freeze; running, or blocking (a busy timeout sleeping), is.
 */
export function freezeMeter(): {stop: () => number; ticks: () => number} {
	let last = performance.now();
	let lastWait = runQueueWaitMs();
	let max = 0;
	let ticks = 0;
	const beat = () => {
		const now = performance.now();
		const wait = runQueueWaitMs();
		max = Math.max(max, now - last - (wait - lastWait));
		last = now;
		lastWait = wait;
	};
	const timer = setInterval(() => {
		beat();
		ticks++;
	}, 10);
	return {
		stop: () => {
			clearInterval(timer);
			beat();
			return max;
		},
		ticks: () => ticks,
	};
}
