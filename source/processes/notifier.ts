import {type ChildProcess, spawn} from 'node:child_process';

/**
 * Runs the user's notifier for one event: `--notify` text through `/bin/sh -c`, the config
 * file's list as argv. The event goes in only through the environment and one JSON
 * document on stdin, never the command line. Each run has its own process group, is
 * killed (the whole group) after `timeoutMs`, and has its output captured, bounded, and
 * never drawn; a notifier that closes its stdin early (EPIPE) is no error.
 */

export type NotifyCommand = {shell: string} | {argv: string[]};

export type NotifierInput = {env: Record<string, string>; stdin: string};

export type NotifierOutcome =
	| {status: 'done'; code: number | null; signal: string | null; output: string}
	| {status: 'killed'; output: string}
	| {status: 'not-started'; error: string};

export type NotifierOptions = {timeoutMs?: number; maxOutputBytes?: number};

export const NOTIFIER_TIMEOUT_MS = 5000;

function killGroup(child: ChildProcess): void {
	try {
		if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
	} catch {
		// The group is gone already.
	}
}

/** The notifiers still running, so the dashboard can end them when it quits. */
export class NotifierProcesses {
	private readonly running = new Set<ChildProcess>();

	constructor(private readonly options: NotifierOptions = {}) {}

	get timeoutMs(): number {
		return this.options.timeoutMs ?? NOTIFIER_TIMEOUT_MS;
	}

	/** Starts the notifier and resolves when it has ended (or was killed); never rejects. */
	run(command: NotifyCommand, input: NotifierInput): Promise<NotifierOutcome> {
		const [file, args] = 'shell' in command ? ['/bin/sh', ['-c', command.shell]] : [command.argv[0], command.argv.slice(1)];
		const maxOutput = this.options.maxOutputBytes ?? 65_536;
		return new Promise(resolve => {
			let child: ChildProcess;
			try {
				child = spawn(file, args, {detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, ...input.env}});
			} catch (error) {
				resolve({status: 'not-started', error: (error as Error).message});
				return;
			}
			this.running.add(child);
			let output = '';
			const keep = (chunk: Buffer) => {
				if (output.length < maxOutput) output += chunk.toString('utf8').slice(0, maxOutput - output.length);
			};
			child.stdout?.on('data', keep);
			child.stderr?.on('data', keep);
			let killed = false;
			let settled = false;
			const settle = (outcome: NotifierOutcome) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				this.running.delete(child);
				resolve(outcome);
			};
			const timer = setTimeout(() => {
				killed = true;
				killGroup(child);
				// A process that left the group may still hold the pipes: stop reading them.
				child.stdout?.destroy();
				child.stderr?.destroy();
			}, this.timeoutMs);
			child.on('error', error => settle({status: 'not-started', error: error.message}));
			child.on('close', (code, signal) => settle(killed ? {status: 'killed', output} : {status: 'done', code, signal, output}));
			child.stdin?.on('error', () => {});
			child.stdin?.end(input.stdin);
		});
	}

	/** Ends every notifier still running, with its process group. */
	stopAll(): void {
		for (const child of this.running) killGroup(child);
		this.running.clear();
	}
}
