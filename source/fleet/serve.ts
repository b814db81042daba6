import os from 'node:os';
import path from 'node:path';
import type {Readable, Writable} from 'node:stream';
import {CLOCK_SKEW_TOLERANCE_MS} from '../analysis/analyze.js';
import {openReader} from '../bus/open.js';
import type {JsonValue} from '../bus/types.js';
import {type StatusCounts, countBus} from '../monitor/status-counts.js';
import {type LiveConfig, liveBusFor} from '../monitor/live.js';
import {ChangeEncoder} from './changes.js';
import {
	CAPABILITIES,
	type Hello,
	type Judgement,
	LineSplitter,
	PROTOCOL_VERSION,
	type Request,
	SERVE_IDLE_EXIT_MS,
	type ServeMessage,
	WHOLE_PAYLOAD_BOUNDS,
	boundPayload,
	encode,
} from './protocol.js';
import {isObject, releaseTarget, sendRequest} from './untrusted.js';

declare const PACKAGE_VERSION: string;

/**
 * `session-status serve`: this machine's bus for a viewer elsewhere, on standard input
 * and output (protocol.ts). It judges its own sessions (PIDs on this machine), sends a
 * reading only when the bus or a judgement changed, and keeps only the latest unsent
 * state while the viewer reads slowly. It exits when its input closes, when its output
 * is gone, or after SERVE_IDLE_EXIT_MS without a line from the viewer. It runs nothing
 * but its own requests.
 */

/** What serve takes from the settings (a resolved Config holds all of it). */
export type ServeConfig = LiveConfig & {operator: string};

export type ServeOptions = {input?: Readable; output?: Writable; idleExitMs?: number; now?: () => number};

/** At most one reading a second while commits keep coming. */
const SERVE_COALESCE_MS = 1000;
/** How often serve asks its bus whether anything was committed, at the most: it idles for hours on every remote. */
const SERVE_POLL_MS = 500;

const version = typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'dev';

class RequestError extends Error {}

export function runServe(config: ServeConfig, options: ServeOptions = {}): Promise<number> {
	const input = options.input ?? process.stdin;
	const output = options.output ?? process.stdout;
	const idleExitMs = options.idleExitMs ?? SERVE_IDLE_EXIT_MS;
	const now = options.now ?? Date.now;
	// Requests name the sender themselves: no session of this machine is "current" for a viewer elsewhere.
	// A commit after a quiet second is read at once; under a stream of commits, one reading a second
	// (every reading costs the viewer a decode, an analysis and its rows).
	const live = liveBusFor(
		{...config, sessionId: null, refreshMs: Math.max(config.refreshMs, SERVE_POLL_MS)},
		{coalesceMs: SERVE_COALESCE_MS},
	);
	// Ages are the viewer's to draw: judge again only when a PID or a session's state changes.
	live.setClockTextsChangeAt(Number.POSITIVE_INFINITY);
	const encoder = new ChangeEncoder();
	let subscribed = false;
	let blocked = false;
	let closed = false;
	let lastError: string | null = null;
	let heardAt = now();

	return new Promise<number>(resolve => {
		const finish = () => {
			if (closed) return;
			closed = true;
			clearInterval(idle);
			live.stop();
			input.removeAllListeners('data');
			resolve(0);
		};
		const write = (message: ServeMessage): void => {
			if (closed) return;
			if (!output.write(encode(message)) && !blocked) {
				blocked = true;
				output.once('drain', () => {
					blocked = false;
					flush();
				});
			}
		};
		// The latest state only: while the viewer has not taken the last line, nothing is queued.
		const flush = (): void => {
			if (!subscribed || blocked || closed) return;
			const state = live.getState();
			if (state.error !== lastError) {
				lastError = state.error;
				if (state.error !== null) write({type: 'bus-error', now: now(), message: state.error});
			}
			if (blocked || !state.reading) return;
			const {liveness, heartbeatFirstSeen} = live.monitor.lastJudgement();
			const at = now();
			// When a heartbeat was first seen counts only while it lies ahead of the clock (analyze.ts): only those are sent,
			// so a stream of heartbeats leaves the judgement, and the line, as they were.
			const ahead = state.reading.snapshot.sessions.filter(
				row => row.lastHeartbeat.ms !== null && row.lastHeartbeat.ms - at > CLOCK_SKEW_TOLERANCE_MS && heartbeatFirstSeen.has(row.rowid),
			);
			const judgement: Judgement = {
				liveness: [...liveness],
				heartbeatFirstSeen: ahead.map(row => [row.rowid, heartbeatFirstSeen.get(row.rowid)!]),
				operator: config.operator,
			};
			const message = encoder.encode(state.reading.snapshot, judgement, at);
			if (message) write(message);
		};
		const respond = (id: number, work: () => Promise<JsonValue> | JsonValue): void => {
			Promise.resolve()
				.then(work)
				.then(
					result => write({type: 'response', id, ok: true, result}),
					(error: unknown) => write({type: 'response', id, ok: false, error: error instanceof Error ? error.message : String(error)}),
				);
		};
		const writable = (what: string): void => {
			if (config.readOnly) throw new RequestError(`not ${what}: ${os.hostname()} serves this bus read-only`);
		};
		const handle = (request: Request): void => {
			switch (request.type) {
				case 'subscribe':
					if (!subscribed) live.subscribe(flush);
					subscribed = true;
					encoder.reset();
					live.listEnded(Math.max(0, Number(request.endedSessions) || 0));
					live.start();
					live.refreshNow();
					return respond(request.id, () => null);
				case 'ping':
					return respond(request.id, () => now());
				case 'refresh':
					return respond(request.id, async () => {
						if (request.exact !== true) {
							live.refreshNow();
							return null;
						}
						await live.exactReading();
						// The answer follows the reading it asked for, even when the viewer was reading slowly.
						while (blocked && !closed) await new Promise(resolve => output.once('drain', resolve));
						flush();
						return null;
					});
				case 'ended':
					live.listEnded(Math.max(0, Number(request.count) || 0));
					return respond(request.id, () => null);
				case 'acknowledge':
					return respond(request.id, () => {
						writable('acknowledged');
						return live.acknowledge(numbers(request.ids));
					});
				case 'deliver':
					return respond(request.id, async () => {
						writable('marked delivered');
						await live.markShown(numbers(request.ids));
						return null;
					});
				case 'release':
					return respond(request.id, () => {
						writable('released');
						const target = releaseTarget(request.target);
						if (!target) throw new RequestError('a release names a session, lock or claim by rowid, id and reason: this one does not');
						return live.release(target);
					});
				case 'send':
					return respond(request.id, async () => {
						writable('sent');
						const message = sendRequest(request.request);
						if (!message) throw new RequestError('a message names its sender, its recipient, its text and a priority: this one does not');
						return await live.send(message);
					});
				case 'payload':
					return respond(request.id, () => {
						const snapshot = live.getState().reading?.snapshot;
						const message =
							snapshot && [...snapshot.alerts, ...snapshot.unread, ...snapshot.lifecycle].find(row => row.id === request.message);
						if (!message) throw new RequestError(`message #${request.message} is no longer in the reading`);
						// Whole, within bounds that keep the answer well inside one line.
						return boundPayload(message.payload, WHOLE_PAYLOAD_BOUNDS).value;
					});
				case 'counts':
					return respond(request.id, () => counts(config, now()));
				default:
					// Unknown types are ignored: a newer viewer may ask what this serve does not know.
					return respond((request as {id: number}).id, () => {
						throw new RequestError(`unknown request ${JSON.stringify(String((request as {type: unknown}).type)).slice(0, 80)}`);
					});
			}
		};
		const onLine = (line: string): void => {
			heardAt = now();
			if (line.trim() === '') return;
			let value: unknown;
			try {
				value = JSON.parse(line);
			} catch {
				return write({type: 'error', message: 'a line that is not JSON was ignored'});
			}
			if (!isObject(value) || typeof value['type'] !== 'string' || !Number.isSafeInteger(value['id']))
				return write({type: 'error', message: 'a line without a type and a numeric id was ignored'});
			try {
				handle(value as Request);
			} catch (error) {
				write({type: 'response', id: value['id'] as number, ok: false, error: (error as Error).message});
			}
		};
		const splitter = new LineSplitter(onLine, bytes =>
			write({type: 'error', message: `a line of ${bytes} bytes, over the limit, was ignored`}),
		);
		const idle = setInterval(
			() => {
				if (now() - heardAt > idleExitMs) finish();
			},
			Math.min(5000, idleExitMs),
		);
		input.on('data', (chunk: Buffer | string) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
		input.on('end', finish);
		input.on('close', finish);
		input.on('error', finish);
		output.on('error', finish);
		output.on('close', finish);

		const hello: Hello = {
			type: 'hello',
			protocol: {...PROTOCOL_VERSION},
			version,
			capabilities: [...CAPABILITIES],
			hostname: os.hostname(),
			machineUuid: config.machineUuid,
			database: path.resolve(config.dbPath),
			readOnly: config.readOnly,
			now: now(),
		};
		write(hello);
	});
}

function numbers(value: unknown): number[] {
	if (!Array.isArray(value)) throw new RequestError('ids must be a list of numbers');
	return value.filter((id): id is number => Number.isSafeInteger(id)).slice(0, 10_000);
}

/** The status line's counts of this bus. */
function counts(config: ServeConfig, now: number): StatusCounts {
	const db = openReader(config.dbPath);
	try {
		const result = countBus(db, config, now);
		if (result === null) throw new RequestError('not a message bus');
		return result;
	} finally {
		db.close();
	}
}
