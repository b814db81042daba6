import fs from 'node:fs';

/**
 * How long this thread has waited for a CPU while ready to run, in ms, from Linux's
 * schedstat (null elsewhere). A pause of the event loop minus this wait is the time the
 * thread ran or was blocked (a busy timeout sleeping, say): what a freeze limit is about,
 * whatever else shares the machine.
 */
export function runQueueWaitMs(): number | null {
	try {
		const fields = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
		return Number(fields[1]) / 1e6;
	} catch {
		return null;
	}
}
