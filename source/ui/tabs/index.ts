import type {Reading} from '../../monitor/monitor.js';
import {missingLine} from '../../report/describe.js';
import {TABS, type TabId} from '../../tab-ids.js';
import {alertsTab} from './alerts.js';
import {claimsTab, locksTab} from './holds.js';
import {lifecycleTab} from './lifecycle.js';
import {sessionsTab} from './sessions.js';
import {statsTab} from './stats.js';
import type {Badge, TabModule, TabView, ViewOptions} from './types.js';
import {unreadTab} from './unread.js';

/** Every tab's module, by id: the compiler asks for one per tab of tab-ids.ts. */
export const TAB_MODULES: {readonly [K in TabId]: TabModule<K>} = {
	sessions: sessionsTab,
	locks: locksTab,
	claims: claimsTab,
	alerts: alertsTab,
	unread: unreadTab,
	lifecycle: lifecycleTab,
	stats: statsTab,
};

export function tabModule(id: TabId): TabModule {
	return TAB_MODULES[id];
}

/** The tab bar's counts and colours: from the analysis alone, without building any rows. */
export function tabBadges(reading: Reading): Record<TabId, Badge | null> {
	return Object.fromEntries(TABS.map(({id}) => [id, TAB_MODULES[id].badge(reading)])) as Record<TabId, Badge | null>;
}

export function buildTab(reading: Reading, id: TabId, options: ViewOptions, badges = tabBadges(reading)): TabView {
	const tab = TAB_MODULES[id];
	return {
		id,
		title: tab.title,
		layout: tab.layout,
		badge: badges[id],
		columns: tab.columns,
		rows: tab.rows(reading, options),
		header: [...missingLine(reading.snapshot), ...(tab.header?.(reading) ?? [])],
		empty: tab.empty(reading),
	};
}

/** Every tab at once (the tests check them all); the live dashboard builds only the one on screen. */
export function buildTabs(reading: Reading, options: ViewOptions): Record<TabId, TabView> {
	const badges = tabBadges(reading);
	return Object.fromEntries(TABS.map(({id}) => [id, buildTab(reading, id, options, badges)])) as Record<TabId, TabView>;
}
