import {useCallback, useEffect, useLayoutEffect, useReducer, useRef} from 'react';
import type {LiveBus, LiveState} from '../../monitor/live.js';
import type {TabId} from '../../tab-ids.js';
import {buildTab, tabBadges} from '../tabs/index.js';
import type {Badge, TabView} from '../tabs/types.js';

export type DashboardModel = {
	state: LiveState;
	/** The tab on screen: the only one whose rows are built. */
	view: TabView | null;
	badges: Record<TabId, Badge | null> | null;
};

/** What of a model would be on screen, and when its text next changes with the clock alone (null: unknown). */
export type OnScreen = {text: string; changesAt: number | null};

/**
 * Subscribes to the live bus and turns each reading into the rows of the tab on
 * screen. `onScreen` says what of a model would be on screen (the caller knows the
 * scroll position, filter and size); a reading that changes none of it draws no
 * frame: ink renders the whole frame for any change, so a heartbeat, or a row
 * far below the fold, would otherwise cost one. The newest model is kept all the
 * same and drawn with the next frame, whatever causes it. The live bus is told
 * when the screen's ages next change, so an idle bus is judged again only then.
 */
export function useDashboard(live: LiveBus, tab: TabId, showEnded: boolean, onScreen: (model: DashboardModel) => OnScreen): DashboardModel {
	const build = useCallback(
		(state: LiveState): DashboardModel => {
			if (!state.reading) return {state, view: null, badges: null};
			const badges = tabBadges(state.reading);
			return {state, badges, view: buildTab(state.reading, tab, {showEnded, countsNote: live.countsNote()}, badges)};
		},
		[live, tab, showEnded],
	);
	const latest = useRef<DashboardModel | null>(null);
	latest.current ??= build(live.getState());
	const [, redraw] = useReducer((count: number) => count + 1, 0);
	const screen = useRef(onScreen);
	const drawn = useRef<string | null>(null);

	// A tab switch shows the new tab's rows in the same frame, not after the effect below.
	if (latest.current.view !== null && latest.current.view.id !== tab) latest.current = build(latest.current.state);
	const model = latest.current;

	useLayoutEffect(() => {
		screen.current = onScreen;
		const shown = onScreen(model);
		drawn.current = shown.text;
		live.setClockTextsChangeAt(shown.changesAt);
	});

	useEffect(() => {
		const onState = (state: LiveState) => {
			const next = build(state);
			latest.current = next;
			const shown = screen.current(next);
			live.setClockTextsChangeAt(shown.changesAt);
			if (shown.text !== drawn.current) redraw();
		};
		onState(live.getState());
		return live.subscribe(onState);
	}, [live, build]);

	return model;
}
