/**
 * Characters that are a grapheme cluster of their own whatever stands beside them:
 * ESC, printable ASCII, Latin-1 and Latin Extended, general punctuation, arrows, box
 * drawing, blocks and geometric shapes. Each breaks as Other or Control, and none is
 * CR, LF, Extend, ZWJ, a variation selector, a regional indicator, Hangul or Prepend,
 * so no rule that looks past the two characters beside a break can join them (© or ▶
 * are emoji, but only with a selector or a joiner beside them). The test checks every
 * pair against Intl.Segmenter.
 */
export function standalone(code: number): boolean {
	if ((code >= 0x20 && code <= 0x7e) || code === 0x1b) return true;
	if (code < 0xa0) return false;
	if (code <= 0x2ff) return true;
	return (code >= 0x2010 && code <= 0x2027) || (code >= 0x2190 && code <= 0x21ff) || (code >= 0x2500 && code <= 0x25ff);
}

/**
 * Intl.Segmenter's grapheme segmentation, for the modules that measure and cut
 * every line of every frame (ink's text tokenizer, string-width, and slice-ansi when
 * ink truncates; the build puts it in place of their own). Text of standalone
 * characters, a frame's usual text, is split one character per grapheme without ICU;
 * anything else goes to an Intl.Segmenter, created at its first use (the first one
 * loads ICU's break rules, which a start need not pay for).
 */
export class GraphemeSegmenter {
	private readonly locales: string | string[] | undefined;
	private readonly options: Intl.SegmenterOptions | undefined;
	private segmenter: Intl.Segmenter | null = null;

	constructor(locales?: string | string[], options?: Intl.SegmenterOptions) {
		if (options?.granularity !== undefined && options.granularity !== 'grapheme')
			throw new RangeError('GraphemeSegmenter splits graphemes only');
		this.locales = locales;
		this.options = options;
	}

	segment(input: string): Intl.Segments {
		for (let index = 0; index < input.length; index++) {
			if (!standalone(input.charCodeAt(index))) {
				this.segmenter ??= new Intl.Segmenter(this.locales, this.options);
				return this.segmenter.segment(input);
			}
		}
		return new StandaloneSegments(input);
	}
}

/** Intl.Segments (iterable, and `containing`, which slice-ansi uses) of text whose every character is a grapheme. */
class StandaloneSegments implements Intl.Segments {
	private readonly input: string;

	constructor(input: string) {
		this.input = input;
	}

	containing(codeUnitIndex?: number): Intl.SegmentData | undefined {
		// As Intl.Segments does: the index truncated to an integer, NaN and undefined read as 0.
		const index = Math.trunc(Number(codeUnitIndex)) || 0;
		return index >= 0 && index < this.input.length ? {segment: this.input[index], index, input: this.input} : undefined;
	}

	*[Symbol.iterator](): IterableIterator<Intl.SegmentData> {
		for (let index = 0; index < this.input.length; index++) yield {segment: this.input[index], index, input: this.input};
	}
}
