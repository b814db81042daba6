/**
 * Values placed in the markdown session log: already control-escaped (one line
 * each), these keep markdown syntax in a value from changing the log's structure.
 */

/** An inline code span that holds any text: the fence is longer than any backtick run inside. */
export function codeSpan(value: string): string {
	// A loop, not Math.max(...runs): a hostile value with ~500k runs would overflow the stack.
	let longestRun = 0;
	if (value.includes('`')) for (const match of value.matchAll(/`+/g)) longestRun = Math.max(longestRun, match[0].length);
	const fence = '`'.repeat(longestRun + 1);
	// CommonMark strips one space from each side of a span that begins and ends with one
	// (unless it is all spaces): pad such values too, or ' a ' would show as 'a'.
	const spaced = value.startsWith(' ') && value.endsWith(' ') && /[^ ]/.test(value);
	const pad = value.startsWith('`') || value.endsWith('`') || value === '' || spaced ? ' ' : '';
	return `${fence}${pad}${value}${pad}${fence}`;
}

/**
 * Plain text with markdown punctuation backslash-escaped. `&` too: a renderer decodes
 * entity references, and `&rlm;` or `&ZeroWidthSpace;` would bring back the invisible
 * characters escapeControls removed.
 */
export function markdownText(value: string): string {
	// An underscore between two letters or digits cannot start emphasis (CommonMark): `project_conflict` stays as written.
	return value.replace(/[\\`*{}[\]()<>#+!|~&]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&');
}
