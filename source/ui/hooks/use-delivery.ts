import {useEffect} from 'react';
import type {LiveBus} from '../../monitor/live.js';
import type {Screen} from '../screen.js';
import type {Mode} from '../state.js';

/**
 * What the list shows counts as shown: its rows' pending messages (alerts; mail to the
 * current session) become `delivered`. Never while paused, nor behind a detail or the help.
 */
export function useDelivery(live: LiveBus, screen: Screen, mode: Mode, paused: boolean): void {
	useEffect(() => {
		if (paused || mode.kind !== 'list') return;
		const ids = screen.visible.slice(screen.top, screen.top + screen.page).flatMap(row => row.shownIds ?? []);
		if (ids.length > 0) void live.markShown(ids);
	}, [screen, mode.kind, paused, live]);
}
