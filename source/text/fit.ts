import segmentedWidth from 'string-width';
import {standalone} from './graphemes.js';

/**
 * Characters one cell wide wherever they stand: the standalone graphemes
 * (source/text/graphemes.ts) but ESC and the soft hyphen (no width) and the two
 * emoji among the geometric shapes (two cells). The test checks each against
 * string-width.
 */
function narrow(code: number): boolean {
	return standalone(code) && code !== 0x1b && code !== 0xad && code !== 0x25fd && code !== 0x25fe;
}

/**
 * Display width in terminal cells: counted directly when every character is one wide
 * (a table's lines hold an ellipsis or a dash), else by string-width, which segments
 * every grapheme of any text that is not pure ASCII.
 */
export function stringWidth(text: string): number {
	return narrowWidth(text) ?? segmentedWidth(text);
}

/** The width of text whose every character is one cell wide, without segmenting it; null for any other text. The build gives ink's string-width this fast path too. */
export function narrowWidth(text: string): number | null {
	for (let index = 0; index < text.length; index++) {
		if (!narrow(text.charCodeAt(index))) return null;
	}
	return text.length;
}

/**
 * Fits text into exactly `width` terminal cells: cut with an ellipsis when too
 * wide (by display width, so CJK and emoji count double), padded when short.
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', cutAt: 'end' | 'start' = 'end'): string {
	if (width <= 0) return '';
	let shown = text;
	// Only the part that can show is measured: string-width segments every grapheme, which
	// takes seconds on 100 kB of non-ASCII text, on every frame. A window a few times the
	// width that is already too wide proves the whole is (the split grapheme at its edge
	// counts at most 2); a narrow window (combining marks) falls back to measuring it all.
	const window = width * 4 + 16;
	const part = text.length <= window ? null : cutAt === 'end' ? text.slice(0, window) : text.slice(-window);
	const overflows = part !== null && stringWidth(part) > width + 2;
	let shownWidth = overflows ? Infinity : stringWidth(text);
	if (shownWidth > width) {
		// Keep the start (or, for paths whose file name matters, the end).
		const source = overflows ? part : text;
		const chars = cutAt === 'end' ? Array.from(source) : Array.from(source).reverse();
		const kept: string[] = [];
		let keptWidth = 0;
		for (const char of chars) {
			const charWidth = stringWidth(char);
			if (keptWidth + charWidth > width - 1) break;
			kept.push(char);
			keptWidth += charWidth;
		}
		shown = cutAt === 'end' ? `${kept.join('')}…` : `…${kept.reverse().join('')}`;
		shownWidth = keptWidth + 1;
	}
	const pad = ' '.repeat(Math.max(0, width - shownWidth));
	return align === 'right' ? pad + shown : shown + pad;
}

/**
 * Breaks text into lines of at most `width` cells, at spaces where it can and
 * inside a word where it must; continuation lines start with `indent`.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
	if (width <= indent.length + 1 || stringWidth(text) <= width) return [text];
	const lines: string[] = [];
	let line = '';
	let lineWidth = 0;
	const limit = () => (lines.length === 0 ? width : width - indent.length);
	const push = () => {
		lines.push(lines.length === 0 ? line : indent + line);
		line = '';
		lineWidth = 0;
	};
	for (const word of text.split(/(?<= )/)) {
		const wordWidth = stringWidth(word);
		if (lineWidth > 0 && lineWidth + stringWidth(word.trimEnd()) > limit()) push();
		// The space after a word may hang past the width: it is trimmed at the break.
		if (stringWidth(word.trimEnd()) <= limit() - lineWidth) {
			line += word;
			lineWidth += wordWidth;
			continue;
		}
		for (const char of word) {
			const charWidth = stringWidth(char);
			if (lineWidth + charWidth > limit()) push();
			line += char;
			lineWidth += charWidth;
		}
	}
	if (line.trim() !== '') push();
	return lines.map(item => item.trimEnd());
}
