/**
 * Every tab of the dashboard, in the order of the tab bar and the number keys. The
 * rest follows from this list: `--tab`, the config file's `defaultTab`, the number keys,
 * the view flags (`--sessions`, `--alerts`, ...) with their help, and the printer's
 * sections. Adding a tab is a line here and a module in `ui/tabs/`.
 */
export const TABS = [
	{id: 'sessions', title: 'Sessions', short: 'Ses', help: 'Sessions: a detail block per active session'},
	{id: 'locks', title: 'Locks', short: 'Lck', help: 'File locks'},
	{id: 'claims', title: 'Claims', short: 'Clm', help: 'Task claims'},
	{id: 'alerts', title: 'Alerts', short: 'Alr', help: 'Operator alerts'},
	{id: 'unread', title: 'Unread', short: 'Unr', help: "Unread messages of this session (every recipient's when none)"},
	{id: 'lifecycle', title: 'Lifecycle', short: 'Lfc', help: 'Recent session lifecycle events (newest 20)'},
	{id: 'stats', title: 'Stats', short: 'Sta', help: 'Bus statistics'},
] as const;

export type TabId = (typeof TABS)[number]['id'];
export type TabInfo = (typeof TABS)[number];

export const TAB_IDS: readonly TabId[] = TABS.map(tab => tab.id);

export function isTabId(value: unknown): value is TabId {
	return (TAB_IDS as readonly unknown[]).includes(value);
}

export function tabInfo<K extends TabId>(id: K): Extract<TabInfo, {id: K}> {
	return TABS.find((tab): tab is Extract<TabInfo, {id: K}> => tab.id === id)!;
}
