import type {UiAction} from '../state.js';
import {type KeyQueue, isText, useModeInput} from './use-keys.js';

/** The filter line: typed or pasted text goes in (control characters never do); Enter keeps it, Esc clears it. */
export function useFilterInput(queue: KeyQueue, dispatch: (action: UiAction) => void, options: {isActive: boolean}): void {
	useModeInput(
		queue,
		(press, keys) => {
			const {key} = press;
			if (key.escape) dispatch({type: 'filter-clear'});
			else if (key.return) dispatch({type: 'close'});
			else if (key.backspace || key.delete) dispatch({type: 'filter-erase'});
			else if (isText(press)) dispatch({type: 'filter-type', text: press.input + keys.takeText()});
		},
		options,
	);
}
