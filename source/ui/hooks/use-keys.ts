import {useLayoutEffect, useReducer, useRef} from 'react';
import {type Key, useInput} from 'ink';

/**
 * Keys, one at a time. What one read of the terminal gives may hold several keys (typed
 * fast, pasted, sent by a script or a slow ssh link): each is handled as if it came
 * alone, in order, by the input hook of the mode the previous key left the dashboard
 * in, with that render's state. A handler may take the printable keys that follow its
 * own at once (text pasted into the filter). Ctrl-C quits at once, whatever is queued.
 */

/** `pasted`: the key came with others in one read (a paste, or typed faster than read): an editor takes it as text. */
export type KeyPress = {input: string; key: Key; pasted?: boolean};
export type KeyHandler = (press: KeyPress, queue: KeyQueue) => void;

const NO_KEY: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

/** One character of a run of text as the key it stands for (Enter, Tab, Backspace, Ctrl-letter, or itself). */
function keyOf(char: string): KeyPress {
	const code = char.codePointAt(0)!;
	if (char === '\r' || char === '\n') return {input: '', key: {...NO_KEY, return: true}};
	if (char === '\t') return {input: '', key: {...NO_KEY, tab: true}};
	if (char === '\u007f' || char === '\b') return {input: '', key: {...NO_KEY, backspace: true}};
	if (char === '\u001b') return {input: '', key: {...NO_KEY, escape: true, meta: true}};
	if (code < 0x20) return {input: String.fromCharCode(code + 0x60), key: {...NO_KEY, ctrl: true}};
	return {input: char, key: {...NO_KEY, shift: /^[A-Z]$/.test(char)}};
}

/**
 * The keys in what ink handed over as one input. Ink splits escape sequences (arrows,
 * PgUp, ...) from the text around them, but a run of text arrives whole: `j\r`,
 * `/pilot\r`. Such a run becomes one key per character.
 */
export function splitKeys(input: string, key: Key): KeyPress[] {
	const chars = Array.from(input);
	if (chars.length <= 1 || key.ctrl || key.meta || input.includes('\u001b')) return [{input, key}];
	return chars.map(char => ({...keyOf(char), pasted: true}));
}

/** A key that is text: a printable character with no modifier. */
export function isText(press: KeyPress): boolean {
	const {key} = press;
	return (
		press.input !== '' &&
		!key.ctrl &&
		!key.meta &&
		!key.return &&
		!key.tab &&
		!key.backspace &&
		!key.delete &&
		!key.escape &&
		/^\P{C}+$/u.test(press.input)
	);
}

export class KeyQueue {
	private keys: KeyPress[] = [];
	private handler: KeyHandler | null = null;
	/** A key was handled and its frame is not committed yet: the next one waits for it. */
	private waiting = false;
	private scheduled = false;

	constructor(
		private readonly redraw: () => void,
		private readonly interrupt: () => void,
	) {}

	push(presses: KeyPress[]): void {
		if (presses.some(press => press.key.ctrl && press.input === 'c')) {
			this.keys = [];
			this.interrupt();
			return;
		}
		this.keys.push(...presses);
		this.schedule();
	}

	/** The active mode's handler, registered at every commit: the next key goes to it. */
	register(handler: KeyHandler): void {
		this.handler = handler;
		this.waiting = false;
		this.schedule();
	}

	/** The printable keys at the head of the queue, as one text (a paste into the filter or an editor). */
	takeText(): string {
		let text = '';
		while (this.keys.length > 0 && isText(this.keys[0])) text += this.keys.shift()!.input;
		return text;
	}

	private schedule(): void {
		if (this.scheduled || this.waiting || this.keys.length === 0) return;
		this.scheduled = true;
		// Outside ink's input callback, so each key's state change renders before the next key.
		setImmediate(() => {
			this.scheduled = false;
			this.step();
		});
	}

	private step(): void {
		if (this.waiting || !this.handler || this.keys.length === 0) return;
		const press = this.keys.shift()!;
		this.waiting = true;
		this.handler(press, this);
		// A key that changed nothing still gets a commit, which registers the handler for the next.
		this.redraw();
	}
}

/** The one subscription to ink's input; returns the queue the mode hooks take keys from. */
export function useKeyQueue(interrupt: () => void): KeyQueue {
	const [, redraw] = useReducer((count: number) => count + 1, 0);
	const queue = useRef<KeyQueue | null>(null);
	queue.current ??= new KeyQueue(redraw, interrupt);
	useInput((input, key) => queue.current!.push(splitKeys(input, key)));
	return queue.current;
}

/** A mode's input hook: while `isActive`, keys go to `handler`, with this render's state. */
export function useModeInput(queue: KeyQueue, handler: KeyHandler, {isActive}: {isActive: boolean}): void {
	useLayoutEffect(() => {
		if (isActive) queue.register(handler);
	});
}
