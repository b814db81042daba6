/** Cuts text to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncateEnd(text: string, max: number): string {
	if (text.length <= max) return text;
	const chars = Array.from(text);
	if (chars.length <= max) return text;
	return max <= 1 ? '…'.slice(0, max) : `${chars.slice(0, max - 1).join('')}…`;
}

/** Keeps the end (the file name of a path), marking the cut at the start. */
export function truncateStart(text: string, max: number): string {
	const chars = Array.from(text);
	if (chars.length <= max) return text;
	return max <= 1 ? '…'.slice(0, max) : `…${chars.slice(chars.length - max + 1).join('')}`;
}
