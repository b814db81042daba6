import type {ReleaseResult, ReleaseTarget} from '../../source/bus/delivery.js';
import type {SendRequest, SendResult} from '../../source/bus/send.js';
import type {JsonValue} from '../../source/bus/types.js';
import type {LocalMachine} from '../../source/fleet/local.js';
import type {LinkState, MachineSource, MachineState} from '../../source/fleet/types.js';
import type {Reading} from '../../source/monitor/monitor.js';

/**
 * A real bus (a LocalMachine over a real LiveBus) seen as a remote whose link the test
 * sets: live, connecting, reconnecting, failed, duplicate. While the link is down its state
 * is the one it had when the link went down (the last reading stays); `r` (retry) brings a
 * failed or reconnecting link back live. Everything else is the real machine's.
 */
export class LinkedMachine implements MachineSource {
	readonly name: string;
	/** How many times retry() was called. */
	retries = 0;
	private link: LinkState = {kind: 'live'};
	private frozen: MachineState | null = null;
	private last: {inner: MachineState; link: LinkState; state: MachineState} | null = null;
	private readonly listeners = new Set<() => void>();

	constructor(
		readonly inner: LocalMachine,
		private readonly options: {readOnly?: boolean; clockOffsetMs?: number} = {},
	) {
		this.name = inner.name;
	}

	/** Sets the link; a link going down keeps the state it had (its last reading). */
	setLink(link: LinkState): void {
		const down = link.kind !== 'live';
		if (down && this.frozen === null) this.frozen = this.inner.getState();
		if (!down) this.frozen = null;
		this.link = link;
		for (const listener of this.listeners) listener();
	}

	getState(): MachineState {
		const inner = this.frozen ?? this.inner.getState();
		if (this.last?.inner === inner && this.last.link === this.link) return this.last.state;
		const state: MachineState = {
			...inner,
			local: false,
			link: this.link,
			readOnly: this.options.readOnly ?? inner.readOnly,
			clockOffsetMs: this.options.clockOffsetMs ?? 0,
		};
		this.last = {inner, link: this.link, state};
		return state;
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		const off = this.inner.subscribe(listener);
		return () => {
			this.listeners.delete(listener);
			off();
		};
	}

	start(): void {
		this.inner.start();
	}

	stop(): void {
		this.inner.stop();
	}

	refreshNow(): void {
		this.inner.refreshNow();
	}

	retry(): void {
		this.retries++;
		if (this.link.kind === 'failed' || this.link.kind === 'reconnecting') this.setLink({kind: 'live'});
		this.inner.retry();
	}

	setPaused(paused: boolean): void {
		this.inner.setPaused(paused);
	}

	listEnded(count: number): void {
		this.inner.listEnded(count);
	}

	setClockTextsChangeAt(at: number | null): void {
		this.inner.setClockTextsChangeAt(at);
	}

	private refuse(): Promise<never> | null {
		if (this.link.kind !== 'live') return Promise.reject(new Error(`${this.name} is not connected`));
		if (this.options.readOnly) return Promise.reject(new Error(`${this.name} serves read-only`));
		return null;
	}

	acknowledge(ids: number[]): Promise<number> {
		return this.refuse() ?? this.inner.acknowledge(ids);
	}

	release(target: ReleaseTarget): Promise<ReleaseResult> {
		return this.refuse() ?? this.inner.release(target);
	}

	send(request: SendRequest): Promise<SendResult> {
		return this.refuse() ?? this.inner.send(request);
	}

	markShown(ids: number[]): Promise<void> {
		return this.refuse() ?? this.inner.markShown(ids);
	}

	payload(id: number): Promise<{value: JsonValue; cut: boolean}> {
		return this.inner.payload(id);
	}

	exactReading(): Promise<Reading> {
		return this.inner.exactReading();
	}

	countsNote(): string {
		return this.inner.countsNote();
	}
}
