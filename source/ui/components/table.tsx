import {Box, Text} from 'ink';
import {fit, stringWidth} from '../../text/fit.js';
import type {Column, Row} from '../tabs/types.js';
import {toneStyle, useTheme} from '../theme.js';

/** A tab's rows under their column titles, one row selected. */

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

/**
 * Column widths for the available width. Each column is as wide as its widest cell over
 * all the tab's rows (never narrower than its minimum, nor wider than its maximum), so
 * scrolling never shifts a column; what is left goes to the growing columns. When that
 * does not fit, the columns whose content is widest give way first, down to their
 * minimum, then the rightmost down to 3 cells. A narrow pane keeps the compact columns.
 */
export function layoutColumns(columns: Column[], width: number, rows: Row[]): LaidColumn[] {
	const chosen = width < 80 ? columns.filter(column => column.compact) : columns;
	const widest = widestCells(columns, rows);
	const laid = chosen.map(column => {
		const content = Math.max(stringWidth(column.title), widest.get(column.id) ?? 0);
		const max = column.max ?? (column.grow ? Infinity : DEFAULT_MAX);
		return {...column, shown: Math.max(column.width, Math.min(content, max))};
	});
	const gaps = Math.max(0, laid.length - 1);
	let spare = width - gaps - laid.reduce((sum, column) => sum + column.shown, 0);
	if (spare >= 0) {
		const growers = laid.filter(column => column.grow);
		const each = growers.length > 0 ? Math.floor(spare / growers.length) : 0;
		for (const column of growers) column.shown += each;
		// What the growing columns could not split evenly goes to the first of them.
		if (growers[0]) growers[0].shown += spare - each * growers.length;
		return laid;
	}
	// Too wide: a cell at a time from the column furthest above its minimum.
	for (; spare < 0; spare++) {
		const widest = laid.reduce<LaidColumn | null>(
			(best, column) => (column.shown - column.width > (best ? best.shown - best.width : 0) ? column : best),
			null,
		);
		if (!widest) break;
		widest.shown--;
	}
	// Still too narrow for the minimums: shrink from the right, never below 3 cells.
	for (let i = laid.length - 1; i >= 0 && spare < 0; i--) {
		const column = laid[i];
		const take = Math.min(-spare, column.shown - 3);
		column.shown -= take;
		spare += take;
	}
	return laid;
}

export function TableHeader({
	laid,
	width,
	sortColumn,
	reverse,
}: {
	laid: LaidColumn[];
	width: number;
	sortColumn: string | null;
	reverse: boolean;
}) {
	// The sort arrow stays visible in a narrow column: the title gives way to it.
	const text = laid
		.map(column =>
			fit(
				column.id === sortColumn ? `${column.title.slice(0, Math.max(0, column.shown - 1))}${reverse ? '↑' : '↓'}` : column.title,
				column.shown,
			),
		)
		.join(' ');
	return (
		<Text bold wrap="truncate">
			{fit(text, width)}
		</Text>
	);
}

export function TableRows({
	laid,
	rows,
	width,
	top,
	height,
	selected,
}: {
	laid: LaidColumn[];
	rows: Row[];
	width: number;
	top: number;
	height: number;
	selected: number;
}) {
	const theme = useTheme();
	return (
		<Box flexDirection="column">
			{rows.slice(top, top + height).map((row, offset) => {
				const text = laid.map(column => fit(row.cells[column.id] ?? '', column.shown)).join(' ');
				const style = toneStyle(row.tone, theme);
				return (
					<Text key={row.key} inverse={top + offset === selected} color={style.color} bold={style.bold} wrap="truncate">
						{fit(text, width)}
					</Text>
				);
			})}
		</Box>
	);
}
