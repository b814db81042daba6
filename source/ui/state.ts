import type {Column, Row, TabId, TabView} from './views.js';
import {TABS, wrapRows} from './views.js';

/** Pure UI state: which tab, what is selected (by key, not index), sort, filter, mode. */

export type PendingAction = {kind: 'acknowledge-all'; ids: number[]} | {kind: 'release'; row: Row};

export type Mode =
	| {kind: 'list'}
	| {kind: 'detail'; key: string; scroll: number}
	| {kind: 'help'; scroll: number}
	| {kind: 'filter'}
	| {kind: 'confirm'; prompt: string; action: PendingAction};

export type TabState = {
	selectedKey: string | null;
	/** Where the selection was, used when its row disappears. */
	index: number;
	top: number;
	filter: string;
	sortColumn: string | null;
	reverse: boolean;
};

export type UiState = {
	tab: TabId;
	mode: Mode;
	tabs: Record<TabId, TabState>;
	showEnded: boolean;
};

export function initialUiState(tab: TabId = 'sessions'): UiState {
	const tabs = Object.fromEntries(
		TABS.map(({id}) => [id, {selectedKey: null, index: 0, top: 0, filter: '', sortColumn: null, reverse: false}]),
	) as Record<TabId, TabState>;
	return {tab, mode: {kind: 'list'}, tabs, showEnded: false};
}

// One collator for every sort: localeCompare with options makes a new one at each call,
// which took 0.5 s to sort the 5,000 locks of a large bus by path.
let collator: Intl.Collator | null = null;

function compare(a: string | number | undefined, b: string | number | undefined): number {
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	collator ??= new Intl.Collator(undefined, {numeric: true, sensitivity: 'base'});
	return collator.compare(String(a ?? ''), String(b ?? ''));
}

/** The rows a tab shows: filtered (case-insensitive substring of the row's text), then sorted. */
export function visibleRows(view: TabView, state: TabState): Row[] {
	const needle = state.filter.toLowerCase();
	const rows = needle === '' ? view.rows : view.rows.filter(row => row.search.toLowerCase().includes(needle));
	if (state.sortColumn === null) return state.reverse ? [...rows].reverse() : rows;
	const column = state.sortColumn;
	const sorted = [...rows].sort((a, b) => compare(a.sort[column], b.sort[column]));
	return state.reverse ? sorted.reverse() : sorted;
}

export type Screen = {
	/** The tab's rows as listed (filtered, sorted; Stats wrapped to the width). */
	visible: Row[];
	selected: number;
	/** The first row on screen, and how many fit. */
	top: number;
	page: number;
	header: string[];
	filterLine: boolean;
};

/**
 * Where a view's rows go in a terminal of `columns` x `rows`: the frame draws this, and
 * the dashboard compares it to tell whether a new reading changes anything on screen.
 */
export function screenOf(view: TabView | null, state: TabState, mode: Mode, columns: number, rows: number): Screen {
	const listed = view ? visibleRows(view, state) : [];
	// Stats and observations are sentences: wrapped to the width rather than cut.
	const visible = view?.id === 'stats' ? wrapRows(listed, 'text', columns) : listed;
	const selected = selectedIndex(visible, state);
	// Frame: tab bar, [header lines], column header, rows, [filter line], status bar; at most rows - 1 tall (ink clears the screen otherwise).
	const height = Math.max(1, rows - 1);
	const header = view?.header ?? [];
	const filterLine = mode.kind === 'filter' || state.filter !== '';
	const page = Math.max(1, height - 3 - header.length - Number(filterLine));
	return {visible, selected, top: scrollTop(state.top, Math.max(0, selected), page, visible.length), page, header, filterLine};
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

export type Motion = number | 'top' | 'bottom';

export function moveSelection(state: TabState, rows: Row[], motion: Motion, page: number): TabState {
	if (rows.length === 0) return state;
	const current = selectedIndex(rows, state);
	const target = motion === 'top' ? 0 : motion === 'bottom' ? rows.length - 1 : Math.min(rows.length - 1, Math.max(0, current + motion));
	return {...state, selectedKey: rows[target]!.key, index: target, top: scrollTop(state.top, target, page, rows.length)};
}

export function cycleSort(state: TabState, columns: Column[]): TabState {
	const sortable = columns.filter(column => column.sortable).map(column => column.id);
	if (sortable.length === 0) return state;
	const at = state.sortColumn === null ? -1 : sortable.indexOf(state.sortColumn);
	// After the last column comes the view's own order again.
	const next = at + 1 >= sortable.length ? null : sortable[at + 1]!;
	return {...state, sortColumn: next};
}

export function switchTab(state: UiState, tab: TabId): UiState {
	return {...state, tab, mode: {kind: 'list'}};
}

export function stepTab(state: UiState, delta: number): UiState {
	const at = TABS.findIndex(entry => entry.id === state.tab);
	const next = TABS[(at + delta + TABS.length) % TABS.length]!.id;
	return switchTab(state, next);
}

export function updateTab(state: UiState, patch: Partial<TabState>): UiState {
	return {...state, tabs: {...state.tabs, [state.tab]: {...state.tabs[state.tab], ...patch}}};
}
