import {Text} from 'ink';
import {TABS, type TabId, type TabView} from '../views.js';
import {toneStyle, useTheme} from '../theme.js';
import {fit} from '../../text/fit.js';

/** `1 Sessions 4  2 Locks 3 ...`; in a narrow pane `1Ses4 2Lck3 ...`. */
export function TabBar({active, tabs, width}: {active: TabId; tabs: Record<TabId, TabView> | null; width: number}) {
	const theme = useTheme();
	const compact = width < 100;
	const parts = TABS.map(({id, title, short}, index) => {
		const view = tabs?.[id];
		const badge = view && id !== 'stats' ? String(view.count) : '';
		const label = compact ? `${index + 1}${short}${badge ? `·${badge}` : ''}` : `${index + 1} ${title}${badge ? ` ${badge}` : ''}`;
		return {id, label, tone: view?.badgeTone ?? 'normal'};
	});
	const used = parts.reduce((sum, part) => sum + part.label.length + 2, 0);
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
