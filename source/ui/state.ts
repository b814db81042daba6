import type {ReleaseTarget} from '../bus/delivery.js';
import type {Recipient} from '../bus/send.js';
import {TABS, type TabId} from '../tab-ids.js';
import type {AgentRef, Column, Row} from './tabs/types.js';

/**
 * The dashboard's UI state and every change to it, as a pure reducer: which tab, what is
 * selected (by key, not index), sort, filter, mode, the status-bar message. The input
 * hooks turn keys into these actions; nothing here knows about Ink.
 */

/** `machine`: the machine the rows came from (absent: the fleet's only machine). */
export type PendingAction =
	{kind: 'acknowledge-all'; groups: Array<{machine?: string; ids: number[]}>} | {kind: 'release'; target: ReleaseTarget; machine?: string};

/** What a chosen agent is for: `o` jumps to its pane, `m` writes to it. */
export type AgentPurpose = 'jump' | 'message';

/** The priorities `m` can send, in the order Tab cycles them: normal, high, critical. */
export const MESSAGE_PRIORITIES = [1, 2, 3] as const;

/** The longest message the editor takes, in characters. */
export const MESSAGE_MAX = 4000;

export type Mode =
	| {kind: 'list'}
	| {kind: 'detail'; key: string; scroll: number}
	| {kind: 'help'; scroll: number}
	| {kind: 'filter'}
	| {kind: 'confirm'; prompt: string; action: PendingAction}
	/** Which of a row's sessions (an alert naming several): a number key chooses. */
	| {kind: 'choose'; purpose: AgentPurpose; agents: AgentRef[]; machine?: string}
	/** The one-line message editor. */
	| {kind: 'compose'; to: Recipient; text: string; priority: number; machine?: string};

export type TabState = {
	selectedKey: string | null;
	/** Where the selection was, used when its row disappears. */
	index: number;
	top: number;
	filter: string;
	sortColumn: string | null;
	reverse: boolean;
};

/** The last confirmation or error; a `path` after the text is cut from its start in a narrow pane, keeping the file name. */
export type Message = {text: string; tone: 'good' | 'bad' | 'normal'; path?: string};

export type UiState = {
	tab: TabId;
	mode: Mode;
	tabs: Record<TabId, TabState>;
	showEnded: boolean;
	message: Message | null;
};

export type Motion = number | 'top' | 'bottom';

export type UiAction =
	| {type: 'switch-tab'; tab: TabId}
	| {type: 'step-tab'; delta: number}
	/** `rows`: the tab's rows as listed; `page`: how many fit on screen. */
	| {type: 'move'; motion: Motion; rows: Row[]; page: number}
	| {type: 'open'; key: string}
	| {type: 'help'}
	/** Back to the list from a detail, the help, a prompt or the filter line (the filter stays). */
	| {type: 'close'}
	| {type: 'scroll'; delta: number; max: number}
	| {type: 'filter-start'}
	| {type: 'filter-type'; text: string}
	| {type: 'filter-erase'}
	/** Clears the filter (and leaves the filter line). */
	| {type: 'filter-clear'}
	| {type: 'sort'; columns: Column[]}
	| {type: 'sort-reverse'}
	| {type: 'toggle-ended'}
	| {type: 'confirm'; prompt: string; action: PendingAction}
	| {type: 'choose'; purpose: AgentPurpose; agents: AgentRef[]; machine?: string}
	| {type: 'compose'; to: Recipient; machine?: string}
	| {type: 'compose-type'; text: string}
	| {type: 'compose-erase'}
	| {type: 'compose-priority'}
	| {type: 'say'; message: Message | null};

const EMPTY_TAB: TabState = {selectedKey: null, index: 0, top: 0, filter: '', sortColumn: null, reverse: false};

export function initialUiState(tab: TabId = 'sessions'): UiState {
	const tabs = Object.fromEntries(TABS.map(({id}) => [id, EMPTY_TAB])) as Record<TabId, TabState>;
	return {tab, mode: {kind: 'list'}, tabs, showEnded: false, message: null};
}

export function uiReducer(state: UiState, action: UiAction): UiState {
	switch (action.type) {
		case 'switch-tab':
			return {...state, tab: action.tab, mode: {kind: 'list'}};
		case 'step-tab': {
			const at = TABS.findIndex(entry => entry.id === state.tab);
			return {...state, tab: TABS[(at + action.delta + TABS.length) % TABS.length].id, mode: {kind: 'list'}};
		}
		case 'move':
			return updateTab(state, moveSelection(state.tabs[state.tab], action.rows, action.motion, action.page));
		case 'open':
			return {...state, mode: {kind: 'detail', key: action.key, scroll: 0}};
		case 'help':
			return {...state, mode: {kind: 'help', scroll: 0}};
		case 'close':
			return {...state, mode: {kind: 'list'}};
		case 'scroll': {
			const {mode} = state;
			if (mode.kind !== 'detail' && mode.kind !== 'help') return state;
			// Kept within the text, so k works at once after G.
			const scroll = Math.max(0, Math.min(action.max, Math.min(mode.scroll, action.max) + action.delta));
			return {...state, mode: {...mode, scroll}};
		}
		case 'filter-start':
			return {...state, mode: {kind: 'filter'}};
		case 'filter-type':
			return updateTab(state, {filter: state.tabs[state.tab].filter + action.text, index: 0, top: 0});
		case 'filter-erase':
			return updateTab(state, {filter: Array.from(state.tabs[state.tab].filter).slice(0, -1).join(''), index: 0, top: 0});
		case 'filter-clear':
			return {...updateTab(state, {filter: ''}), mode: {kind: 'list'}};
		case 'sort':
			return updateTab(state, cycleSort(state.tabs[state.tab], action.columns));
		case 'sort-reverse':
			return updateTab(state, {reverse: !state.tabs[state.tab].reverse});
		case 'toggle-ended':
			return {
				...state,
				showEnded: !state.showEnded,
				message: {text: state.showEnded ? 'Ended sessions hidden' : 'Ended sessions shown', tone: 'normal'},
			};
		case 'confirm':
			return {...state, mode: {kind: 'confirm', prompt: action.prompt, action: action.action}};
		case 'choose':
			return {...state, mode: {kind: 'choose', purpose: action.purpose, agents: action.agents, machine: action.machine}};
		case 'compose':
			return {...state, mode: {kind: 'compose', to: action.to, text: '', priority: MESSAGE_PRIORITIES[0], machine: action.machine}};
		case 'compose-type':
		case 'compose-erase':
		case 'compose-priority':
			return state.mode.kind === 'compose' ? {...state, mode: editMessage(state.mode, action)} : state;
		case 'say':
			return {...state, message: action.message};
	}
}

type Compose = Extract<Mode, {kind: 'compose'}>;

function editMessage(mode: Compose, action: Extract<UiAction, {type: 'compose-type' | 'compose-erase' | 'compose-priority'}>): Compose {
	if (action.type === 'compose-type')
		return {
			...mode,
			text: Array.from(mode.text + action.text)
				.slice(0, MESSAGE_MAX)
				.join(''),
		};
	if (action.type === 'compose-erase') return {...mode, text: Array.from(mode.text).slice(0, -1).join('')};
	const at = MESSAGE_PRIORITIES.indexOf(mode.priority as (typeof MESSAGE_PRIORITIES)[number]);
	return {...mode, priority: MESSAGE_PRIORITIES[(at + 1) % MESSAGE_PRIORITIES.length]};
}

export function updateTab(state: UiState, patch: Partial<TabState>): UiState {
	return {...state, tabs: {...state.tabs, [state.tab]: {...state.tabs[state.tab], ...patch}}};
}

/** Index of the selected row: found by key; if it is gone, the row now at its old place. */
export function selectedIndex(rows: Row[], state: TabState): number {
	if (rows.length === 0) return -1;
	if (state.selectedKey !== null) {
		const found = rows.findIndex(row => row.key === state.selectedKey);
		if (found >= 0) return found;
	}
	return Math.min(Math.max(0, state.index), rows.length - 1);
}

/** Scroll offset that keeps `index` inside a viewport of `page` rows. */
export function scrollTop(top: number, index: number, page: number, total: number): number {
	if (page <= 0) return 0;
	let next = Math.min(top, Math.max(0, total - page));
	if (index < next) next = index;
	if (index >= next + page) next = index - page + 1;
	return Math.max(0, next);
}

export function moveSelection(state: TabState, rows: Row[], motion: Motion, page: number): TabState {
	if (rows.length === 0) return state;
	const current = selectedIndex(rows, state);
	const target = motion === 'top' ? 0 : motion === 'bottom' ? rows.length - 1 : Math.min(rows.length - 1, Math.max(0, current + motion));
	return {...state, selectedKey: rows[target].key, index: target, top: scrollTop(state.top, target, page, rows.length)};
}

export function cycleSort(state: TabState, columns: Column[]): TabState {
	const sortable = columns.filter(column => column.sortable).map(column => column.id);
	if (sortable.length === 0) return state;
	const at = state.sortColumn === null ? -1 : sortable.indexOf(state.sortColumn);
	// After the last column comes the view's own order again.
	return {...state, sortColumn: at + 1 >= sortable.length ? null : sortable[at + 1]};
}
