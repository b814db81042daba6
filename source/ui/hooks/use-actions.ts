import {useMemo} from 'react';
import {priorityLabel} from '../../analysis/alerts.js';
import {BusError} from '../../bus/open.js';
import {NOT_ADDRESSABLE, type Recipient} from '../../bus/send.js';
import type {LiveBus} from '../../monitor/live.js';
import {jumpToAgent} from '../../processes/tmux.js';
import {writeLogEntry} from '../../report/log-entry.js';
import type {Message, PendingAction, UiAction} from '../state.js';
import type {AgentRef, Row} from '../tabs/types.js';

/**
 * What the dashboard does to the world: writes to the bus (acknowledge, release, the
 * operator's messages), the session-log entry, the clipboard, the jump to an agent's
 * tmux pane, refresh and pause. Each reports in the status bar,
 * an error in a sentence; none blocks the keyboard.
 */

export type Actions = {
	perform: (action: PendingAction) => void;
	/** `what`: an alert acknowledged, or the operator's own mail marked read. */
	acknowledge: (ids: number[], what?: 'alert' | 'message') => void;
	/** `o`: the agent's tmux pane. */
	jump: (agent: AgentRef) => void;
	/** `m`: opens the editor to the agent, or to the sender of a message (a reply); says why not when it cannot. */
	message: (to: AgentRef | NonNullable<Row['reply']>) => void;
	send: (to: Recipient, text: string, priority: number) => void;
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

export type ActionsConfig = {logBase: string; author: string; operator: string};

export function useActions(
	live: LiveBus,
	config: ActionsConfig,
	dispatch: (action: UiAction) => void,
	writeRaw: (data: string) => void,
	environment: NodeJS.ProcessEnv,
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
			acknowledge: (ids, what = 'alert') =>
				run(async () => {
					const done = (await live.acknowledge(ids)) > 0;
					if (what === 'message') return done ? `Marked message #${ids[0]} read` : `Message #${ids[0]} was already read`;
					return done ? `Acknowledged alert #${ids[0]}` : `Alert #${ids[0]} was already acknowledged`;
				}),
			jump: agent => {
				const view = agent.session;
				if (!view) return say(`${agent.sessionId} is not a registered session: no pane to find`, 'bad');
				const {sessionId, tty, pid, hostname, machineUuid} = view.row;
				const target = {sessionId, tty, pid, hostname, machineUuid, pidReused: view.liveness.state === 'reused'};
				void jumpToAgent(target, {env: environment, host: live.monitor.host}).then(result => say(result.text, result.ok ? 'good' : 'bad'));
			},
			message: to => {
				if (live.getState().reading?.snapshot.database.schema.hasV2Messages === false) return say(NOT_ADDRESSABLE, 'bad');
				if ('messageId' in to) return dispatch({type: 'compose', to: {kind: 'reply', ...to}});
				const view = to.session;
				if (!view) return say(`${to.sessionId} is not a registered session: m writes to registered sessions`, 'bad');
				dispatch({type: 'compose', to: {kind: 'session', rowid: view.row.rowid, sessionId: view.row.sessionId}});
			},
			send: (to, text, priority) =>
				run(async () => {
					const current = live.getState().reading?.analysis.current;
					const sender = current
						? ({kind: 'session', rowid: current.row.rowid, sessionId: current.row.sessionId} as const)
						: ({kind: 'operator', id: config.operator} as const);
					const result = await live.send({sender, to, text, priority});
					const who = to.kind === 'reply' ? to.senderId : to.sessionId;
					if (result === 'gone') return {text: `Not sent: ${who} is no longer on the bus as shown`, tone: 'bad'};
					return `Sent message #${result.id} to ${result.recipientId} (${priorityLabel(priority)})`;
				}),
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
	}, [live, config.logBase, config.author, config.operator, dispatch, writeRaw, environment]);
}
