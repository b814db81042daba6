import type {ReleaseResult, ReleaseTarget} from '../bus/delivery.js';
import type {SendRequest, SendResult} from '../bus/send.js';
import type {JsonValue} from '../bus/types.js';
import type {LiveBus, LiveState} from '../monitor/live.js';
import type {Reading} from '../monitor/monitor.js';
import {Fleet} from './fleet.js';
import {LOCAL_NAME, type MachineSource, type MachineState} from './types.js';

export {LOCAL_NAME};

/** This machine's bus as one machine of a fleet: its LiveBus, as it is. */
export class LocalMachine implements MachineSource {
	readonly name: string;
	private last: {live: LiveState; state: MachineState} | null = null;

	constructor(
		readonly live: LiveBus,
		private readonly readOnly: boolean,
		name = LOCAL_NAME,
	) {
		this.name = name;
	}

	getState(): MachineState {
		const live = this.live.getState();
		if (this.last?.live === live) return this.last.state;
		const state: MachineState = {
			name: this.name,
			local: true,
			link: {kind: 'local'},
			hostname: this.live.monitor.host.hostname,
			machineUuid: this.live.monitor.host.machineUuid,
			reading: live.reading,
			clockOffsetMs: 0,
			readAt: live.changedAt,
			error: live.error,
			readOnly: this.readOnly,
			changedAt: live.changedAt,
		};
		this.last = {live, state};
		return state;
	}

	subscribe(listener: () => void): () => void {
		return this.live.subscribe(() => listener());
	}

	start(): void {
		this.live.start();
	}

	stop(): void {
		this.live.stop();
	}

	refreshNow(): void {
		this.live.refreshNow();
	}

	retry(): void {
		this.live.refreshNow();
	}

	setPaused(paused: boolean): void {
		this.live.setPaused(paused);
	}

	listEnded(count: number): void {
		this.live.listEnded(count);
	}

	setClockTextsChangeAt(at: number | null): void {
		this.live.setClockTextsChangeAt(at);
	}

	acknowledge(ids: number[]): Promise<number> {
		return this.live.acknowledge(ids);
	}

	release(target: ReleaseTarget): Promise<ReleaseResult> {
		return this.live.release(target);
	}

	send(request: SendRequest): Promise<SendResult> {
		return this.live.send(request);
	}

	markShown(ids: number[]): Promise<void> {
		return this.live.markShown(ids);
	}

	/** Local readings hold whole payloads. */
	payload(id: number): Promise<{value: JsonValue; cut: boolean}> {
		const reading = this.live.getState().reading;
		const {alerts, unread, lifecycle} = reading?.snapshot ?? {alerts: [], unread: [], lifecycle: []};
		const message = [...alerts, ...unread, ...lifecycle].find(row => row.id === id);
		return message
			? Promise.resolve({value: message.payload, cut: false})
			: Promise.reject(new Error(`message #${id} is no longer in the reading`));
	}

	exactReading(): Promise<Reading> {
		return this.live.exactReading();
	}

	countsNote(): string {
		return this.live.countsNote();
	}
}

/** A fleet of this machine's bus alone: the dashboard without remotes, and the tests. */
export function localFleet(live: LiveBus, readOnly: boolean): Fleet {
	return new Fleet([new LocalMachine(live, readOnly)]);
}
