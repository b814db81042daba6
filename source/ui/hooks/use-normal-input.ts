import type {Screen} from '../screen.js';
import type {UiAction, UiState} from '../state.js';
import type {Row, TabView} from '../tabs/types.js';
import {type Command, binding, commandFor, isTabCommand, tabOfCommand} from '../keymap.js';
import type {Actions} from './use-actions.js';
import {type KeyQueue, useModeInput} from './use-keys.js';

/** The list: every command of the keymap, on the rows of the tab on screen. */

export type NormalInput = {
	ui: UiState;
	dispatch: (action: UiAction) => void;
	view: TabView | null;
	screen: Screen;
	actions: Actions;
	/** Why a command that writes is refused on these machines' rows (absent: the fleet's only machine), or null. */
	writeRefusal: (command: Command, machines: Array<string | undefined>) => string | null;
	exit: () => void;
};

function releasePrompt(target: NonNullable<Row['release']>, machine: string | undefined): string {
	const what =
		target.kind === 'session'
			? `session ${target.sessionId} (${target.reason.replace('released from the dashboard: ', '')}), its locks and claims`
			: `${target.kind} ${target.key} held by ${target.sessionId}`;
	return `Release ${what}${machine === undefined ? '' : ` on ${machine}`}?`;
}

/** The machines of the rows holding open alerts, in the order listed (absent: the fleet's only one). */
function alertMachines(rows: Row[]): Array<string | undefined> {
	return [...new Set(rows.filter(row => row.alertIds && row.alertIds.length > 0).map(row => row.machine))];
}

export function runCommand(command: Command, input: NormalInput): void {
	const {ui, dispatch, view, screen, actions} = input;
	const say = (text: string, tone: 'bad' | 'normal' = 'normal') => dispatch({type: 'say', message: {text, tone}});
	const selected = screen.selected >= 0 && view?.layout === 'table' ? screen.visible[screen.selected] : null;
	if (isTabCommand(command)) return dispatch({type: 'switch-tab', tab: tabOfCommand(command)});
	if (binding(command).writes) {
		const machines = command === 'acknowledge-all' ? alertMachines(screen.visible) : [selected?.machine];
		const refusal = input.writeRefusal(command, machines);
		if (refusal) return say(refusal, 'bad');
	}
	const move = (motion: number | 'top' | 'bottom') => dispatch({type: 'move', motion, rows: screen.visible, page: screen.page});
	switch (command) {
		case 'quit':
			return input.exit();
		case 'help':
			return dispatch({type: 'help'});
		case 'tab-next':
			return dispatch({type: 'step-tab', delta: 1});
		case 'tab-prev':
			return dispatch({type: 'step-tab', delta: -1});
		case 'down':
			return move(1);
		case 'up':
			return move(-1);
		case 'page-down':
			return move(screen.page);
		case 'page-up':
			return move(-screen.page);
		case 'top':
			return move('top');
		case 'bottom':
			return move('bottom');
		case 'open':
			if (selected) dispatch({type: 'open', key: selected.key});
			return;
		case 'back':
			if (ui.tabs[ui.tab].filter !== '') dispatch({type: 'filter-clear'});
			return;
		case 'filter':
			return dispatch({type: 'filter-start'});
		case 'sort':
			if (view) dispatch({type: 'sort', columns: view.columns});
			return;
		case 'sort-reverse':
			return dispatch({type: 'sort-reverse'});
		case 'toggle-ended':
			return dispatch({type: 'toggle-ended'});
		case 'acknowledge': {
			if (selected?.readIds) return actions.acknowledge(selected.readIds, 'message', selected.machine);
			const ids = selected?.alertIds;
			if (!ids) return say('Select an open alert in the Alerts view, or your own mail in Unread, to acknowledge it', 'bad');
			return actions.acknowledge(ids, 'alert', selected.machine);
		}
		case 'acknowledge-all': {
			const ids = screen.visible.flatMap(row => row.alertIds ?? []);
			if (ids.length === 0) return say('No open alerts in this view: A acknowledges the alerts of the Alerts view', 'bad');
			const filter = ui.tabs[ui.tab].filter;
			const prompt = `Acknowledge ${ids.length} alert${ids.length === 1 ? '' : 's'}${filter ? ` matching "${filter}"` : ''}?`;
			const groups = alertMachines(screen.visible).map(machine => ({
				machine,
				ids: screen.visible.filter(row => row.machine === machine).flatMap(row => row.alertIds ?? []),
			}));
			return dispatch({type: 'confirm', prompt, action: {kind: 'acknowledge-all', groups}});
		}
		case 'release':
			if (!selected) return;
			if (!selected.release) return say(selected.releaseRefusal ?? 'Nothing to release here', 'bad');
			return dispatch({
				type: 'confirm',
				prompt: releasePrompt(selected.release, selected.machine),
				action: {kind: 'release', target: selected.release, machine: selected.machine},
			});
		case 'log':
			return actions.writeLog();
		case 'copy':
			if (selected) actions.copy(selected.copy);
			return;
		case 'jump':
		case 'message': {
			const purpose = command === 'jump' ? 'jump' : 'message';
			const machine = selected?.machine;
			if (purpose === 'message' && selected?.reply) return actions.message(selected.reply, machine);
			const agents = selected?.agents ?? [];
			if (agents.length === 0) return say('Select a session, an alert, a lock, a claim or a message: o and m act on its agent', 'bad');
			if (agents.length > 1) return dispatch({type: 'choose', purpose, agents, machine});
			return purpose === 'jump' ? actions.jump(agents[0], machine) : actions.message(agents[0], machine);
		}
		case 'refresh':
			return actions.refresh();
		case 'pause':
			return actions.togglePause();
	}
}

export function useNormalInput(queue: KeyQueue, input: NormalInput, options: {isActive: boolean}): void {
	useModeInput(
		queue,
		({input: text, key}) => {
			const command = commandFor(text, key);
			if (command) runCommand(command, input);
		},
		options,
	);
}
