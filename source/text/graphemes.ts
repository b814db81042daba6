/**
 * Characters that are a grapheme cluster of their own whatever stands beside them
 * (Grapheme_Cluster_Break Other or Control, none of the emoji, Hangul, Indic or
 * regional-indicator sequences): ESC, printable ASCII, Latin-1 and Latin Extended,
 * general punctuation, arrows, box drawing, blocks and geometric shapes. The test
 * checks every pair of them against Intl.Segmenter.
 */
export function standalone(code: number): boolean {
	if ((code >= 0x20 && code <= 0x7e) || code === 0x1b) return true;
	if (code < 0xa0) return false;
	if (code <= 0x2ff) return true;
	return (code >= 0x2010 && code <= 0x2027) || (code >= 0x2190 && code <= 0x21ff) || (code >= 0x2500 && code <= 0x25ff);
}

type Segment = {segment: string; index: number; input: string};

/**
 * Intl.Segmenter's grapheme segmentation, for the modules that measure and cut
 * every line of every frame (ink's text tokenizer, slice-ansi, string-width; the
 * build puts it in place of their own). Text of standalone characters, a frame's
 * usual text, is split one character per grapheme without ICU; anything else goes
 * to an Intl.Segmenter, created at its first use: creating the first one loads
 * ICU's break rules, some 15 ms of a start.
 */
export class GraphemeSegmenter {
	private readonly locales: string | string[] | undefined;
	private readonly options: Intl.SegmenterOptions | undefined;
	private segmenter: Intl.Segmenter | null = null;

	constructor(locales?: string | string[], options?: Intl.SegmenterOptions) {
		if (options?.granularity !== undefined && options.granularity !== 'grapheme') throw new RangeError('GraphemeSegmenter splits graphemes only');
		this.locales = locales;
		this.options = options;
	}

	segment(input: string): Iterable<Segment> {
		for (let index = 0; index < input.length; index++) {
			if (!standalone(input.charCodeAt(index))) {
				this.segmenter ??= new Intl.Segmenter(this.locales, this.options);
				return this.segmenter.segment(input);
			}
		}
		return standaloneSegments(input);
	}
}

function* standaloneSegments(input: string): Generator<Segment> {
	for (let index = 0; index < input.length; index++) yield {segment: input[index]!, index, input};
}
