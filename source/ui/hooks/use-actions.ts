import {useMemo} from 'react';
import {priorityLabel} from '../../analysis/alerts.js';
import {BusError} from '../../bus/open.js';
import {NOT_ADDRESSABLE, type Recipient} from '../../bus/send.js';
import type {Fleet} from '../../fleet/fleet.js';
import {LocalMachine} from '../../fleet/local.js';
import type {MachineSource} from '../../fleet/types.js';
import {jumpToAgent} from '../../processes/tmux.js';
import {writeFleetLogEntry} from '../../report/log-entry.js';
import {printedMachine} from '../../report/machines.js';
import type {Message, PendingAction, UiAction} from '../state.js';
import type {AgentRef, Row} from '../tabs/types.js';

/**
 * What the dashboard does to the world: writes to a machine's bus (acknowledge, release,
 * the operator's messages), the session-log entry, the clipboard, the jump to an agent's
 * tmux pane, refresh and pause. A request goes to the machine its row came from (`machine`;
 * absent: the fleet's only one). Each reports in the status bar, naming the machine when
 * there are several; an error in a sentence; none blocks the keyboard.
 */

export type Actions = {
	perform: (action: PendingAction) => void;
	/** `what`: an alert acknowledged, or the operator's own mail marked read. */
	acknowledge: (ids: number[], what?: 'alert' | 'message', machine?: string) => void;
	/** `o`: the agent's tmux pane (local rows only). */
	jump: (agent: AgentRef, machine?: string) => void;
	/** `m`: opens the editor to the agent, or to the sender of a message (a reply); says why not when it cannot. */
	message: (to: AgentRef | NonNullable<Row['reply']>, machine?: string) => void;
	send: (to: Recipient, text: string, priority: number, machine?: string) => void;
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
	fleet: Fleet,
	config: ActionsConfig,
	dispatch: (action: UiAction) => void,
	writeRaw: (data: string) => void,
	environment: NodeJS.ProcessEnv,
): Actions {
	return useMemo(() => {
		const say = (text: string, tone: Message['tone'] = 'normal') => dispatch({type: 'say', message: {text, tone}});
		/** The machine a row came from; a machine that left the fleet is an error the status bar shows. */
		const source = (machine: string | undefined): MachineSource => {
			const found = machine === undefined ? fleet.sources[0] : fleet.machine(machine);
			if (!found) throw new Error(`no machine named ${machine ?? '(none)'} in the fleet`);
			return found;
		};
		// With several machines, every answer names its machine.
		const named = (machine: string | undefined) => (fleet.multiple ? `${machine ?? fleet.sources[0].name}: ` : '');
		const run = (machine: string | undefined, what: () => Promise<string | Message>) => {
			const prefix = named(machine);
			what().then(
				result =>
					typeof result === 'string'
						? say(prefix + result, 'good')
						: dispatch({type: 'say', message: {...result, text: prefix + result.text}}),
				(error: unknown) => say(prefix + describeError(error), 'bad'),
			);
		};
		return {
			perform: action => {
				if (action.kind === 'acknowledge-all') {
					for (const {machine, ids} of action.groups) {
						run(machine, async () => `Acknowledged ${await source(machine).acknowledge(ids)} of ${ids.length} alerts`);
					}
					return;
				}
				const {target, machine} = action;
				run(machine, async () => {
					const result = await source(machine).release(target);
					const what = target.kind === 'session' ? `session ${target.sessionId}` : `${target.kind} ${target.key}`;
					if (result === 'released') return `Released ${what}`;
					if (result === 'changed') throw new Error(`Not released: ${what} changed since it was shown (it heartbeated or changed holder)`);
					throw new Error(`Not released: ${what} is gone already`);
				});
			},
			acknowledge: (ids, what = 'alert', machine) =>
				run(machine, async () => {
					const done = (await source(machine).acknowledge(ids)) > 0;
					if (what === 'message') return done ? `Marked message #${ids[0]} read` : `Message #${ids[0]} was already read`;
					return done ? `Acknowledged alert #${ids[0]}` : `Alert #${ids[0]} was already acknowledged`;
				}),
			jump: (agent, machine) => {
				const local = machine === undefined ? fleet.sources[0] : fleet.machine(machine);
				// Panes are found through this machine's tmux: a remote row's agent runs elsewhere.
				if (!(local instanceof LocalMachine)) return say(`o jumps to panes on this machine; ${machine ?? 'this row'} is remote`, 'bad');
				const view = agent.session;
				if (!view) return say(`${agent.sessionId} is not a registered session: no pane to find`, 'bad');
				const {sessionId, tty, pid, hostname, machineUuid} = view.row;
				const target = {sessionId, tty, pid, hostname, machineUuid, pidReused: view.liveness.state === 'reused'};
				void jumpToAgent(target, {env: environment, host: local.live.monitor.host}).then(result =>
					say(result.text, result.ok ? 'good' : 'bad'),
				);
			},
			message: (to, machine) => {
				const reading = (machine === undefined ? fleet.sources[0] : fleet.machine(machine))?.getState().reading;
				if (reading?.snapshot.database.schema.hasV2Messages === false) return say(named(machine) + NOT_ADDRESSABLE, 'bad');
				if ('messageId' in to) return dispatch({type: 'compose', to: {kind: 'reply', ...to}, machine});
				const view = to.session;
				if (!view) return say(`${to.sessionId} is not a registered session: m writes to registered sessions`, 'bad');
				dispatch({type: 'compose', to: {kind: 'session', rowid: view.row.rowid, sessionId: view.row.sessionId}, machine});
			},
			send: (to, text, priority, machine) =>
				run(machine, async () => {
					const target = source(machine);
					// The current session is known on this machine's bus only; elsewhere the operator writes as the `operator` setting.
					const current = target.getState().local ? target.getState().reading?.analysis.current : null;
					const sender = current
						? ({kind: 'session', rowid: current.row.rowid, sessionId: current.row.sessionId} as const)
						: ({kind: 'operator', id: config.operator} as const);
					const result = await target.send({sender, to, text, priority});
					const who = to.kind === 'reply' ? to.senderId : to.sessionId;
					if (result === 'gone') return {text: `Not sent: ${who} is no longer on the bus as shown`, tone: 'bad'};
					return `Sent message #${result.id} to ${result.recipientId} (${priorityLabel(priority)})`;
				}),
			writeLog: () =>
				run(undefined, async () => {
					// Every machine in view, each with exact counts where its link is up; grouped by machine when there are several.
					const up = fleet.sources.filter(machine => ['local', 'live'].includes(machine.getState().link.kind));
					await Promise.all(up.map(machine => machine.exactReading().catch(() => null)));
					const machines = fleet.sources.map(machine => printedMachine(machine.getState()));
					const file = writeFleetLogEntry(machines, {logBase: config.logBase, author: config.author, now: Date.now()});
					return {text: 'Log entry appended: ', path: file, tone: 'good'};
				}),
			copy: text => {
				writeRaw(osc52(text));
				say(`Copied ${text}`);
			},
			refresh: () => {
				fleet.retry();
				say(fleet.sources.some(machine => !machine.getState().local) ? 'Refreshed; links that were down connect again' : 'Refreshed');
			},
			togglePause: () => {
				const paused = !fleet.getState().paused;
				fleet.setPaused(paused);
				say(paused ? 'Paused: nothing is read or marked delivered until p' : 'Resumed');
			},
		};
	}, [fleet, config.logBase, config.author, config.operator, dispatch, writeRaw, environment]);
}
