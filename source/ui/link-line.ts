import type {LinkState, MachineState} from '../fleet/types.js';
import {fit, stringWidth} from '../text/fit.js';
import type {Tone} from './tabs/types.js';

/**
 * The line above the status bar when the fleet has remotes: each remote's link in words a
 * person can act on, summarised when the pane is too narrow for them all. Why a link is
 * down comes from the remote's side (its transport's stderr): fitted, never shown whole.
 */

const WHY_WIDTH = 48;

/** At most `width` cells, never padded. */
const cut = (text: string, width: number) => (stringWidth(text) <= width ? text : fit(text, width));
const why = (text: string) => cut(text.split('\n')[0].trim(), WHY_WIDTH);

/** One link in words: `gpu: reconnecting in 4 s (connection refused)`. */
export function linkWords(link: LinkState, now: number): string {
	switch (link.kind) {
		case 'local':
			return 'this machine';
		case 'live':
			return 'live';
		case 'connecting':
			return 'connecting';
		case 'reconnecting':
			return `reconnecting in ${Math.max(0, Math.ceil((link.at - now) / 1000))} s (${why(link.why)})`;
		case 'failed':
			return `failed: ${why(link.why)} (r retries)`;
		case 'duplicate':
			return `same bus as ${link.of}`;
	}
}

export type LinkLine = {text: string; tone: Tone};

/** The remotes' links in `columns` cells; null when the fleet has no remote. */
export function linkLine(machines: readonly MachineState[], columns: number, now: number): LinkLine | null {
	const remotes = machines.filter(machine => !machine.local);
	if (remotes.length === 0) return null;
	const kinds = new Set(remotes.map(machine => machine.link.kind));
	const tone: Tone = kinds.has('failed') ? 'bad' : kinds.has('reconnecting') || kinds.has('connecting') ? 'warn' : 'muted';
	const readOnly = (machine: MachineState) => (machine.readOnly && machine.link.kind === 'live' ? ' (read-only)' : '');
	const full = remotes.map(machine => `${cut(machine.name, 24)}: ${linkWords(machine.link, now)}${readOnly(machine)}`).join(' · ');
	if (stringWidth(full) <= columns) return {text: full, tone};
	// Narrow: the live and connecting ones counted, the others named.
	const count = (kind: LinkState['kind'], word: string) => {
		const n = remotes.filter(machine => machine.link.kind === kind).length;
		return n > 0 ? [`${n} ${word}`] : [];
	};
	const named = (kind: LinkState['kind'], word: string, after = '') => {
		const names = remotes.filter(machine => machine.link.kind === kind).map(machine => cut(machine.name, 16));
		return names.length > 0 ? [`${names.length} ${word}: ${names.join(' ')}${after}`] : [];
	};
	const summary = [
		...count('live', 'live'),
		...count('connecting', 'connecting'),
		...named('failed', 'failed', ' (r retries)'),
		...named('reconnecting', 'reconnecting'),
		...named('duplicate', 'duplicate'),
	].join(', ');
	return {text: cut(summary, columns), tone};
}

/** When the line next reads differently with the clock alone: a reconnecting link's countdown, each second. */
export function linkLineChangesAt(machines: readonly MachineState[], now: number): number {
	const counting = machines.some(machine => machine.link.kind === 'reconnecting' && machine.link.at > now);
	return counting ? now + 1000 - (now % 1000) : Infinity;
}
