import type {ReleaseResult, ReleaseTarget} from '../bus/delivery.js';
import type {SendRequest, SendResult} from '../bus/send.js';
import type {JsonValue} from '../bus/types.js';
import type {Reading} from '../monitor/monitor.js';

/**
 * One machine of a fleet as the views see it: the local bus, or a remote read by its own
 * `session-status serve`. Every row, selection and request is keyed by the machine's name.
 */

/** This machine's name in a fleet: no remote may take it. */
export const LOCAL_NAME = 'local';

/** A machine's link, in words a person can act on. Only `reconnecting` retries on its own; `failed` waits for `r`. */
export type LinkState =
	| {kind: 'local'}
	| {kind: 'connecting'}
	| {kind: 'live'}
	| {kind: 'reconnecting'; at: number; why: string}
	| {kind: 'failed'; why: string}
	/** The same bus as another machine of the fleet (same hostname and database path): not merged twice. */
	| {kind: 'duplicate'; of: string};

export type MachineState = {
	/** Unique in the fleet: `local`, or the remote's name. */
	name: string;
	local: boolean;
	link: LinkState;
	/** From the remote's hello (this machine's own for the local bus); null until known. */
	hostname: string | null;
	machineUuid: string | null;
	/** The last good reading: its analysis is in the machine's own clock (see clockOffsetMs). Kept when the link or bus fails. */
	reading: Reading | null;
	/** Local clock minus the machine's clock (0 for the local bus): a reading's times plus this are local times. */
	clockOffsetMs: number;
	/** When the reading last arrived, by the local clock; the rows of a lost link are marked with it. */
	readAt: number | null;
	/** Why the machine's bus could not be read (the last reading stays, out of date), or null. */
	error: string | null;
	/** Writes are refused on this machine (--read-only locally, or the remote serves read-only). */
	readOnly: boolean;
	/** When this machine's data last changed, by the local clock. */
	changedAt: number | null;
};

/** The merged fleet: its machines in the order named (the local bus first). */
export type FleetState = {machines: MachineState[]; paused: boolean};

/** What the fleet asks of each machine: the local LiveBus and a remote link both provide it. */
export interface MachineSource {
	readonly name: string;
	getState(): MachineState;
	subscribe(listener: () => void): () => void;
	start(): void;
	stop(): void;
	refreshNow(): void;
	/** Connect again now (a failed or reconnecting link); the local bus reads again. */
	retry(): void;
	setPaused(paused: boolean): void;
	/** Ended sessions to list, newest first (0: none). */
	listEnded(count: number): void;
	/** When a time on screen next reads differently (local clock; null: unknown). */
	setClockTextsChangeAt(at: number | null): void;
	acknowledge(ids: number[]): Promise<number>;
	release(target: ReleaseTarget): Promise<ReleaseResult>;
	send(request: SendRequest): Promise<SendResult>;
	markShown(ids: number[]): Promise<void>;
	/** A message's whole payload (a remote's readings carry bounded previews); `cut`: bounded all the same (WHOLE_PAYLOAD_BOUNDS). */
	payload(id: number): Promise<{value: JsonValue; cut: boolean}>;
	/** A reading with exact whole-history counts (the log entry). */
	exactReading(): Promise<Reading>;
	countsNote(): string;
}
