import {codeSpan, markdownText} from '../text/markdown.js';
import {truncateEnd} from '../text/truncate.js';

/**
 * How a value is placed in the printed dashboard, the markdown log or the live
 * dashboard. Values are already control-escaped when read (bus/rows.ts); the log also keeps markdown
 * in a value from changing the entry's structure and keeps every value whole; the
 * printed view and the live dashboard cut very long values, and the live dashboard
 * shows code as plain text.
 */
export type Flavor = 'terminal' | 'log' | 'plain';

export type ValueFormat = {
	/** Plain text inside a sentence. */
	text: (value: string) => string;
	/** A code span: UUIDs, paths. */
	code: (value: string) => string;
};

export const TERMINAL_VALUE_LIMIT = 1000;

const terminalFormat: ValueFormat = {
	text: value => truncateEnd(value, TERMINAL_VALUE_LIMIT),
	code: value => codeSpan(truncateEnd(value, TERMINAL_VALUE_LIMIT)),
};

const logFormat: ValueFormat = {
	text: markdownText,
	code: codeSpan,
};

const plainFormat: ValueFormat = {
	text: value => truncateEnd(value, TERMINAL_VALUE_LIMIT),
	code: value => truncateEnd(value, TERMINAL_VALUE_LIMIT),
};

const FORMATS: Record<Flavor, ValueFormat> = {terminal: terminalFormat, log: logFormat, plain: plainFormat};

export function valueFormat(flavor: Flavor): ValueFormat {
	return FORMATS[flavor];
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
	if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
	return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export const RULE = '='.repeat(50);
