import {useEffect, useRef, useState} from 'react';
import type {LiveBus, LiveState} from '../../monitor/live.js';
import {type TabId, type TabView, buildTabs} from '../views.js';

export type DashboardModel = {
	state: LiveState;
	tabs: Record<TabId, TabView> | null;
};

/**
 * Subscribes to the live bus and turns each reading into tab rows; the view
 * re-renders only when those rows (or the status) changed, so an idle bus
 * costs a comparison, not a frame.
 */
export function useDashboard(live: LiveBus, showEnded: boolean): DashboardModel {
	const build = (state: LiveState): DashboardModel => ({
		state,
		tabs: state.reading ? buildTabs(state.reading, {showEnded, countsNote: live.countsNote()}) : null,
	});
	const [model, setModel] = useState<DashboardModel>(() => build(live.getState()));
	const signature = useRef('');

	useEffect(() => {
		const onState = (state: LiveState) => {
			const next = build(state);
			const nextSignature = JSON.stringify([next.tabs, state.error, state.paused, state.reading === null]);
			if (nextSignature === signature.current) return;
			signature.current = nextSignature;
			setModel(next);
		};
		onState(live.getState());
		return live.subscribe(onState);
	}, [live, showEnded]);

	return model;
}
