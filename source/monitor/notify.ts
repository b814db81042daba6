import os from 'node:os';
import {type NotifyCommand, NotifierProcesses, type NotifierOutcome} from '../processes/notifier.js';
import {
	type Known,
	type NotifyEvent,
	type NotifyItem,
	type NotifyKind,
	coalesce,
	detectEvents,
	eventEnvironment,
	eventJson,
} from './notify-events.js';
import type {Reading} from './monitor.js';

/**
 * Notifications while the live dashboard runs: each reading is compared with the last
 * of its machine (notify-events.ts); what is new goes to the notifiers, at most one
 * notification per kind per `gapMs`, what comes in between coalesced into the next.
 * Nothing there at a machine's first reading is news: the live loop marks its own first
 * reading, and a link to another machine the first reading of the bus its hello names (a
 * reconnect to the same bus is not a first: what arrived meanwhile is news).
 * Notifiers never hold up a reading: the command runs on its own, and what goes wrong
 * with it is reported to the listeners (the status bar).
 */

/** How the live loop (or a link) describes a reading it hands over. */
export type ReadingContext = {
	/** The machine's first reading (at start, or of a bus newly named): it sets what is known, and notifies nothing. */
	first: boolean;
	/** Whose reading: a remote's name (default: this machine, by its hostname). */
	machine?: string;
};

export type Notifier = {notify: (event: NotifyEvent) => void; stop?: () => void};

export type NotifyReport = {text: string; tone: 'bad' | 'normal'};

export type NotificationsOptions = {gapMs?: number; now?: () => number; machine?: string};

type Slot = {lastAt: number; pending: NotifyItem[]; timer: NodeJS.Timeout | null};

export const NOTIFY_GAP_MS = 10_000;

export class Notifications {
	private readonly notifiers: Notifier[] = [];
	private readonly listeners = new Set<(report: NotifyReport) => void>();
	private readonly known = new Map<string, Known>();
	private readonly slots = new Map<NotifyKind, Slot>();
	private readonly gapMs: number;
	private readonly now: () => number;
	private readonly machine: string;

	constructor(options: NotificationsOptions = {}) {
		this.gapMs = options.gapMs ?? NOTIFY_GAP_MS;
		this.now = options.now ?? Date.now;
		this.machine = options.machine ?? os.hostname();
	}

	add(notifier: Notifier): this {
		this.notifiers.push(notifier);
		return this;
	}

	/** The live loop's hook: compares the reading with the last of its machine and notifies what is new. */
	readonly observe = (reading: Reading, context: ReadingContext): void => {
		const machine = context.machine ?? this.machine;
		// Kept apart from any remote, whatever it is named.
		const key = context.machine === undefined ? '' : `remote:${context.machine}`;
		const {known, items} = detectEvents(context.first ? null : (this.known.get(key) ?? null), reading.analysis, machine);
		this.known.set(key, known);
		for (const kind of new Set(items.map(item => item.kind)))
			this.push(
				kind,
				items.filter(item => item.kind === kind),
			);
	};

	private push(kind: NotifyKind, items: NotifyItem[]): void {
		let slot = this.slots.get(kind);
		if (!slot) this.slots.set(kind, (slot = {lastAt: -Infinity, pending: [], timer: null}));
		slot.pending.push(...items);
		const wait = slot.lastAt + this.gapMs - this.now();
		if (wait <= 0) this.flush(kind);
		else if (slot.timer === null) {
			slot.timer = setTimeout(() => this.flush(kind), wait);
			slot.timer.unref();
		}
	}

	private flush(kind: NotifyKind): void {
		const slot = this.slots.get(kind);
		if (!slot) return;
		if (slot.timer !== null) clearTimeout(slot.timer);
		slot.timer = null;
		if (slot.pending.length === 0) return;
		const event = coalesce(kind, slot.pending);
		slot.pending = [];
		slot.lastAt = this.now();
		for (const notifier of this.notifiers) {
			try {
				notifier.notify(event);
			} catch (error) {
				this.report({text: `Notifier failed: ${(error as Error).message}`, tone: 'bad'});
			}
		}
	}

	subscribe(listener: (report: NotifyReport) => void): () => void {
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
		};
	}

	report(report: NotifyReport): void {
		for (const listener of this.listeners) listener(report);
	}

	/** Drops what is held back and ends every notifier still running. */
	stop(): void {
		for (const slot of this.slots.values()) if (slot.timer !== null) clearTimeout(slot.timer);
		this.slots.clear();
		for (const notifier of this.notifiers) notifier.stop?.();
	}
}

/** The terminal bell, for new critical alerts only (`--bell`). */
export function bellNotifier(ring: () => void): Notifier {
	return {notify: event => (event.kind === 'critical-alert' ? ring() : undefined)};
}

/** What went wrong with a notifier run, in a sentence; null when it went well. */
export function outcomeReport(outcome: NotifierOutcome, timeoutMs: number): NotifyReport | null {
	switch (outcome.status) {
		case 'killed':
			return {text: `Notifier killed after ${timeoutMs / 1000} s: it did not finish`, tone: 'bad'};
		case 'not-started':
			return {text: `Notifier could not start: ${outcome.error}`, tone: 'bad'};
		case 'done':
			if (outcome.signal !== null) return {text: `Notifier ended by ${outcome.signal}`, tone: 'bad'};
			return outcome.code === 0 ? null : {text: `Notifier exited with code ${outcome.code}`, tone: 'bad'};
	}
}

/** The user's command (`--notify`, config `notify`), run for each event; what goes wrong is reported. */
export function commandNotifier(
	command: NotifyCommand,
	report: (report: NotifyReport) => void,
	processes = new NotifierProcesses(),
): Notifier {
	return {
		notify: event => {
			void processes.run(command, {env: eventEnvironment(event), stdin: eventJson(event)}).then(outcome => {
				const said = outcomeReport(outcome, processes.timeoutMs);
				if (said) report(said);
			});
		},
		stop: () => processes.stopAll(),
	};
}

/** The notifications the settings ask for (`--bell`, `--notify`), or null when none. */
export function notificationsFor(
	config: {bell: boolean; notify: NotifyCommand | null},
	ring: () => void,
	options: NotificationsOptions = {},
): Notifications | null {
	if (!config.bell && config.notify === null) return null;
	const notifications = new Notifications(options);
	if (config.bell) notifications.add(bellNotifier(ring));
	if (config.notify !== null) notifications.add(commandNotifier(config.notify, report => notifications.report(report)));
	return notifications;
}
