import {Box, Text} from 'ink';
import type {Column, Row} from '../views.js';
import {toneStyle, useTheme} from '../theme.js';
import {fit} from '../../text/fit.js';

/** Column widths for the available width: narrow panes keep only the compact columns; grow columns share the rest. */
export function layoutColumns(columns: Column[], width: number): Array<Column & {shown: number}> {
	const compact = width < 80;
	const chosen = compact ? columns.filter(column => column.compact) : columns;
	const gaps = Math.max(0, chosen.length - 1);
	const fixed = chosen.reduce((sum, column) => sum + column.width, 0) + gaps;
	const growers = chosen.filter(column => column.grow);
	let spare = width - fixed;
	const result = chosen.map(column => ({...column, shown: column.width}));
	if (spare >= 0) {
		const each = growers.length > 0 ? Math.floor(spare / growers.length) : 0;
		for (const column of result) if (column.grow) column.shown += each;
		// What the grow columns could not split evenly goes to the first of them.
		const first = result.find(column => column.grow);
		if (first) first.shown += spare - each * growers.length;
	} else {
		// Too narrow even for the minimum: shrink from the right, never below 3 cells.
		for (let i = result.length - 1; i >= 0 && spare < 0; i--) {
			const column = result[i]!;
			const take = Math.min(-spare, column.shown - 3);
			column.shown -= take;
			spare += take;
		}
	}
	return result;
}

export function TableHeader({
	columns,
	width,
	sortColumn,
	reverse,
}: {
	columns: Column[];
	width: number;
	sortColumn: string | null;
	reverse: boolean;
}) {
	const laid = layoutColumns(columns, width);
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
	columns,
	rows,
	width,
	top,
	height,
	selected,
}: {
	columns: Column[];
	rows: Row[];
	width: number;
	top: number;
	height: number;
	selected: number;
}) {
	const theme = useTheme();
	const laid = layoutColumns(columns, width);
	const shown = rows.slice(top, top + height);
	return (
		<Box flexDirection="column">
			{shown.map((row, offset) => {
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
