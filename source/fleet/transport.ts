import {spawn} from 'node:child_process';
import {PassThrough, type Readable, type Writable} from 'node:stream';
import {escapeControls} from '../text/sanitize.js';

/**
 * How a remote's `session-status serve` is reached: a child process whose standard input
 * and output carry the protocol (this file knows nothing of it). OpenSSH by default, or
 * any argv the user names. Nothing is ever put into a shell string on this machine: the
 * child is spawned without a shell, and what ssh hands to the remote's shell is the
 * user's own `command` text plus arguments each single-quoted.
 */

/** A remote as the settings name it; `name` is the machine's key in the fleet. */
export type RemoteSpec = {
	name: string;
	transport:
		{kind: 'ssh'; destination: string; db: string | null; command: string | null} | {kind: 'exec'; argv: string[]; db: string | null};
};

/** What ssh runs on the remote when the spec names no `command`. */
export const DEFAULT_REMOTE_COMMAND = 'session-status serve';

/** The ssh command when SESSION_STATUS_SSH_COMMAND is not set. */
export const DEFAULT_SSH_COMMAND: readonly string[] = ['ssh'];

/** Never a password prompt inside the dashboard; a bounded connect; a dead link noticed within 45 s. */
// Readings are JSON: compressed, a first reading of a large bus crosses the link in a tenth of the bytes.
const SSH_OPTIONS = [
	'-T',
	'-o',
	'BatchMode=yes',
	'-o',
	'ConnectTimeout=10',
	'-o',
	'ServerAliveInterval=15',
	'-o',
	'ServerAliveCountMax=3',
	'-o',
	'Compression=yes',
];

/** One word for a POSIX shell, whatever it holds: `it's` becomes `'it'\''s'`. */
export function shellQuote(word: string): string {
	return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The program and arguments that reach `spec`'s serve; spawned as argv, never through a shell. */
export function transportCommand(spec: RemoteSpec, sshCommand: readonly string[]): {file: string; args: string[]} {
	const {transport} = spec;
	if (transport.kind === 'exec') {
		const [file, ...args] = transport.argv;
		return {file, args: transport.db === null ? args : [...args, '--db', transport.db]};
	}
	const [file, ...options] = sshCommand.length > 0 ? sshCommand : DEFAULT_SSH_COMMAND;
	const db = transport.db === null ? '' : ` ${shellQuote('--db')} ${shellQuote(transport.db)}`;
	const remoteCommand = `${transport.command ?? DEFAULT_REMOTE_COMMAND}${db}`;
	// `--` before the destination: nothing the user named is ever read as an ssh option.
	return {file, args: [...options, ...SSH_OPTIONS, '--', transport.destination, remoteCommand]};
}

/** How a transport ended: its exit code or signal, or why it could not be started (then both are null). */
export type TransportExit = {code: number | null; signal: string | null; error: string | null};

export type Transport = {
	stdin: Writable;
	stdout: Readable;
	/** The child's PID, which is also its process group's id; null when it could not be started. */
	pid: number | null;
	/** SIGTERM to the whole process group, SIGKILL a second later to whatever is left; safe to call again. */
	stop(): void;
	/** The end of its stderr (about the last 4 KB), each line escaped (no control character), lines joined by `\n`. */
	stderrText(): string;
	/** Settles once, never rejects. */
	exited: Promise<TransportExit>;
};

/** How much of stderr is kept: the end, where ssh and shells say what went wrong. */
const STDERR_KEPT = 4096;
/** How long stop() waits before SIGKILL. */
const KILL_AFTER_MS = 1000;
/** How long an exit waits for the rest of stderr (a grandchild may hold it open). */
const STDERR_GRACE_MS = 300;

/** The last `STDERR_KEPT` characters of `raw`, escaped line by line, starting at a whole line where it can. */
function boundedLines(raw: string): string {
	const lines = raw
		.replace(/\r\n/g, '\n')
		.split('\n')
		.map(line => escapeControls(line));
	while (lines.length > 1 && lines.join('\n').length > STDERR_KEPT) lines.shift();
	const text = lines.join('\n');
	return text.length > STDERR_KEPT ? text.slice(-STDERR_KEPT) : text;
}

function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// The group is already gone.
	}
}

/** A transport that never started: its streams are closed and `exited` says why. */
function notStarted(error: string): Transport {
	const stdin = new PassThrough();
	const stdout = new PassThrough();
	// A write to it fails quietly, as a write to a transport that went away does.
	stdin.on('error', () => {});
	stdin.end();
	stdout.end();
	return {stdin, stdout, pid: null, stop: () => {}, stderrText: () => '', exited: Promise.resolve({code: null, signal: null, error})};
}

/**
 * Starts `spec`'s transport in a process group of its own, with piped stdio. A program
 * that cannot be run (ssh not installed) settles `exited` with the reason; nothing here
 * throws from an event handler.
 */
export function startTransport(spec: RemoteSpec, sshCommand: readonly string[], env: NodeJS.ProcessEnv = process.env): Transport {
	const {file, args} = transportCommand(spec, sshCommand);
	let child;
	try {
		child = spawn(file, args, {detached: true, shell: false, stdio: ['pipe', 'pipe', 'pipe'], env});
	} catch (error) {
		return notStarted(`cannot run ${escapeControls(file)}: ${escapeControls((error as Error).message)}`);
	}
	const pid = child.pid ?? null;
	let stderrRaw = '';
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk: string) => {
		stderrRaw += chunk;
		if (stderrRaw.length > 2 * STDERR_KEPT) stderrRaw = stderrRaw.slice(-STDERR_KEPT);
	});
	// A peer that went away shows as the exit below, not as an uncaught stream error.
	child.stdin.on('error', () => {});
	child.stdout.on('error', () => {});
	child.stderr.on('error', () => {});

	let ended = false;
	let killTimer: NodeJS.Timeout | null = null;
	const exited = new Promise<TransportExit>(resolve => {
		child.on('error', error => {
			if (child.pid !== undefined) return;
			ended = true;
			const code = (error as NodeJS.ErrnoException).code;
			resolve({
				code: null,
				signal: null,
				error: `cannot run ${escapeControls(file)}: ${code === 'ENOENT' ? 'no such program' : escapeControls(error.message)}`,
			});
		});
		child.once('exit', (code, signal) => {
			ended = true;
			if (killTimer !== null && pid !== null && !groupAlive(pid)) {
				clearTimeout(killTimer);
				killTimer = null;
			}
			const settle = () => resolve({code, signal, error: null});
			if (child.stderr.readableEnded) settle();
			else {
				const grace = setTimeout(settle, STDERR_GRACE_MS);
				child.stderr.once('end', () => {
					clearTimeout(grace);
					settle();
				});
			}
		});
	});

	let stopped = false;
	const stop = () => {
		if (stopped || pid === null) return;
		stopped = true;
		if (ended && !groupAlive(pid)) return;
		signalGroup(pid, 'SIGTERM');
		killTimer = setTimeout(() => {
			killTimer = null;
			if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
		}, KILL_AFTER_MS);
	};

	return {stdin: child.stdin, stdout: child.stdout, pid, stop, stderrText: () => boundedLines(stderrRaw), exited};
}

/** Why a transport ended, in words a person can act on; only a transient failure is retried without the user's `r`. */
export type FailureExplained = {why: string; transient: boolean};

/** ssh's own failures (it exits 255 for them): the first pattern found in its stderr names the cause. */
const SSH_FAILURES: ReadonlyArray<{pattern: RegExp; why: string; transient: boolean}> = [
	{pattern: /Permission denied/, why: 'auth refused', transient: false},
	{
		pattern: /Host key verification failed|No \S+ host key is known|REMOTE HOST IDENTIFICATION HAS CHANGED/,
		why: 'host key unknown or changed',
		transient: false,
	},
	{pattern: /Could not resolve hostname|Name or service not known/, why: 'host not found', transient: false},
	{pattern: /Connection refused/, why: 'connection refused', transient: true},
	{pattern: /timed out|Timeout/, why: 'connection timed out', transient: true},
	{pattern: /No route to host|Network is unreachable/, why: 'no route to host', transient: true},
	{pattern: /Connection closed|closed by remote host|Connection reset|Broken pipe/, why: 'connection closed', transient: true},
];

/** The last line of `stderr` that says anything, escaped (again: escaping is idempotent) and bounded for a status bar. */
function lastLine(stderr: string): string {
	const line =
		stderr
			.split('\n')
			.map(line => escapeControls(line.replace(/\r$/, '')).trim())
			.filter(line => line !== '')
			.at(-1) ?? '';
	return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * Why `spec`'s transport ended, from its exit and its stderr (as stderrText gives it).
 * Auth, host-key, a missing or too old session-status on the remote, and a transport
 * that cannot be run are not transient: retrying them would hammer an sshd into a ban or
 * fail the same way.
 */
export function explainFailure(spec: RemoteSpec, exit: TransportExit, stderr: string): FailureExplained {
	if (exit.error !== null) return {why: exit.error, transient: false};
	const ssh = spec.transport.kind === 'ssh';
	if (ssh && exit.code === 255) {
		const known = SSH_FAILURES.find(({pattern}) => pattern.test(stderr));
		if (known) return {why: known.why, transient: known.transient};
	}
	if (exit.code === 127 || /command not found/.test(stderr)) {
		const fix = ssh ? 'give "command" an absolute path' : 'name it by an absolute path in "exec"';
		return {why: `session-status not found on the remote (exit 127): ${fix}`, transient: false};
	}
	if (exit.code === 126) return {why: 'session-status on the remote cannot be run (exit 126: not executable)', transient: false};
	if (exit.code === 2 && /unknown command/.test(stderr))
		return {why: `the remote's session-status is too old to serve (exit 2, "unknown command")`, transient: false};
	const line = lastLine(stderr);
	const how = exit.signal !== null ? `ended by ${exit.signal}` : exit.code === 0 ? 'the link closed' : `exit ${exit.code}`;
	return {why: line === '' ? how : `${how}: ${line}`, transient: true};
}
