import {useEffect} from 'react';
import type {Fleet} from '../../fleet/fleet.js';
import {linkLost} from '../fleet-view.js';
import type {Screen} from '../screen.js';
import type {Mode} from '../state.js';

/**
 * What the list shows counts as shown: its rows' pending messages (alerts; mail to the
 * current session) become `delivered`, each on its own machine's bus. Never while paused,
 * nor behind a detail or the help, nor for rows of a machine whose link is down or that
 * refuses writes. A machine that cannot be marked is left: the link line says why.
 */
export function useDelivery(fleet: Fleet, screen: Screen, mode: Mode, paused: boolean): void {
	useEffect(() => {
		if (paused || mode.kind !== 'list') return;
		const byMachine = new Map<string, number[]>();
		for (const row of screen.visible.slice(screen.top, screen.top + screen.page)) {
			if (!row.shownIds || row.shownIds.length === 0) continue;
			const name = row.machine ?? fleet.sources[0].name;
			byMachine.set(name, [...(byMachine.get(name) ?? []), ...row.shownIds]);
		}
		for (const [name, ids] of byMachine) {
			const machine = fleet.machine(name);
			const state = machine?.getState();
			if (!machine || !state || state.readOnly || linkLost(state)) continue;
			machine.markShown(ids).catch(() => {});
		}
	}, [screen, mode.kind, paused, fleet]);
}
