import {useEffect} from 'react';
import type {Notifications} from '../../monitor/notify.js';
import type {UiAction} from '../state.js';

/** What the notifications report (a notifier killed, failed) goes to the status bar. */
export function useNotices(notifications: Notifications | null | undefined, dispatch: (action: UiAction) => void): void {
	useEffect(() => notifications?.subscribe(report => dispatch({type: 'say', message: report})), [notifications, dispatch]);
}
