import {stringWidth} from '../text/fit.js';
import type {Column, Row} from './tabs/types.js';

/** Which of a tab's columns a pane of a given width shows, and how wide: pure, for the frame and the screen's geometry alike. */

export type LaidColumn = Column & {shown: number};

const DEFAULT_MAX = 40;

// The widest cell of each column over all of a tab's rows, per rows array (a reading's rows are a new array).
const contentWidths = new WeakMap<Row[], Map<string, number>>();

function widestCells(columns: Column[], rows: Row[]): Map<string, number> {
	let widths = contentWidths.get(rows);
	if (!widths) {
		widths = new Map(columns.map(column => [column.id, 0]));
		for (const row of rows) {
			for (const column of columns) {
				const width = stringWidth(row.cells[column.id] ?? '');
				if (width > widths.get(column.id)!) widths.set(column.id, width);
			}
		}
		contentWidths.set(rows, widths);
	}
	return widths;
}

/** A cell as a laid column shows it: its short form (when it has one) once the column is narrower than the cell. */
export function cellText(row: Row, column: LaidColumn): string {
	const text = row.cells[column.id] ?? '';
	if (column.short === undefined || stringWidth(text) <= column.shown) return text;
	return row.cells[column.short] ?? text;
}

/** Where a tab's columns go: on the row's line, or (what must not be lost in a narrow pane) on a second line. */
export type Layout = {laid: LaidColumn[]; second: Column[]};

/** The width a column needs: its content's (up to its maximum) for what a row is about, else (and for a growing column, which takes what is left) its minimum. */
function needed(column: Column, widest: Map<string, number>): number {
	if (column.priority !== 1 || column.grow) return column.width;
	const content = Math.max(stringWidth(column.title), widest.get(column.id) ?? 0);
	return Math.max(column.width, Math.min(content, column.max ?? DEFAULT_MAX));
}

/**
 * Column widths for the available width. Columns are kept by priority: each goes on the
 * row's line while the kept ones still fit (what a row is about at its content's width,
 * the rest at their minimum); one of priority 1 that does not goes on a second line of
 * the row, any other gives way. Each kept column is as
 * wide as its widest cell over all the tab's rows (never narrower than its minimum, nor
 * wider than its maximum), so scrolling never shifts a column; what is left goes to the
 * growing columns. When that does not fit, the columns furthest above their minimum give
 * way first, then the rightmost, down to 3 cells.
 */
export function layoutColumns(columns: Column[], width: number, rows: Row[]): Layout {
	const widest = widestCells(columns, rows);
	const kept: Column[] = [];
	const second: Column[] = [];
	let used = -1;
	for (const column of [...columns].sort((a, b) => a.priority - b.priority)) {
		const need = needed(column, widest) + 1;
		if (used + need <= width) {
			kept.push(column);
			used += need;
		} else if (column.priority === 1) second.push(column);
	}
	const laid = columns
		.filter(column => kept.includes(column))
		.map(column => {
			const content = Math.max(stringWidth(column.title), widest.get(column.id) ?? 0);
			const max = column.max ?? (column.grow ? Infinity : DEFAULT_MAX);
			return {...column, shown: Math.max(column.width, Math.min(content, max))};
		});
	let spare = width - Math.max(0, laid.length - 1) - laid.reduce((sum, column) => sum + column.shown, 0);
	const growers = laid.filter(column => column.grow);
	if (spare >= 0) {
		const each = growers.length > 0 ? Math.floor(spare / growers.length) : 0;
		for (const column of growers) column.shown += each;
		// What the growing columns could not split evenly goes to the first of them.
		if (growers[0]) growers[0].shown += spare - each * growers.length;
		return {laid, second: columns.filter(column => second.includes(column))};
	}
	// Too wide: the growing columns give way first (they take what is left), then a cell at
	// a time from the column furthest above its minimum.
	for (const column of growers) {
		const take = Math.min(-spare, column.shown - column.width);
		column.shown -= take;
		spare += take;
	}
	for (; spare < 0; spare++) {
		const furthest = laid.reduce<LaidColumn | null>(
			(best, column) => (column.shown - column.width > (best ? best.shown - best.width : 0) ? column : best),
			null,
		);
		if (!furthest) break;
		furthest.shown--;
	}
	// Still too narrow for the minimums: shrink from the right, never below 3 cells.
	for (let i = laid.length - 1; i >= 0 && spare < 0; i--) {
		const column = laid[i];
		const take = Math.min(-spare, column.shown - 3);
		column.shown -= take;
		spare += take;
	}
	return {laid, second: columns.filter(column => second.includes(column))};
}
