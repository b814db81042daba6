import {wrapText} from '../text/fit.js';
import {type Layout, layoutColumns} from './columns.js';
import {type Mode, type TabState, scrollTop, selectedIndex} from './state.js';
import type {Row, TabView} from './tabs/types.js';

/** Where a tab's rows go in a terminal of a given size: pure, so the frame and the redraw check agree. */

// One collator for every sort: localeCompare with options makes one per call.
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

/** Rows whose one cell is a sentence, wrapped to `width` (continuation rows indented under the text). */
export function wrapRows(rows: Row[], cell: string, width: number): Row[] {
	return rows.flatMap(row => {
		const text = row.cells[cell] ?? '';
		const indent = ' '.repeat(Math.min(8, text.length - text.trimStart().length + 2));
		return wrapText(text, width, indent).map((line, index) =>
			index === 0
				? {...row, cells: {...row.cells, [cell]: line}}
				: {...row, key: `${row.key}:${index}`, cells: {...row.cells, [cell]: line}},
		);
	});
}

export type Screen = {
	/** A table's columns in this width (a text tab's one column). */
	layout: Layout;
	/** Lines a row takes: 2 when some of what it is about goes on a second line. */
	rowHeight: number;
	/** The tab's rows as listed (filtered, sorted; a text tab's sentences wrapped to the width). */
	visible: Row[];
	/** The selected row's index in `visible` (-1: none); a text tab scrolls by it but does not highlight it. */
	selected: number;
	/** The first row on screen, and how many fit. */
	top: number;
	page: number;
	header: string[];
	filterLine: boolean;
};

export function screenOf(view: TabView | null, state: TabState, mode: Mode, columns: number, rows: number): Screen {
	const listed = view ? visibleRows(view, state) : [];
	const text = view?.layout === 'text';
	const visible = text ? wrapRows(listed, view.columns[0].id, columns) : listed;
	const selected = selectedIndex(visible, state);
	// The frame: tab bar, [header lines], column titles (tables), rows, [filter line], status bar;
	// at most rows - 1 tall (ink clears the screen on every frame otherwise).
	const height = Math.max(1, rows - 1);
	const header = view?.header ?? [];
	const filterLine = mode.kind === 'filter' || state.filter !== '';
	const layout = view ? layoutColumns(view.columns, columns, view.rows) : {laid: [], second: []};
	const rowHeight = layout.second.length > 0 ? 2 : 1;
	const page = Math.max(1, Math.floor((height - 2 - (text ? 0 : 1) - header.length - Number(filterLine)) / rowHeight));
	return {
		layout,
		rowHeight,
		visible,
		selected,
		top: scrollTop(state.top, Math.max(0, selected), page, visible.length),
		page,
		header,
		filterLine,
	};
}
