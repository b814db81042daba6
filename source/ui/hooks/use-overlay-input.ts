import {commandFor} from '../keymap.js';
import type {PendingAction, UiAction} from '../state.js';
import type {Actions} from './use-actions.js';
import {type KeyQueue, useModeInput} from './use-keys.js';

/** The modes over the list: a confirmation prompt, a detail, the help. */

/** `y` confirms the pending action; any other key cancels it. */
export function useConfirmInput(
	queue: KeyQueue,
	{dispatch, action, actions}: {dispatch: (action: UiAction) => void; action: PendingAction | null; actions: Actions},
	options: {isActive: boolean},
): void {
	useModeInput(
		queue,
		({input}) => {
			if ((input === 'y' || input === 'Y') && action) actions.perform(action);
			else dispatch({type: 'say', message: {text: 'Cancelled', tone: 'normal'}});
			dispatch({type: 'close'});
		},
		options,
	);
}

/** How the text of a detail or the help scrolls: `height` lines shown of `lines`. */
export type ScrollText = {height: number; max: number};

/** Scroll keys; true when the key was one. */
function scrolled(input: string, key: Parameters<typeof commandFor>[1], text: ScrollText, dispatch: (action: UiAction) => void): boolean {
	const by = {down: 1, up: -1, 'page-down': text.height, 'page-up': -text.height, top: -Infinity, bottom: Infinity} as const;
	const command = commandFor(input, key);
	if (command === null || !(command in by)) return false;
	dispatch({type: 'scroll', delta: by[command as keyof typeof by], max: text.max});
	return true;
}

/** A detail: scroll keys scroll it, Esc goes back, every other command acts on the list beneath (with its row). */
export function useDetailInput(
	queue: KeyQueue,
	{
		dispatch,
		text,
		onCommand,
	}: {dispatch: (action: UiAction) => void; text: ScrollText; onCommand: (input: string, key: Parameters<typeof commandFor>[1]) => void},
	options: {isActive: boolean},
): void {
	useModeInput(
		queue,
		({input, key}) => {
			if (commandFor(input, key) === 'back') dispatch({type: 'close'});
			else if (!scrolled(input, key, text, dispatch)) onCommand(input, key);
		},
		options,
	);
}

/** The help: scroll keys scroll it; Esc, ? or q close it. */
export function useHelpInput(
	queue: KeyQueue,
	{dispatch, text}: {dispatch: (action: UiAction) => void; text: ScrollText},
	options: {isActive: boolean},
): void {
	useModeInput(
		queue,
		({input, key}) => {
			if (key.escape || input === '?' || input === 'q') dispatch({type: 'close'});
			else scrolled(input, key, text, dispatch);
		},
		options,
	);
}
