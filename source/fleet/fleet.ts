import type {FleetState, MachineSource, MachineState} from './types.js';

/**
 * Several machines' buses as one: the local bus and each remote, in the order named. It
 * merges nothing itself: the views build each machine's rows from its own reading and
 * key them by machine; requests go to the machine a row came from.
 */
export class Fleet {
	private state: FleetState;
	private readonly listeners = new Set<(state: FleetState) => void>();
	private readonly unsubscribe: Array<() => void> = [];
	private started = false;

	constructor(readonly sources: MachineSource[]) {
		const names = new Set<string>();
		for (const source of sources) {
			if (names.has(source.name)) throw new Error(`two machines are named ${JSON.stringify(source.name)}: names must be unique`);
			names.add(source.name);
		}
		this.state = {machines: sources.map(source => source.getState()), paused: false};
	}

	getState(): FleetState {
		return this.state;
	}

	/** More than one machine: the views show a MACHINE column. */
	get multiple(): boolean {
		return this.sources.length > 1;
	}

	machine(name: string): MachineSource | undefined {
		return this.sources.find(source => source.name === name);
	}

	/** The local bus's source, when the fleet has one. */
	get local(): MachineSource | undefined {
		return this.sources.find(source => source.getState().local);
	}

	subscribe(listener: (state: FleetState) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private changed(): void {
		const machines = this.sources.map(source => source.getState());
		if (machines.every((machine, index) => machine === this.state.machines[index])) return;
		this.state = {...this.state, machines};
		for (const listener of this.listeners) listener(this.state);
	}

	start(): void {
		if (this.started) return;
		this.started = true;
		for (const source of this.sources) {
			this.unsubscribe.push(source.subscribe(() => this.changed()));
			source.start();
		}
		this.changed();
	}

	stop(): void {
		this.started = false;
		for (const off of this.unsubscribe.splice(0)) off();
		for (const source of this.sources) source.stop();
	}

	refreshNow(): void {
		for (const source of this.sources) source.refreshNow();
	}

	/** `r`: read every machine again, and connect again to every link that is down. */
	retry(): void {
		for (const source of this.sources) source.retry();
	}

	setPaused(paused: boolean): void {
		for (const source of this.sources) source.setPaused(paused);
		this.state = {...this.state, paused};
		for (const listener of this.listeners) listener(this.state);
	}

	listEnded(count: number): void {
		for (const source of this.sources) source.listEnded(count);
	}

	setClockTextsChangeAt(at: number | null): void {
		for (const source of this.sources) source.setClockTextsChangeAt(at);
	}
}

export type {FleetState, MachineSource, MachineState};
