import {stripControls} from '../../text/sanitize.js';
import type {Mode, UiAction} from '../state.js';
import type {Actions} from './use-actions.js';
import {type KeyQueue, isText, useModeInput} from './use-keys.js';

/**
 * The message editor: typed text goes in; Enter sends (once there is text), Esc cancels,
 * Tab cycles the priority, Backspace erases. Keys that came with others in one read (a paste) are
 * text only: their Enter, Tab or other control characters are dropped, so a pasted
 * line never sends itself, and nothing reaches the screen unfiltered.
 */
/** What the hooks of the prompt modes (the choice, the editor) act with. */
export type PromptInput = {dispatch: (action: UiAction) => void; mode: Mode; actions: Actions};

export function useComposeInput(queue: KeyQueue, {dispatch, mode, actions}: PromptInput, options: {isActive: boolean}): void {
	useModeInput(
		queue,
		(press, keys) => {
			if (mode.kind !== 'compose') return;
			const {key} = press;
			if (isText(press)) {
				const text = stripControls(press.input + keys.takeText());
				if (text !== '') dispatch({type: 'compose-type', text});
			} else if (press.pasted) {
				// A control character inside pasted text: removed.
			} else if (key.escape) {
				dispatch({type: 'close'});
				dispatch({type: 'say', message: {text: 'Message not sent', tone: 'normal'}});
			} else if (key.return) {
				// Nothing to send yet: the editor stays open.
				if (mode.text.trim() === '') return;
				dispatch({type: 'close'});
				actions.send(mode.to, mode.text, mode.priority, mode.machine);
			} else if (key.tab) dispatch({type: 'compose-priority'});
			else if (key.backspace || key.delete) dispatch({type: 'compose-erase'});
		},
		options,
	);
}
