import {Text} from 'ink';
import {TABS, type TabId} from '../../tab-ids.js';
import {fit} from '../../text/fit.js';
import type {Badge} from '../tabs/types.js';
import {toneStyle, useTheme} from '../theme.js';

/**
 * `1 Sessions 4!  2 Locks 3 ...` (`!` after a count: the tab holds something that needs
 * you); in a narrow pane `1 Sessions 4!  2Lck·3 ...`; when even that does not fit (a
 * 40-column pane), only the active tab keeps a name (`1·4! 2·3 6 Lifecycle 5 ...`): the
 * active tab is always spelled out; and, when that makes the bar fit, `!` takes the place
 * of the dot (`1!4 2·3`).
 */
export function TabBar({active, badges, width}: {active: TabId; badges: Record<TabId, Badge | null> | null; width: number}) {
	const theme = useTheme();
	const compact = width < 100;
	const layout = (minimal: boolean, markInPlaceOfDot = false) =>
		TABS.map(({id, title, short}, index) => {
			const entry = badges?.[id] ?? null;
			const count = entry ? (entry.of !== undefined && entry.of !== entry.count ? `${entry.count}/${entry.of}` : String(entry.count)) : '';
			const mark = entry?.attention ? '!' : '';
			// The active tab is always spelled out; the others shorten, then lose their names.
			const name = id === active || !compact ? title : minimal ? '' : short;
			const spaced = !compact || id === active;
			const label = spaced
				? `${index + 1} ${name}${count ? ` ${count}${mark}` : ''}`
				: `${index + 1}${name}${count ? (markInPlaceOfDot && mark ? `!${count}` : `·${count}${mark}`) : ''}`;
			// The tightest layout pads only the active tab; the others get one space after.
			return {id, label: !minimal || id === active ? ` ${label} ` : `${label} `, tone: entry?.tone ?? 'normal'};
		});
	const widthOf = (items: Array<{label: string}>) => items.reduce((sum, part) => sum + part.label.length, 0);
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
						{part.label}
					</Text>
				);
			})}
			{fit('', Math.max(0, width - used))}
		</Text>
	);
}
