import type {Analysis} from '../analysis/analyze.js';
import type {BusSnapshot} from '../bus/types.js';
import type {MachineState} from '../fleet/types.js';
import {escapeControls} from '../text/sanitize.js';
import type {ValueFormat} from './format.js';

/**
 * The machines of a printed run (`--once`, a section, `--json`, the log entry): each with
 * its reading, or why it has none. With the local bus alone the printed forms are those
 * of one bus; with more than one machine each machine is its own part, the local one first.
 */

export type MachineReadState = 'local' | 'live' | 'unreachable' | 'duplicate';

export type PrintedMachine = {
	/** The machine's key: `local`, or the remote's name. */
	name: string;
	hostname: string | null;
	machineUuid: string | null;
	state: MachineReadState;
	/** Why it could not be read (unreachable), or which machine reads the same bus (duplicate). */
	error: string | null;
	/** Its reading, with the analysis in that machine's own clock; null when not read. */
	reading: {snapshot: BusSnapshot; analysis: Analysis} | null;
	/** Sentences about what this run did on that machine, added to its Observations. */
	notes: string[];
};

export type ReadMachine = PrintedMachine & {reading: NonNullable<PrintedMachine['reading']>};

/** `build (build-box.example)`: a machine's name, and its hostname when that says more. */
export function machineTitle(machine: Pick<PrintedMachine, 'name' | 'hostname'>, f: ValueFormat): string {
	const host = machine.hostname !== null && machine.hostname !== machine.name ? ` (${f.text(escapeControls(machine.hostname))})` : '';
	return `${f.text(machine.name)}${host}`;
}

/** Why a machine shows nothing, in plain words; null when it was read. */
export function machineProblem(machine: PrintedMachine): string | null {
	if (machine.reading !== null) return null;
	if (machine.state === 'duplicate') return `the same bus as ${machine.error ?? 'another machine'}, shown once`;
	return `could not be read: ${escapeControls(machine.error ?? 'no reading')}`;
}

/** A line per machine not read, and a last line when no machine at all could be read. */
export function problemLines(machines: PrintedMachine[], f: ValueFormat): string[] {
	const lines: string[] = [];
	for (const machine of machines) {
		const problem = machineProblem(machine);
		if (problem !== null) lines.push(`${f.text(machine.name)}: ${f.text(problem)}`);
	}
	if (!machines.some(machine => machine.reading !== null)) lines.push('No machine could be read.');
	return lines;
}

/** The printed forms of one bus, unchanged, when the run reads the local bus alone. */
export function localOnly(machines: PrintedMachine[]): boolean {
	return machines.length === 1 && machines[0]?.state === 'local';
}

/**
 * A fleet machine as the printed forms take it: read when its link is live with a reading
 * (or it is the local bus and was read); a lost link's last reading is not current, so it is left out.
 */
export function printedMachine(machine: MachineState, notes: string[] = []): PrintedMachine {
	const {name, hostname, machineUuid, link, reading} = machine;
	const base = {name, hostname, machineUuid, notes};
	if (link.kind === 'duplicate') return {...base, state: 'duplicate', error: link.of, reading: null};
	if (link.kind === 'local' && reading) return {...base, state: 'local', error: null, reading};
	if (link.kind === 'live' && reading) return {...base, state: 'live', error: null, reading};
	const why =
		link.kind === 'failed' || link.kind === 'reconnecting'
			? link.why
			: (machine.error ?? (link.kind === 'connecting' ? 'not connected yet' : 'no reading'));
	return {...base, state: 'unreachable', error: why, reading: null};
}
