/**
 * Everything read from the bus passes through here before it can reach a
 * terminal, a JSON document or the markdown log. Agents write arbitrary text,
 * including escape sequences; each control character becomes a visible escape,
 * so nothing can move the cursor, retitle the window, write the clipboard or
 * reorder text.
 */

// C0, DEL, C1; the bidi controls (ALM, LRM, RLM, embeddings/overrides, isolates);
// line/paragraph separators; zero-width and BOM characters that hide text.
const UNSAFE =
	// eslint-disable-next-line no-control-regex -- finding control characters is the point
	/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visibleEscape(char: string): string {
	const code = char.charCodeAt(0);
	return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every control, bidi and invisible formatting character becomes `\x1b`, `\u202e`, ... */
export function escapeControls(text: string): string {
	return text.replace(UNSAFE, visibleEscape);
}

/** Text typed or pasted by the operator, with every control, bidi and invisible formatting character removed. */
export function stripControls(text: string): string {
	return text.replace(UNSAFE, '');
}

/** Any value from a row, as safe text; NULL stays null. */
export function cleanText(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (typeof value === 'string') return escapeControls(value);
	if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (Buffer.isBuffer(value)) return `<blob ${value.length} bytes>`;
	// Never met from SQLite or JSON; named, not stringified.
	return `<${typeof value}>`;
}

/**
 * A value reduced to a safe file-name component: letters, digits, `.`, `_`, `-`;
 * never empty, never `.` or `..`, at most 64 characters.
 */
export function safeFileName(value: string, fallback: string): string {
	const reduced = value
		.normalize('NFKC')
		.replace(/[^A-Za-z0-9._-]+/g, '_')
		.replace(/\.{2,}/g, '_')
		.replace(/^[._-]+|[._-]+$/g, '')
		.slice(0, 64);
	return reduced === '' ? fallback : reduced;
}
