import {Box, Text} from 'ink';
import {fit} from '../../text/fit.js';
import {type Layout, cellText} from '../columns.js';
import type {Column, Row} from '../tabs/types.js';
import {toneStyle, useTheme} from '../theme.js';

/** A tab's rows under their column titles, one row selected. */

/** The second line of a row: its priority-1 cells that did not fit, each named. */
function secondLine(row: Row, second: Column[]): string {
	return `  ${second.map(column => `${column.title.toLowerCase()} ${row.cells[column.id] ?? ''}`).join('  ')}`;
}

export function TableHeader({
	layout,
	width,
	sortColumn,
	reverse,
}: {
	layout: Layout;
	width: number;
	sortColumn: string | null;
	reverse: boolean;
}) {
	const {laid} = layout;
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
	layout,
	rows,
	width,
	top,
	height,
	selected,
}: {
	layout: Layout;
	rows: Row[];
	width: number;
	top: number;
	height: number;
	selected: number;
}) {
	const theme = useTheme();
	const {laid, second} = layout;
	return (
		<Box flexDirection="column">
			{rows.slice(top, top + height).map((row, offset) => {
				const text = laid.map(column => fit(cellText(row, column), column.shown)).join(' ');
				const style = toneStyle(row.tone, theme);
				const inverse = top + offset === selected;
				return (
					<Box key={row.key} flexDirection="column">
						<Text inverse={inverse} color={style.color} bold={style.bold} wrap="truncate">
							{fit(text, width)}
						</Text>
						{second.length > 0 ? (
							<Text inverse={inverse} color={style.color} wrap="truncate">
								{fit(secondLine(row, second), width)}
							</Text>
						) : null}
					</Box>
				);
			})}
		</Box>
	);
}
