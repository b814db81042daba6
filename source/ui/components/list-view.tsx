import {Box, Text} from 'ink';
import {fit} from '../../text/fit.js';
import type {Screen} from '../screen.js';
import type {TabState} from '../state.js';
import type {TabView} from '../tabs/types.js';
import {TableHeader, TableRows} from './table.js';

/** A tab's body: its header lines, then its table (or its sentences), or what it says when empty. */
export function ListView({view, screen, tab, width, color}: {view: TabView; screen: Screen; tab: TabState; width: number; color: boolean}) {
	const table = view.layout === 'table';
	const empty = tab.filter ? `Nothing matches "${tab.filter}" (Esc clears the filter)` : view.empty;
	return (
		<Box flexDirection="column">
			{screen.header.map((line, index) => (
				<Text key={index} wrap="truncate" color={color ? 'cyan' : undefined}>
					{fit(line, width)}
				</Text>
			))}
			{table ? <TableHeader layout={screen.layout} width={width} sortColumn={tab.sortColumn} reverse={tab.reverse} /> : null}
			{screen.visible.length === 0 ? (
				<Text wrap="truncate">{fit(empty, width)}</Text>
			) : (
				<TableRows
					layout={screen.layout}
					rows={screen.visible}
					width={width}
					top={screen.top}
					height={screen.page}
					selected={table ? screen.selected : -1}
				/>
			)}
		</Box>
	);
}
