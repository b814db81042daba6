import {type ChildProcess, spawn} from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import {BENCH_DIR, ROOT} from './config.js';
import {childEnv, track} from './processes.js';
import {sleep} from './time.js';

/** The size of the pseudo-terminal every measured dashboard draws in. */
export const PTY = {cols: 160, rows: 50};
// The tab bar: in the first frame drawn (the body may still say "Reading the bus…"); with its
// count only once a reading is on screen.
export const FIRST_FRAME = 'frame= 1 Sessions';
export const DATA_FRAME = 'data= 1 Sessions \\d+';

export type PtyEvent = {event: string; t: number; name?: string; pid?: number; id?: string; status?: number; bytes?: number};

/** One command under bench/pty_run.py; times are CLOCK_MONOTONIC ns, like process.hrtime.bigint(). */
export class PtyRun {
	readonly child: ChildProcess;
	readonly events: PtyEvent[] = [];
	private waiters: Array<{match: (event: PtyEvent) => boolean; resolve: (event: PtyEvent) => void}> = [];
	readonly exited: Promise<PtyEvent>;

	/** `env`: variables set for the command beside the measured processes' environment. */
	constructor(python: string, command: string[], options: {first?: string[]; dump?: string; env?: NodeJS.ProcessEnv} = {}) {
		const args = [path.join(BENCH_DIR, 'pty_run.py'), '--cols', String(PTY.cols), '--rows', String(PTY.rows)];
		for (const pattern of options.first ?? []) args.push('--first', pattern);
		if (options.dump) args.push('--dump', options.dump);
		this.child = track(
			spawn(python, [...args, '--', ...command], {cwd: ROOT, env: {...childEnv(), ...options.env}, stdio: ['pipe', 'pipe', 'inherit']}),
		);
		readline.createInterface({input: this.child.stdout!}).on('line', line => {
			let event: PtyEvent;
			try {
				event = JSON.parse(line) as PtyEvent;
			} catch {
				return;
			}
			this.events.push(event);
			for (const waiter of [...this.waiters]) {
				if (waiter.match(event)) {
					this.waiters.splice(this.waiters.indexOf(waiter), 1);
					waiter.resolve(event);
				}
			}
		});
		this.exited = this.wait(event => event.event === 'exit', Number.POSITIVE_INFINITY) as Promise<PtyEvent>;
	}

	/** The first event (already seen or to come) that matches, or null after timeoutMs. */
	wait(match: (event: PtyEvent) => boolean, timeoutMs: number): Promise<PtyEvent | null> {
		const seen = this.events.find(match);
		if (seen) return Promise.resolve(seen);
		return new Promise(resolve => {
			const waiter = {
				match,
				resolve: (event: PtyEvent) => {
					if (timer) clearTimeout(timer);
					resolve(event);
				},
			};
			const timer = Number.isFinite(timeoutMs)
				? setTimeout(() => {
						this.waiters.splice(this.waiters.indexOf(waiter), 1);
						resolve(null);
					}, timeoutMs)
				: null;
			this.waiters.push(waiter);
		});
	}

	send(line: string): void {
		this.child.stdin!.write(`${line}\n`);
	}

	get spawned(): PtyEvent | undefined {
		return this.events.find(event => event.event === 'spawned');
	}

	/** Milliseconds from the process's start to `event`; null when there is none. */
	since(event: PtyEvent | null): number | null {
		return event ? Number(BigInt(event.t) - BigInt(this.spawned!.t)) / 1e6 : null;
	}

	/** Bytes the command has written to the terminal so far. */
	async stats(): Promise<number> {
		const before = this.events.length;
		this.send('stats');
		const event = await this.wait(e => e.event === 'stats' && this.events.indexOf(e) >= before, 5000);
		return event?.bytes ?? Number.NaN;
	}

	/** q, then SIGTERM after 5 s. */
	async quit(): Promise<void> {
		this.send('keys q');
		const done = await Promise.race([this.exited, sleep(5000).then(() => null)]);
		if (!done) {
			this.send('kill');
			await Promise.race([this.exited, sleep(3000)]);
		}
		this.child.stdin!.end();
	}
}
