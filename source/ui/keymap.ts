import type {Key} from 'ink';
import {TABS, type TabId} from '../tab-ids.js';

/**
 * The one table of keys: input handling looks commands up here, and the `?`
 * overlay lists it. A command that writes to the bus says so (refused under
 * --read-only).
 */

export type Command =
	| `tab-${TabId}`
	| 'quit'
	| 'help'
	| 'tab-next'
	| 'tab-prev'
	| 'down'
	| 'up'
	| 'page-down'
	| 'page-up'
	| 'top'
	| 'bottom'
	| 'open'
	| 'back'
	| 'filter'
	| 'sort'
	| 'sort-reverse'
	| 'toggle-ended'
	| 'acknowledge'
	| 'acknowledge-all'
	| 'log'
	| 'release'
	| 'copy'
	| 'jump'
	| 'message'
	| 'refresh'
	| 'pause';

type KeyName = 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'tab';

/** One way to press a command: a character, or a named key, with modifiers. */
export type KeyChord = {input?: string; key?: KeyName; ctrl?: boolean; shift?: boolean};

export type Binding = {
	command: Command;
	chords: KeyChord[];
	/** How the help overlay writes the keys. */
	label: string;
	description: string;
	writes?: boolean;
	section: 'Views' | 'Move' | 'Act' | 'App';
};

/** The number keys, one per tab, in the tab bar's order. */
const TAB_BINDINGS: Binding[] = TABS.map(({id, title}, index) => ({
	command: `tab-${id}` as const,
	chords: [{input: String(index + 1)}],
	label: String(index + 1),
	description: title,
	section: 'Views' as const,
}));

export const KEYMAP: Binding[] = [
	...TAB_BINDINGS,
	{command: 'tab-next', chords: [{key: 'tab', shift: false}, {input: ']'}], label: 'Tab ]', description: 'next view', section: 'Views'},
	{
		command: 'tab-prev',
		chords: [{key: 'tab', shift: true}, {input: '['}],
		label: 'S-Tab [',
		description: 'previous view',
		section: 'Views',
	},
	{command: 'down', chords: [{input: 'j'}, {key: 'downArrow'}], label: 'j ↓', description: 'move down', section: 'Move'},
	{command: 'up', chords: [{input: 'k'}, {key: 'upArrow'}], label: 'k ↑', description: 'move up', section: 'Move'},
	{command: 'page-down', chords: [{key: 'pageDown'}, {input: 'd', ctrl: true}], label: 'PgDn', description: 'page down', section: 'Move'},
	{command: 'page-up', chords: [{key: 'pageUp'}, {input: 'u', ctrl: true}], label: 'PgUp', description: 'page up', section: 'Move'},
	{command: 'top', chords: [{input: 'g'}, {key: 'home'}], label: 'g Home', description: 'first row', section: 'Move'},
	{command: 'bottom', chords: [{input: 'G'}, {key: 'end'}], label: 'G End', description: 'last row', section: 'Move'},
	{command: 'open', chords: [{key: 'return'}], label: 'Enter', description: 'open the detail', section: 'Move'},
	{command: 'back', chords: [{key: 'escape'}], label: 'Esc', description: 'back / clear the filter', section: 'Move'},
	{command: 'filter', chords: [{input: '/'}], label: '/', description: 'filter this view', section: 'Move'},
	{command: 'sort', chords: [{input: 's'}], label: 's', description: 'sort by the next column', section: 'Move'},
	{command: 'sort-reverse', chords: [{input: 'S'}], label: 'S', description: 'reverse the sort', section: 'Move'},
	{command: 'toggle-ended', chords: [{input: 'e'}], label: 'e', description: 'show or hide ended sessions', section: 'Move'},
	{
		command: 'acknowledge',
		chords: [{input: 'a'}],
		label: 'a',
		description: 'acknowledge the selected alert (or your own mail)',
		writes: true,
		section: 'Act',
	},
	{
		command: 'acknowledge-all',
		chords: [{input: 'A'}],
		label: 'A',
		description: 'acknowledge every alert in this view',
		writes: true,
		section: 'Act',
	},
	{
		command: 'release',
		chords: [{input: 'x'}],
		label: 'x',
		description: 'release a dead or stale session, lock or claim',
		writes: true,
		section: 'Act',
	},
	{command: 'jump', chords: [{input: 'o'}], label: 'o', description: "jump to the agent's tmux pane", section: 'Act'},
	{
		command: 'message',
		chords: [{input: 'm'}],
		label: 'm',
		description: 'message the agent (in Unread: reply to the sender)',
		writes: true,
		section: 'Act',
	},
	{command: 'log', chords: [{input: 'L'}], label: 'L', description: 'write a session-log entry', section: 'Act'},
	{command: 'copy', chords: [{input: 'y'}], label: 'y', description: 'copy the id or path (OSC 52)', section: 'Act'},
	{
		command: 'refresh',
		chords: [{input: 'r'}],
		label: 'r',
		description: 'refresh now, and connect again to links that are down',
		section: 'App',
	},
	{command: 'pause', chords: [{input: 'p'}], label: 'p', description: 'pause or resume', section: 'App'},
	{command: 'help', chords: [{input: '?'}], label: '?', description: 'this help', section: 'App'},
	{command: 'quit', chords: [{input: 'q'}, {input: 'c', ctrl: true}], label: 'q C-c', description: 'quit', section: 'App'},
];

/** The marks the views use, explained in the help after the keys. */
export const MARKS: Array<{label: string; description: string}> = [
	{label: '▶', description: 'the current session (first in Sessions)'},
	{
		label: '!',
		description:
			"after a tab's count: it holds something that needs you. In Sessions those come next, in this order: dead or PID reused holding locks or claims; stale holding them; in an open critical alert; late heartbeat; with mail for you (s sorts by a column instead)",
	},
];

function matches(chord: KeyChord, input: string, key: Key): boolean {
	if (Boolean(chord.ctrl) !== key.ctrl) return false;
	if (chord.key !== undefined) return key[chord.key] && (chord.shift === undefined || chord.shift === key.shift);
	return input === chord.input;
}

export function commandFor(input: string, key: Key): Command | null {
	for (const binding of KEYMAP) {
		if (binding.chords.some(chord => matches(chord, input, key))) return binding.command;
	}
	return null;
}

export type TabCommand = `tab-${TabId}`;

export function isTabCommand(command: Command): command is TabCommand {
	return TABS.some(({id}) => command === `tab-${id}`);
}

/** The tab a `tab-<id>` command switches to. */
export function tabOfCommand(command: TabCommand): TabId {
	return command.slice('tab-'.length) as TabId;
}

export function binding(command: Command): Binding {
	return KEYMAP.find(entry => entry.command === command)!;
}
