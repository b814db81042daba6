/**
 * Values placed in the markdown session log: already control-escaped (one line
 * each), these keep markdown syntax in a value from changing the log's structure.
 */

/** An inline code span that holds any text: the fence is longer than any backtick run inside. */
export function codeSpan(value: string): string {
	const longestRun = Math.max(0, ...Array.from(value.matchAll(/`+/g), match => match[0].length));
	const fence = '`'.repeat(longestRun + 1);
	const pad = value.startsWith('`') || value.endsWith('`') || value === '' ? ' ' : '';
	return `${fence}${pad}${value}${pad}${fence}`;
}

/** Plain text with markdown punctuation backslash-escaped. */
export function markdownText(value: string): string {
	return value.replace(/[\\`*_{}[\]()<>#+!|~]/g, '\\$&');
}
