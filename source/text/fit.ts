import stringWidth from 'string-width';

/**
 * Fits text into exactly `width` terminal cells: cut with an ellipsis when too
 * wide (by display width, so CJK and emoji count double), padded when short.
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', cutAt: 'end' | 'start' = 'end'): string {
	if (width <= 0) return '';
	let shown = text;
	let shownWidth = stringWidth(text);
	if (shownWidth > width) {
		// Keep the start (or, for paths whose file name matters, the end).
		const chars = cutAt === 'end' ? Array.from(text) : Array.from(text).reverse();
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

export {stringWidth};
