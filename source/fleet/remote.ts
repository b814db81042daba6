import type {Readable, Writable} from 'node:stream';
import type {ReleaseResult, ReleaseTarget} from '../bus/delivery.js';
import type {SendRequest, SendResult} from '../bus/send.js';
import type {BusSnapshot, JsonValue} from '../bus/types.js';
import {type Analysis, analyze} from '../analysis/analyze.js';
import type {Reading} from '../monitor/monitor.js';
import type {ReadingContext} from '../monitor/notify.js';
import type {StatusCounts} from '../monitor/status-counts.js';
import {epochMs, formatIso} from '../bus/time.js';
import type {Liveness} from '../processes/liveness.js';
import {ChangeDecoder} from './changes.js';
import {
	type Hello,
	type Judgement,
	LineSplitter,
	busKey,
	PING_INTERVAL_MS,
	PROTOCOL_VERSION,
	type ReadingMessage,
	encode,
} from './protocol.js';
import type {LinkState, MachineSource, MachineState} from './types.js';
import {hello as helloOf, isObject, json, text, wholePayload} from './untrusted.js';

/**
 * A remote machine's bus, read by its own `session-status serve` through a transport
 * (ssh, or any command giving serve's standard input and output). Its readings are
 * analysed here with the remote's own judgements (liveness, heartbeats first seen) and
 * its clock: a remote PID is never probed here, and a remote clock that is off does not
 * make its sessions look stale. Only transient failures reconnect on their own, backing
 * off from 1 s to 30 s; the others wait for retry().
 */

/** How a run ended: its exit code or signal, or why it could not start. */
export type Exit = {code: number | null; signal: string | null; error?: string | null};

/** One run of the transport: serve's standard input and output. */
export type Connection = {
	stdin: Writable;
	stdout: Readable;
	stop(): void;
	/** What the transport wrote on its standard error: sanitised and bounded. */
	stderrText(): string;
	exited: Promise<Exit>;
};

export type Connector = {
	connect(): Connection;
	/** Why a run ended, in words a person can act on, and whether trying again may help. */
	explain(exit: Exit, stderr: string): {why: string; transient: boolean};
};

export type RemoteOptions = {
	name: string;
	connector: Connector;
	/** The fleet's word on a hello: the name of another machine that reads the same bus, or null. */
	duplicateOf?: (hello: Hello) => string | null;
	/** This viewer writes nothing on the remote (--read-only): every write is refused here, none is sent. */
	readOnly?: boolean;
	/** false: ask for nothing after the hello (the status line's counts); default true: readings as they change. */
	subscribe?: boolean;
	pingMs?: number;
	requestTimeoutMs?: number;
	now?: () => number;
	/** Told of each reading judged while the link is live, the first of each bus a hello names marked (notifications: notify.ts). */
	onReading?: (reading: Reading, context: ReadingContext) => void;
};

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];
/** A link live this long has its backoff start again from the first step. */
const STEADY_MS = 30_000;
/** Without a clock-driven change known, ages on screen are judged again this often. */
const AGES_MS = 15_000;
/** A transport that says no hello within this long is dropped and tried again (a paused container, a shell waiting for input). */
const HELLO_TIMEOUT_MS = 30_000;
/** setTimeout's longest delay: a longer one would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** Lines before the hello that are not the protocol (a remote shell's rc files): at most this many are skipped. */
const MAX_NOISE_LINES = 1000;

class LinkError extends Error {}

export class RemoteMachine implements MachineSource {
	readonly name: string;
	private state: MachineState;
	private readonly listeners = new Set<() => void>();
	private connection: Connection | null = null;
	private decoder = new ChangeDecoder();
	private hello: Hello | null = null;
	/**
	 * Readings told to onReading since a hello first named this bus: the first only sets what is
	 * known. A reconnect to the same bus goes on from there, so what arrived while the link was
	 * down is still news.
	 */
	private readingsOfBus = 0;
	private busOfReadings: string | null = null;
	private nextId = 1;
	/** Requests awaiting their answer: each with what rebuilds its result. */
	private pending = new Map<
		number,
		{resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout; clean: (result: unknown) => unknown}
	>();
	private pingTimer: NodeJS.Timeout | null = null;
	private retryTimer: NodeJS.Timeout | null = null;
	private agesTimer: NodeJS.Timeout | null = null;
	private helloTimer: NodeJS.Timeout | null = null;
	private unanswered = 0;
	private failures = 0;
	private liveSince: number | null = null;
	private running = false;
	private paused = false;
	private ended = 0;
	private clockTextsChangeAt: number | null = null;
	private noise: string[] = [];
	private delivered = new Set<number>();
	/** The remote's data: snapshot and judgement, with the remote clock at arrival and the local time it arrived. */
	private data: {
		snapshot: BusSnapshot;
		judgement: Judgement;
		liveness: Map<number, Liveness>;
		remoteNow: number;
		arrivedAt: number;
	} | null = null;
	private readonly now: () => number;

	constructor(private readonly options: RemoteOptions) {
		this.name = options.name;
		this.now = options.now ?? Date.now;
		this.state = {
			name: options.name,
			local: false,
			link: {kind: 'connecting'},
			hostname: null,
			machineUuid: null,
			reading: null,
			clockOffsetMs: 0,
			readAt: null,
			error: null,
			readOnly: false,
			changedAt: null,
		};
	}

	getState(): MachineState {
		return this.state;
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private set(patch: Partial<MachineState>): void {
		this.state = {...this.state, ...patch};
		for (const listener of this.listeners) listener();
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		this.connect();
	}

	stop(): void {
		this.running = false;
		this.clearTimers();
		this.disconnect('stopped');
	}

	private clearTimers(): void {
		for (const timer of [this.pingTimer, this.retryTimer, this.agesTimer, this.helloTimer]) if (timer) clearTimeout(timer);
		this.pingTimer = this.retryTimer = this.agesTimer = this.helloTimer = null;
	}

	private connect(): void {
		if (!this.running) return;
		this.set({link: {kind: 'connecting'}});
		this.decoder = new ChangeDecoder();
		this.hello = null;
		this.noise = [];
		this.unanswered = 0;
		let connection: Connection;
		try {
			connection = this.options.connector.connect();
		} catch (error) {
			this.lost({why: (error as Error).message, transient: false});
			return;
		}
		this.connection = connection;
		this.helloTimer = setTimeout(() => {
			this.helloTimer = null;
			if (this.connection === connection && this.hello === null)
				this.lost({why: `no hello within ${HELLO_TIMEOUT_MS / 1000} s`, transient: true});
		}, HELLO_TIMEOUT_MS);
		const splitter = new LineSplitter(
			line => this.onLine(connection, line),
			bytes => this.onGarbage(connection, `a line of ${bytes} bytes, over the limit`),
		);
		connection.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
		connection.stdin.on('error', () => undefined);
		connection.stdout.on('error', () => undefined);
		void connection.exited.then(exit => {
			if (this.connection !== connection) return;
			this.connection = null;
			const explained = this.options.connector.explain(exit, connection.stderrText());
			const noise = this.noise.length > 0 && this.hello === null ? ` (before any hello it printed: ${this.noise[0]})` : '';
			this.lost({why: `${explained.why}${noise}`, transient: explained.transient});
		});
	}

	/** Ends the current run, if any; its exit is not reported. */
	private disconnect(why: string): void {
		const connection = this.connection;
		this.connection = null;
		if (this.pingTimer) clearInterval(this.pingTimer);
		if (this.helloTimer) clearTimeout(this.helloTimer);
		this.pingTimer = this.helloTimer = null;
		for (const [id, request] of this.pending) {
			clearTimeout(request.timer);
			request.reject(new LinkError(`${this.name}: ${why}`));
			this.pending.delete(id);
		}
		connection?.stop();
	}

	/** The link went down: keep the last reading (the views mark it), and retry if that may help. */
	private lost({why, transient}: {why: string; transient: boolean}): void {
		this.disconnect(why);
		if (!this.running) return;
		if (this.liveSince !== null && this.now() - this.liveSince >= STEADY_MS) this.failures = 0;
		this.liveSince = null;
		if (!transient) {
			this.set({link: {kind: 'failed', why}});
			return;
		}
		const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
		this.failures++;
		this.set({link: {kind: 'reconnecting', at: this.now() + delay, why}});
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			this.connect();
		}, delay);
	}

	/** A stream that breaks the protocol: dropped and retried like a lost link. */
	private onGarbage(connection: Connection, what: string): void {
		if (this.connection !== connection) return;
		this.lost({why: `the remote sent ${what}`, transient: true});
	}

	private onLine(connection: Connection, line: string): void {
		if (this.connection !== connection) return;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			value = undefined;
		}
		if (this.hello === null) return this.beforeHello(connection, line, value);
		if (!isObject(value)) return this.onGarbage(connection, 'a line that is not protocol JSON');
		switch (value['type']) {
			case 'reading':
				return this.onReading(value as ReadingMessage);
			case 'bus-error':
				// Its first line: what a status bar has room for.
				return this.set({
					error: text(String(value['message']).split('\n')[0]) ?? 'the remote could not read its bus',
					changedAt: this.now(),
				});
			case 'response':
				return this.onResponse(value);
			default:
				// Protocol errors and unknown types: nothing to do here.
				return;
		}
	}

	private beforeHello(connection: Connection, line: string, value: unknown): void {
		const hello = helloOf(value);
		if (typeof hello === 'string') {
			// A remote shell's rc files may print before serve starts: skipped, and reported if no hello comes.
			if (this.noise.length >= MAX_NOISE_LINES) return this.onGarbage(connection, `${MAX_NOISE_LINES} lines and no hello`);
			this.noise.push(JSON.stringify(text(line.slice(0, 200)) ?? ''));
			return;
		}
		if (hello.protocol.major !== PROTOCOL_VERSION.major) {
			this.lost({
				why: `protocol mismatch: the remote speaks version ${hello.protocol.major}.${hello.protocol.minor}, this viewer ${PROTOCOL_VERSION.major}.${PROTOCOL_VERSION.minor} (session-status ${hello.version} there)`,
				transient: false,
			});
			return;
		}
		this.hello = hello;
		const bus = busKey(hello.hostname, hello.database);
		if (bus !== this.busOfReadings) [this.busOfReadings, this.readingsOfBus] = [bus, 0];
		if (this.helloTimer) clearTimeout(this.helloTimer);
		this.helloTimer = null;
		this.delivered.clear();
		const duplicate = this.options.duplicateOf?.(hello) ?? null;
		if (duplicate !== null) {
			this.disconnect('duplicate');
			this.set({link: {kind: 'duplicate', of: duplicate}, hostname: hello.hostname, machineUuid: hello.machineUuid, reading: null});
			return;
		}
		if (this.options.subscribe === false) {
			this.set({link: {kind: 'live'}, hostname: hello.hostname, machineUuid: hello.machineUuid, readOnly: hello.readOnly});
			return;
		}
		this.set({hostname: hello.hostname, machineUuid: hello.machineUuid, readOnly: hello.readOnly});
		void this.request('subscribe', {endedSessions: this.ended}).catch(() => undefined);
		this.pingTimer = setInterval(() => this.ping(), this.options.pingMs ?? PING_INTERVAL_MS);
	}

	private ping(): void {
		const connection = this.connection;
		if (!connection) return;
		// Two pings unanswered: the link is held open but nothing answers.
		if (this.unanswered >= 2) return this.onGarbage(connection, 'no answer to two pings');
		this.unanswered++;
		void this.request('ping', {}).then(
			() => (this.unanswered = 0),
			() => undefined,
		);
	}

	private onReading(message: ReadingMessage): void {
		let applied;
		try {
			applied = this.decoder.apply(message);
		} catch {
			applied = null;
		}
		if (applied === null) return;
		const arrivedAt = this.now();
		const remoteNow = epochMs(message.now) ?? arrivedAt;
		const liveness = this.data?.judgement === applied.judgement ? this.data.liveness : new Map(applied.judgement.liveness);
		this.data = {...applied, liveness, remoteNow, arrivedAt};
		// Ids no longer open need no mark: the set holds at most what the reading lists.
		const open = new Set([...applied.snapshot.alerts, ...applied.snapshot.unread].map(row => row.id));
		for (const id of this.delivered) if (!open.has(id)) this.delivered.delete(id);
		if (this.liveSince === null) this.liveSince = arrivedAt;
		if (this.state.link.kind !== 'live') this.failures = Math.min(this.failures, 1);
		this.publish({link: {kind: 'live'}, error: null, readAt: arrivedAt, changedAt: arrivedAt});
	}

	/** A reading from the remote's data, judged at the remote's clock now. */
	private publish(patch: Partial<MachineState> = {}): void {
		if (!this.running) return;
		if (!this.data || this.paused) {
			if (Object.keys(patch).length > 0) this.set(patch);
			return;
		}
		const {snapshot, judgement, liveness, remoteNow, arrivedAt} = this.data;
		const clockOffsetMs = arrivedAt - remoteNow;
		const analysis: Analysis = analyze(snapshot, {
			now: this.now() - clockOffsetMs,
			liveness,
			currentRowid: null,
			heartbeatFirstSeen: new Map(judgement.heartbeatFirstSeen),
			operator: judgement.operator,
		});
		const reading = {snapshot, analysis};
		this.set({...patch, reading, clockOffsetMs});
		// A lost link's rows are its last reading, not news.
		if (this.state.link.kind === 'live') this.options.onReading?.(reading, {first: this.readingsOfBus++ === 0, machine: this.name});
		this.scheduleAges(analysis, clockOffsetMs);
	}

	/** Judged again when a state changes with the clock, or when an age on screen reads differently. */
	private scheduleAges(analysis: Analysis, offset: number): void {
		if (this.agesTimer) clearTimeout(this.agesTimer);
		const now = this.now();
		const stateChange = analysis.nextStateChangeAt === null ? Infinity : analysis.nextStateChangeAt + offset;
		const ages = this.clockTextsChangeAt ?? now + AGES_MS;
		const at = Math.min(stateChange, ages);
		if (!Number.isFinite(at) || !this.running) return;
		this.agesTimer = setTimeout(
			() => {
				this.agesTimer = null;
				this.publish();
			},
			Math.min(MAX_DELAY_MS, Math.max(250, at - now)),
		);
	}

	private onResponse(value: Record<string, unknown>): void {
		const id = value['id'];
		const request = typeof id === 'number' ? this.pending.get(id) : undefined;
		if (!request) return;
		this.pending.delete(id as number);
		clearTimeout(request.timer);
		if (value['ok'] === true) request.resolve(request.clean(value['result']));
		else request.reject(new LinkError(`${this.name}: ${text(value['error']) ?? 'refused'}`));
	}

	private request(type: string, fields: Record<string, unknown>): Promise<JsonValue>;
	private request<T>(type: string, fields: Record<string, unknown>, clean: (result: unknown) => T): Promise<T>;
	/** A request by id, answered within requestTimeoutMs; its result rebuilt by `clean` (default: json). */
	private request(type: string, fields: Record<string, unknown>, clean: (result: unknown) => unknown = json): Promise<unknown> {
		const connection = this.connection;
		if (!connection || this.hello === null) {
			const link = this.state.link;
			const why = link.kind === 'failed' || link.kind === 'reconnecting' ? `: ${link.why}` : '';
			return Promise.reject(new LinkError(`${this.name} is not connected${why}`));
		}
		const id = this.nextId++;
		return new Promise<unknown>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new LinkError(`${this.name}: no answer within ${Math.round((this.options.requestTimeoutMs ?? 15_000) / 1000)} s`));
			}, this.options.requestTimeoutMs ?? 15_000);
			this.pending.set(id, {resolve, reject, timer, clean});
			connection.stdin.write(encode({type, id, ...fields} as never));
		});
	}

	refreshNow(): void {
		void this.request('refresh', {}).catch(() => undefined);
	}

	retry(): void {
		if (!this.running) return;
		// A link that is down, still waiting for its hello, or flagged a duplicate: connect again.
		if (this.state.link.kind !== 'live') {
			if (this.retryTimer) clearTimeout(this.retryTimer);
			this.retryTimer = null;
			this.failures = 0;
			this.disconnect('connecting again');
			this.connect();
		} else this.refreshNow();
	}

	setPaused(paused: boolean): void {
		this.paused = paused;
		if (!paused) this.publish();
	}

	listEnded(count: number): void {
		if (count === this.ended) return;
		this.ended = count;
		void this.request('ended', {count}).catch(() => undefined);
	}

	setClockTextsChangeAt(at: number | null): void {
		if (at === this.clockTextsChangeAt) return;
		this.clockTextsChangeAt = at;
		if (this.data && this.state.reading) this.scheduleAges(this.state.reading.analysis, this.state.clockOffsetMs);
	}

	private writable(what: string): void {
		if (this.options.readOnly) throw new LinkError(`Not ${what}: read-only (--read-only)`);
		if (this.state.readOnly) throw new LinkError(`Not ${what}: ${this.name} serves its bus read-only`);
	}

	async acknowledge(ids: number[]): Promise<number> {
		this.writable('acknowledged');
		return Number(await this.request('acknowledge', {ids})) || 0;
	}

	async release(target: ReleaseTarget): Promise<ReleaseResult> {
		this.writable('released');
		const result = await this.request('release', {target});
		return result === 'released' || result === 'changed' ? result : 'gone';
	}

	async send(request: SendRequest): Promise<SendResult> {
		this.writable('sent');
		const result = await this.request('send', {request});
		if (isObject(result) && typeof result['id'] === 'number') return {id: result['id'], recipientId: text(result['recipientId']) ?? ''};
		return 'gone';
	}

	async markShown(ids: number[]): Promise<void> {
		if (this.options.readOnly || this.state.readOnly || this.paused) return;
		const fresh = ids.filter(id => !this.delivered.has(id));
		if (fresh.length === 0) return;
		for (const id of fresh) this.delivered.add(id);
		try {
			await this.request('deliver', {ids: fresh});
		} catch {
			// Shown again on the next frame, and retried then.
			for (const id of fresh) this.delivered.delete(id);
		}
	}

	/** Marks messages delivered on the remote's bus, once; unlike markShown, a failure is thrown (the printed forms report it). */
	async markDelivered(ids: number[]): Promise<void> {
		this.writable('marked delivered');
		await this.request('deliver', {ids});
	}

	payload(id: number): Promise<{value: JsonValue; cut: boolean}> {
		return this.request('payload', {message: id}, wholePayload);
	}

	async exactReading(): Promise<Reading> {
		await this.request('refresh', {exact: true});
		if (!this.state.reading) throw new LinkError(`${this.name}: no reading yet`);
		return this.state.reading;
	}

	/** The remote's status-line counts, asked without a reading. */
	async counts(): Promise<StatusCounts> {
		const result = await this.request('counts', {});
		const loose = isObject(result) ? result : {};
		const n = (key: string) => Math.max(0, Number(loose[key]) || 0);
		return {sessions: n('sessions'), dead: n('dead'), stale: n('stale'), alerts: n('alerts'), critical: n('critical'), unread: n('unread')};
	}

	countsNote(): string {
		const counts = this.state.reading?.snapshot.counts;
		return counts
			? `History counts from ${formatIso(counts.countedAt).slice(11, 19)} UTC (the remote's clock)`
			: 'History counts not taken yet';
	}

	/** Waits until the link is live with a reading, or has failed; at most `ms`. */
	settled(ms: number): Promise<LinkState> {
		return new Promise(resolve => {
			const done = (): boolean => {
				const {link, reading} = this.state;
				if (
					(link.kind === 'live' && (reading || this.options.subscribe === false)) ||
					link.kind === 'failed' ||
					link.kind === 'duplicate' ||
					link.kind === 'reconnecting'
				) {
					off();
					clearTimeout(timer);
					resolve(link);
					return true;
				}
				return false;
			};
			const off = this.subscribe(() => void done());
			const timer = setTimeout(() => {
				off();
				resolve(this.state.link);
			}, ms);
			done();
		});
	}
}
