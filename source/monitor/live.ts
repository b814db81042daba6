import {BusError} from '../bus/open.js';
import {DeliveryWriter, type ReleaseResult, type ReleaseTarget} from '../bus/delivery.js';
import type {SendRequest, SendResult} from '../bus/send.js';
import {formatIso} from '../bus/time.js';
import {BusMonitor, type MonitorOptions, type Reading} from './monitor.js';
import type {ReadingContext} from './notify.js';

/**
 * The live loop behind the dashboard, free of any view code. Every `pollMs` it
 * asks SQLite whether anything was committed (`PRAGMA data_version`) and whether
 * the file was replaced (its inode); only then does it read a snapshot, at most
 * once per `coalesceMs` so a busy bus cannot make the dashboard busy. Without a
 * commit, the same snapshot is judged again only when that can change something:
 * a local PID died, came back or was reused (a signal per PID every `livenessMs`),
 * a session's state changes with the clock (the analysis says when: a heartbeat
 * crossing the stale timeout turns stale on time), or, for the ages on screen
 * (minutes at the finest), once the view says one of them reads differently, at
 * most every `agesMs`. Listeners are told only then.
 */

export type LiveOptions = MonitorOptions & {
	readOnly: boolean;
	pollMs?: number;
	coalesceMs?: number;
	livenessMs?: number;
	agesMs?: number;
	/** Whole-history counts are refreshed at most this often (they scan an index). */
	countsMs?: number;
	/** Told of every reading the listeners get, the first one marked (notifications: notify.ts). */
	onReading?: (reading: Reading, context: ReadingContext) => void;
	now?: () => number;
};

/** What a live reader takes from the settings (a resolved Config holds all of it). */
export type LiveConfig = {
	dbPath: string;
	staleTimeoutMs: number;
	sessionId: string | null;
	machineUuid: string | null;
	readOnly: boolean;
	refreshMs: number;
	operator?: string;
};

/** The live reader of a configuration: how the dashboard, the tests and the benchmark make one. */
export function liveBusFor(config: LiveConfig, options: Partial<LiveOptions> = {}): LiveBus {
	const {dbPath, staleTimeoutMs, sessionId, machineUuid, readOnly, refreshMs, operator} = config;
	return new LiveBus({dbPath, staleTimeoutMs, sessionId, machineUuid, readOnly, pollMs: refreshMs, operator, ...options});
}

export type LiveState = {
	reading: Reading | null;
	/** Why the last read failed (the last good reading stays, marked out of date). */
	error: string | null;
	paused: boolean;
	/** When the data last changed on screen. */
	changedAt: number | null;
};

const COUNTS_DELAY_MS = 1000;

export type Listener = (state: LiveState) => void;

export class LiveBus {
	readonly monitor: BusMonitor;
	readonly writer: DeliveryWriter;
	private readonly options: Required<Omit<LiveOptions, 'onReading' | 'hostname' | 'reuseRows' | 'operator'>> &
		Pick<LiveOptions, 'onReading'>;
	private state: LiveState = {reading: null, error: null, paused: false, changedAt: null};
	private listeners = new Set<Listener>();
	private timer: NodeJS.Timeout | null = null;
	private busy = false;
	private forced = true;
	private lastReadAt = 0;
	private lastAnalyseAt = 0;
	private lastLivenessAt = 0;
	/** When an age on screen next reads differently (the view says; null: unknown, so every agesMs). */
	private clockTextsChangeAt: number | null = null;
	private readonly startedAt: number;
	/** When whole-history counts were last taken, and whether the bus changed since. */
	private countsTakenAt: number | null = null;
	private countsDirty = true;
	private accepted = 0;
	private delivered = new Set<number>();

	constructor(options: LiveOptions) {
		this.options = {
			pollMs: 100,
			coalesceMs: 400,
			livenessMs: 5000,
			agesMs: 15_000,
			countsMs: 60_000,
			now: Date.now,
			...options,
		};
		this.startedAt = this.options.now();
		this.monitor = new BusMonitor(options);
		this.writer = new DeliveryWriter(options.dbPath, {readOnly: options.readOnly});
	}

	getState(): LiveState {
		return this.state;
	}

	subscribe(listener: Listener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private set(patch: Partial<LiveState>): void {
		this.state = {...this.state, ...patch};
		for (const listener of this.listeners) listener(this.state);
	}

	start(): void {
		if (this.timer) return;
		void this.tick();
		this.timer = setInterval(() => void this.tick(), this.options.pollMs);
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		this.writer.close();
		this.monitor.close();
	}

	setPaused(paused: boolean): void {
		this.set({paused});
		if (!paused) this.forced = true;
	}

	refreshNow(): void {
		this.forced = true;
		void this.tick();
	}

	/** One step of the loop; public for tests and the benchmark. */
	async tick(): Promise<void> {
		if (this.busy || this.state.paused) return;
		this.busy = true;
		const now = this.options.now();
		try {
			const changed = this.forced || this.state.error !== null || this.monitor.hasChanged();
			if (changed) this.countsDirty = true;
			// Whole-history counts scan an index (~0.1 s on a million messages): not before
			// the first frame, then at most every countsMs, and only when the bus changed.
			const countsDue =
				this.countsDirty &&
				(this.countsTakenAt === null ? now - this.startedAt >= COUNTS_DELAY_MS : now - this.countsTakenAt >= this.options.countsMs);
			if ((changed && (this.forced || now - this.lastReadAt >= this.options.coalesceMs)) || countsDue) {
				this.forced = false;
				const reading = await this.monitor.read({countHistory: countsDue, now});
				if (countsDue) {
					this.countsTakenAt = now;
					this.countsDirty = false;
				}
				this.lastReadAt = now;
				this.lastAnalyseAt = now;
				this.lastLivenessAt = now;
				this.accept(reading, now);
			} else if (this.state.reading && (await this.judgementDue(this.state.reading, now))) {
				this.lastAnalyseAt = now;
				this.lastLivenessAt = now;
				const analysis = await this.monitor.analyse(this.state.reading.snapshot, now);
				this.accept({snapshot: this.state.reading.snapshot, analysis}, now);
			}
		} catch (error) {
			const message = error instanceof BusError ? error.message : `Read failed: ${(error as Error).message}`;
			// Keep the last good reading on screen, marked out of date; try again next tick.
			this.monitor.close();
			if (message !== this.state.error) this.set({error: message});
		} finally {
			this.busy = false;
		}
	}

	/** The view's word on when its clock-driven texts (ages, countdowns) next change. */
	setClockTextsChangeAt(at: number | null): void {
		this.clockTextsChangeAt = at;
	}

	/** Whether judging the same snapshot again would change anything (see the class comment). */
	private async judgementDue({snapshot, analysis}: Reading, now: number): Promise<boolean> {
		if (now - this.lastAnalyseAt >= this.options.agesMs && (this.clockTextsChangeAt === null || now >= this.clockTextsChangeAt))
			return true;
		if (analysis.nextStateChangeAt !== null && now >= analysis.nextStateChangeAt) return true;
		if (now - this.lastLivenessAt < this.options.livenessMs) return false;
		this.lastLivenessAt = now;
		return this.monitor.livenessChanged(snapshot);
	}

	private accept(reading: Reading, now: number): void {
		this.options.onReading?.(reading, {first: this.accepted++ === 0});
		this.set({reading, error: null, changedAt: now});
	}

	/** Messages the views have displayed: pending -> delivered, once each, never while paused. */
	async markShown(ids: number[]): Promise<void> {
		if (this.writer.readOnly || this.state.paused) return;
		const fresh = ids.filter(id => !this.delivered.has(id));
		if (fresh.length === 0) return;
		for (const id of fresh) this.delivered.add(id);
		try {
			await this.writer.markDelivered(fresh);
		} catch {
			// Shown again on the next frame, and retried then.
			for (const id of fresh) this.delivered.delete(id);
		}
	}

	async acknowledge(ids: number[]): Promise<number> {
		const changed = await this.writer.acknowledge(ids);
		this.refreshNow();
		return changed;
	}

	/** The operator's message to an agent (`m`). */
	async send(request: SendRequest): Promise<SendResult> {
		const result = await this.writer.send(request);
		this.refreshNow();
		return result;
	}

	async release(target: ReleaseTarget): Promise<ReleaseResult> {
		const result = await this.writer.release(target);
		this.refreshNow();
		return result;
	}

	/** A reading with exact whole-history counts, for the log entry. */
	async exactReading(): Promise<Reading> {
		const reading = await this.monitor.read({countHistory: true, now: this.options.now()});
		this.countsTakenAt = this.options.now();
		this.countsDirty = false;
		this.accept(reading, this.options.now());
		return reading;
	}

	countsNote(): string {
		const counts = this.state.reading?.snapshot.counts;
		return counts
			? `History counts from ${formatIso(counts.countedAt).slice(11, 19)} UTC (refreshed every ${Math.round(this.options.countsMs / 1000)} s when the bus changes)`
			: 'History counts not taken yet';
	}
}
