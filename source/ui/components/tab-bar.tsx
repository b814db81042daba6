import {Text} from 'ink';
import {TABS, type TabId} from '../../tab-ids.js';
import {fit} from '../../text/fit.js';
import type {Badge} from '../tabs/types.js';
import {toneStyle, useTheme} from '../theme.js';

/**
 * `1 Sessions 4!  2 Locks 3 ...` (`!` after a count: the tab holds something that needs
 * you); in a narrow pane `1Ses·4! 2Lck·3 ...`; when even that does not fit (a 40-column
 * pane), only the active tab keeps its name (`1·4! 2·3 6Lfc·5 ...`) so the active tab is
 * always in view, and, if it must, `!` takes the place of the dot (`1!4 2·3`).
 */
export function TabBar({active, badges, width}: {active: TabId; badges: Record<TabId, Badge | null> | null; width: number}) {
	const theme = useTheme();
	const compact = width < 100;
	const layout = (minimal: boolean, markInPlaceOfDot = false) =>
		TABS.map(({id, title, short}, index) => {
			const entry = badges?.[id] ?? null;
			const count = entry ? (entry.of !== undefined && entry.of !== entry.count ? `${entry.count}/${entry.of}` : String(entry.count)) : '';
			const mark = entry?.attention ? '!' : '';
			const name = minimal && id !== active ? '' : short;
			const label = !compact
				? `${index + 1} ${title}${count ? ` ${count}${mark}` : ''}`
				: `${index + 1}${name}${count ? (markInPlaceOfDot && mark ? `!${count}` : `·${count}${mark}`) : ''}`;
			return {id, label, tone: entry?.tone ?? 'normal'};
		});
	const widthOf = (items: Array<{label: string}>) => items.reduce((sum, part) => sum + part.label.length + 2, 0);
	let parts = layout(false);
	if (compact && widthOf(parts) > width) parts = layout(true);
	// The mark in place of the dot only when that makes the bar fit; else it is cut anyway.
	if (compact && widthOf(parts) > width && widthOf(layout(true, true)) <= width) parts = layout(true, true);
	const used = widthOf(parts);
	return (
		<Text wrap="truncate">
			{parts.map(part => {
				const selected = part.id === active;
				const style = selected ? {} : toneStyle(part.tone, theme);
				return (
					<Text key={part.id} inverse={selected} bold={selected || style.bold} color={style.color}>
						{` ${part.label} `}
					</Text>
				);
			})}
			{fit('', Math.max(0, width - used))}
		</Text>
	);
}
