import {useMemo} from 'react';
import {BusError} from '../../bus/open.js';
import type {LiveBus} from '../../monitor/live.js';
import {writeLogEntry} from '../../report/log-entry.js';
import type {Message, PendingAction, UiAction} from '../state.js';

/**
 * What the dashboard does to the world: writes to the bus (acknowledge, release), the
 * session-log entry, the clipboard, refresh and pause. Each reports in the status bar,
 * an error in a sentence; none blocks the keyboard.
 */

export type Actions = {
	perform: (action: PendingAction) => void;
	acknowledge: (ids: number[]) => void;
	writeLog: () => void;
	copy: (text: string) => void;
	refresh: () => void;
	togglePause: () => void;
};

/** OSC 52: the terminal (and tmux with set-clipboard on) puts this text on the clipboard. */
export function osc52(text: string): string {
	return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}

function describeError(error: unknown): string {
	return error instanceof BusError ? error.message : `Failed: ${(error as Error).message}`;
}

export type ActionsConfig = {logBase: string; author: string};

export function useActions(
	live: LiveBus,
	config: ActionsConfig,
	dispatch: (action: UiAction) => void,
	writeRaw: (data: string) => void,
): Actions {
	return useMemo(() => {
		const say = (text: string, tone: Message['tone'] = 'normal') => dispatch({type: 'say', message: {text, tone}});
		const run = (what: () => Promise<string | Message>) => {
			what().then(
				result => (typeof result === 'string' ? say(result, 'good') : dispatch({type: 'say', message: result})),
				(error: unknown) => say(describeError(error), 'bad'),
			);
		};
		return {
			perform: action => {
				if (action.kind === 'acknowledge-all') {
					run(async () => `Acknowledged ${await live.acknowledge(action.ids)} of ${action.ids.length} alerts`);
					return;
				}
				const {target} = action;
				run(async () => {
					const result = await live.release(target);
					const what = target.kind === 'session' ? `session ${target.sessionId}` : `${target.kind} ${target.key}`;
					if (result === 'released') return `Released ${what}`;
					if (result === 'changed') throw new Error(`Not released: ${what} changed since it was shown (it heartbeated or changed holder)`);
					throw new Error(`Not released: ${what} is gone already`);
				});
			},
			acknowledge: ids =>
				run(async () =>
					(await live.acknowledge(ids)) > 0 ? `Acknowledged alert #${ids[0]}` : `Alert #${ids[0]} was already acknowledged`,
				),
			writeLog: () =>
				run(async () => {
					const reading = await live.exactReading();
					const file = writeLogEntry(reading, {logBase: config.logBase, author: config.author, now: Date.now()});
					return {text: 'Log entry appended: ', path: file, tone: 'good'};
				}),
			copy: text => {
				writeRaw(osc52(text));
				say(`Copied ${text}`);
			},
			refresh: () => {
				live.refreshNow();
				say('Refreshed');
			},
			togglePause: () => {
				const paused = !live.getState().paused;
				live.setPaused(paused);
				say(paused ? 'Paused: nothing is read or marked delivered until p' : 'Resumed');
			},
		};
	}, [live, config.logBase, config.author, dispatch, writeRaw]);
}
