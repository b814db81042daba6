import {useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState} from 'react';
import type {Fleet} from '../../fleet/fleet.js';
import type {FleetState} from '../../fleet/types.js';
import type {TabId} from '../../tab-ids.js';
import {type Badges, FleetView, linkLost, shownMachines} from '../fleet-view.js';
import type {TabView} from '../tabs/types.js';

/** What the status bar says of the fleet's buses: paused, when the data last changed, why a bus could not be read. */
export type DashboardState = {error: string | null; paused: boolean; changedAt: number | null};

export type DashboardModel = {
	state: DashboardState;
	fleet: FleetState;
	/** The tab on screen: the only one whose rows are built. */
	view: TabView | null;
	badges: Badges | null;
};

/** What of a model would be on screen, and when its text next changes with the clock alone (null: unknown). */
export type OnScreen = {text: string; changesAt: number | null};

/** The status bar's state over the machines: with one, its own; with several, the newest change and each unreadable bus by name. */
function dashboardState(fleet: FleetState): DashboardState {
	const machines = shownMachines(fleet.machines);
	if (fleet.machines.length === 1) {
		const [machine] = fleet.machines;
		return {error: machine.error, paused: fleet.paused, changedAt: machine.changedAt};
	}
	// A machine whose link is down says why in the link line; here, the buses that are reached but cannot be read.
	const errors = machines
		.filter(machine => machine.error !== null && !linkLost(machine))
		.map(machine => `${machine.name}: ${machine.error!.split('\n')[0]}`);
	const changed = machines.flatMap(machine => (machine.changedAt === null ? [] : [machine.changedAt]));
	return {
		error: errors.length > 0 ? errors.join('; ') : null,
		paused: fleet.paused,
		changedAt: changed.length > 0 ? Math.max(...changed) : null,
	};
}

/**
 * Subscribes to the fleet and turns each machine's reading into the rows of the tab on
 * screen, merged (fleet-view.ts). `onScreen` says what of a model would be on screen (the
 * caller knows the scroll position, filter and size); a reading that changes none of it
 * draws no frame: ink renders the whole frame for any change, so a heartbeat, or a row
 * far below the fold, would otherwise cost one. The newest model is kept all the same and
 * drawn with the next frame, whatever causes it. The fleet is told when the screen's ages
 * next change (local clock), so an idle bus is judged again only then.
 */
export function useDashboard(fleet: Fleet, tab: TabId, showEnded: boolean, onScreen: (model: DashboardModel) => OnScreen): DashboardModel {
	const [views] = useState(() => new FleetView());
	const build = useCallback(
		(state: FleetState): DashboardModel => {
			const countsNote = (name: string) => fleet.machine(name)?.countsNote() ?? '';
			const {view, badges} = views.build(state.machines, tab, {showEnded, countsNote});
			return {state: dashboardState(state), fleet: state, view, badges};
		},
		[fleet, views, tab, showEnded],
	);
	const latest = useRef<DashboardModel | null>(null);
	latest.current ??= build(fleet.getState());
	const [, redraw] = useReducer((count: number) => count + 1, 0);
	const screen = useRef(onScreen);
	const drawn = useRef<string | null>(null);

	// A tab switch shows the new tab's rows in the same frame, not after the effect below.
	if (latest.current.view !== null && latest.current.view.id !== tab) latest.current = build(latest.current.fleet);
	const model = latest.current;

	useLayoutEffect(() => {
		screen.current = onScreen;
		const shown = onScreen(model);
		drawn.current = shown.text;
		fleet.setClockTextsChangeAt(shown.changesAt);
	});

	useEffect(() => {
		const onState = (state: FleetState) => {
			const next = build(state);
			latest.current = next;
			const shown = screen.current(next);
			fleet.setClockTextsChangeAt(shown.changesAt);
			if (shown.text !== drawn.current) redraw();
		};
		onState(fleet.getState());
		return fleet.subscribe(onState);
	}, [fleet, build]);

	return model;
}
