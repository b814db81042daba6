import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import {msSince} from './time.js';

const CLK_TCK = (() => {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
	} catch {
		return 100;
	}
})();

/** CPU seconds of a process, its reaped children (cutime/cstime) and its live descendants (Linux /proc). */
export function cpuSeconds(pid: number): number {
	const read = (p: number): {ppid: number; ticks: number} | null => {
		try {
			const text = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
			const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
			// fields[0] is field 3 (state): ppid = 4, utime = 14, stime = 15, cutime = 16, cstime = 17.
			return {ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])};
		} catch {
			return null;
		}
	};
	const all = new Map<number, {ppid: number; ticks: number}>();
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		const entry = read(Number(name));
		if (entry) all.set(Number(name), entry);
	}
	let ticks = 0;
	const queue = [pid];
	while (queue.length > 0) {
		const current = queue.pop()!;
		const entry = all.get(current);
		if (!entry) continue;
		ticks += entry.ticks;
		for (const [other, info] of all) if (info.ppid === current) queue.push(other);
	}
	return ticks / CLK_TCK;
}

/** Percent of a core `pid` used since `cpu0` (its CPU seconds then) and `start`. */
export function cpuPercent(pid: number, cpu0: number, start: bigint): {pct: number; cpu: number; seconds: number} {
	const cpu = cpuSeconds(pid);
	const seconds = msSince(start) / 1000;
	return {pct: ((cpu - cpu0) / seconds) * 100, cpu, seconds};
}

/** A memory figure of a running process from /proc/PID/status, in MB. */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
	try {
		const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) / 1024 : null;
	} catch {
		return null;
	}
}

/** Peak resident set (VmHWM) of a running process, in MB. */
export const peakRssMb = (pid: number) => statusMb(pid, 'VmHWM');

/** Resident set now (VmRSS) of a running process, in MB. */
export const rssMb = (pid: number) => statusMb(pid, 'VmRSS');

/** CPU seconds (utime+stime) of each of `pids` alone, summed: no children, a process gone counting nothing. */
export function ownCpuSeconds(pids: number[]): number {
	let ticks = 0;
	for (const pid of pids) {
		try {
			const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
			ticks += Number(fields[11]) + Number(fields[12]);
		} catch {
			// Gone.
		}
	}
	return ticks / CLK_TCK;
}
