import {useEffect, useRef, useState} from 'react';
import type {LiveBus, LiveState} from '../../monitor/live.js';
import {type Badge, type TabId, type TabView, buildTab, tabBadges} from '../views.js';

export type DashboardModel = {
	state: LiveState;
	/** The tab on screen: the only one whose rows are built. */
	view: TabView | null;
	badges: Record<TabId, Badge> | null;
};

/**
 * Subscribes to the live bus and turns each reading into the rows of the tab on
 * screen; the view re-renders only when those rows, the badges or the status
 * changed, so an idle bus costs a comparison, not a frame.
 */
export function useDashboard(live: LiveBus, tab: TabId, showEnded: boolean): DashboardModel {
	const build = (state: LiveState): DashboardModel => {
		if (!state.reading) return {state, view: null, badges: null};
		const badges = tabBadges(state.reading);
		return {state, badges, view: buildTab(state.reading, tab, {showEnded, countsNote: live.countsNote()}, badges)};
	};
	const [model, setModel] = useState<DashboardModel>(() => build(live.getState()));
	const signature = useRef('');

	useEffect(() => {
		const onState = (state: LiveState) => {
			const next = build(state);
			const nextSignature = JSON.stringify([tab, next.badges, next.view, state.error, state.paused, state.reading === null]);
			if (nextSignature === signature.current) return;
			signature.current = nextSignature;
			setModel(next);
		};
		onState(live.getState());
		return live.subscribe(onState);
	}, [live, tab, showEnded]);

	// A tab switch shows the new tab's rows in the same frame, not after the effect above.
	const current = model.view === null || model.view.id === tab ? model : build(model.state);
	return current;
}
