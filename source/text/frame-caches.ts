/**
 * The caches of ink's frame builder (its Output class), kept from one frame to the
 * next: the build puts one of these in place of the caches ink makes new for every
 * frame. A frame is mostly the lines of the one before, and ink splits every line
 * into styled characters (ANSI tokenizing, grapheme splitting) and measures every
 * character again at every frame. Values are
 * pure functions of their text and ink does not change them. What a frame does not
 * use is dropped at the next one, so the caches hold two frames at most (ink makes a
 * second Output for <Static> output, which the dashboard does not use: with it, one).
 */
export class FrameCaches<StyledChars> {
	private readonly styledChars: TwoFrameMap<string, StyledChars>;
	private readonly widths: TwoFrameMap<string, number>;
	private readonly blockWidths: TwoFrameMap<string, number>;

	constructor(compute: {styledChars: (line: string) => StyledChars; width: (text: string) => number}) {
		this.styledChars = new TwoFrameMap(compute.styledChars);
		this.widths = new TwoFrameMap(compute.width);
		this.blockWidths = new TwoFrameMap(text => {
			let widest = 0;
			for (const line of text.split('\n')) widest = Math.max(widest, this.getStringWidth(line));
			return widest;
		});
	}

	/** Called as ink starts a frame: what the last but one frame used and the last did not goes. */
	nextFrame(): this {
		this.styledChars.nextFrame();
		this.widths.nextFrame();
		this.blockWidths.nextFrame();
		return this;
	}

	getStyledChars(line: string): StyledChars {
		return this.styledChars.get(line);
	}

	getStringWidth(text: string): number {
		return this.widths.get(text);
	}

	getWidestLine(text: string): number {
		return this.blockWidths.get(text);
	}
}

/** A map computed on demand that keeps what this frame or the last one used. */
class TwoFrameMap<Key, Value> {
	private current = new Map<Key, Value>();
	private previous = new Map<Key, Value>();
	private readonly compute: (key: Key) => Value;

	constructor(compute: (key: Key) => Value) {
		this.compute = compute;
	}

	nextFrame(): void {
		this.previous = this.current;
		this.current = new Map();
	}

	get(key: Key): Value {
		if (this.current.has(key)) return this.current.get(key)!;
		const value = this.previous.has(key) ? this.previous.get(key)! : this.compute(key);
		this.current.set(key, value);
		return value;
	}
}

type StyleCode = {code: string};

/**
 * Whether two characters' styles are the same codes in the same order, so that going
 * from one to the other takes no escape code: ink writes every line of a frame by
 * diffing each character's styles from the one before (three sets per character);
 * the build has it skip the diff when this holds. The test checks it against that diff.
 */
export function sameStyles(from: readonly StyleCode[], to: readonly StyleCode[]): boolean {
	if (from === to) return true;
	if (from.length !== to.length) return false;
	for (let index = 0; index < from.length; index++) if (from[index].code !== to[index].code) return false;
	return true;
}
