import type {PromptInput} from './use-compose-input.js';
import {type KeyQueue, useModeInput} from './use-keys.js';

/** Choosing one of a row's sessions (an alert naming several): its number key goes on with `o` or `m`; any other key cancels. */
export function useChooseInput(queue: KeyQueue, {dispatch, mode, actions}: PromptInput, options: {isActive: boolean}): void {
	useModeInput(
		queue,
		({input}) => {
			if (mode.kind !== 'choose') return;
			const chosen = /^[1-9]$/.test(input) ? mode.agents[Number(input) - 1] : undefined;
			dispatch({type: 'close'});
			if (!chosen) dispatch({type: 'say', message: {text: 'Cancelled', tone: 'normal'}});
			else if (mode.purpose === 'jump') actions.jump(chosen, mode.machine);
			else actions.message(chosen, mode.machine);
		},
		options,
	);
}
