import stringWidth from 'string-width';

/**
 * Fits text into exactly `width` terminal cells: cut with an ellipsis when too
 * wide (by display width, so CJK and emoji count double), padded when short.
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	if (width <= 0) return '';
	let shown = text;
	let shownWidth = stringWidth(text);
	if (shownWidth > width) {
		let cut = '';
		let cutWidth = 0;
		for (const char of text) {
			const charWidth = stringWidth(char);
			if (cutWidth + charWidth > width - 1) break;
			cut += char;
			cutWidth += charWidth;
		}
		shown = `${cut}…`;
		shownWidth = cutWidth + 1;
	}
	const pad = ' '.repeat(Math.max(0, width - shownWidth));
	return align === 'right' ? pad + shown : shown + pad;
}

export {stringWidth};
