import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {cleanText, escapeControls, safeFileName} from '../source/text/sanitize.js';
import {codeSpan, markdownText} from '../source/text/markdown.js';
import {truncateEnd, truncateStart} from '../source/text/truncate.js';

/** Anything a terminal or a bidi-aware viewer would act on. */
const UNSAFE =
	/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Reverses the visible escapes (`\x1b`, `\u202e`); a literal backslash in the input is ambiguous, so tests avoid one. */
function unescapeVisible(text: string): string {
	return text.replace(/\\x([0-9a-f]{2})|\\u([0-9a-f]{4})/g, (_, x: string | undefined, u: string | undefined) =>
		String.fromCharCode(parseInt(x ?? u!, 16)),
	);
}

describe('escapeControls', () => {
	it('turns terminal escape sequences into visible text', () => {
		const cases: Array<[string, string]> = [
			['\x1b]0;title\x07', '\\x1b]0;title\\x07'],
			['\x1b[2J', '\\x1b[2J'],
			['\x1b[31mred\x1b[0m', '\\x1b[31mred\\x1b[0m'],
			['\x1b]52;c;aGk=\x07', '\\x1b]52;c;aGk=\\x07'],
			['\x1b]8;;http://x\x1b\\', '\\x1b]8;;http://x\\x1b\\'],
			['\u009b2J', '\\x9b2J'],
			['\u009d0;t\u009c', '\\x9d0;t\\x9c'],
			['a\x7fb', 'a\\x7fb'],
			['a\x00b', 'a\\x00b'],
			['one\ntwo', 'one\\x0atwo'],
			['one\r\ntwo', 'one\\x0d\\x0atwo'],
			['a\tb', 'a\\x09b'],
			['a\bb', 'a\\x08b'],
		];
		for (const [input, expected] of cases) {
			const out = escapeControls(input);
			assert.equal(out, expected, JSON.stringify(input));
			assert.doesNotMatch(out, UNSAFE);
		}
	});

	it('makes bidi controls, separators and zero-width characters visible', () => {
		const cases: Array<[string, string]> = [
			['abc\u202eevil', 'abc\\u202eevil'],
			['\u2066x\u2069', '\\u2066x\\u2069'],
			['\u202a\u202b\u202c\u202d', '\\u202a\\u202b\\u202c\\u202d'],
			['\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
			['pay\u200bpal', 'pay\\u200bpal'],
			['a\u2060b\ufeffc', 'a\\u2060b\\ufeffc'],
			['a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
		];
		for (const [input, expected] of cases) assert.equal(escapeControls(input), expected, JSON.stringify(input));
	});

	it('escapes lone surrogates but keeps surrogate pairs', () => {
		assert.equal(escapeControls('a\ud800b'), 'a\\ud800b');
		assert.equal(escapeControls('a\udc00b'), 'a\\udc00b');
		assert.equal(escapeControls('\ud83d'), '\\ud83d');
		assert.equal(escapeControls('\ud800\ud800\udc00'), '\\ud800\ud800\udc00');
		assert.equal(escapeControls('\ud800\udc00\udc00'), '\ud800\udc00\\udc00');
		assert.equal(escapeControls('😀'), '😀');
	});

	it('escapes every C0, DEL and C1 code point, reversibly', () => {
		const codes = [...Array.from({length: 0x20}, (_, i) => i), ...Array.from({length: 0x21}, (_, i) => 0x7f + i)];
		for (const code of codes) {
			const char = String.fromCharCode(code);
			const out = escapeControls(`<${char}>`);
			assert.match(out, /^<\\(x[0-9a-f]{2}|u[0-9a-f]{4})>$/, `U+${code.toString(16)}`);
			assert.equal(unescapeVisible(out), `<${char}>`);
		}
	});

	it('leaves ordinary unicode alone', () => {
		const samples = [
			'hello, world',
			'😀 🎉 👍🏽 🇫🇷 ❤️',
			'漢字かなカナ 한국어',
			'café naïve Ångström façade',
			'Ελληνικά кириллица עברית العربية',
			'/Users/halcasteel/PROJECTS/coditect-rollout-master',
			'~!@#$%^&*()_+{}|:"<>?`-=[];\',./',
		];
		for (const text of samples) {
			assert.equal(escapeControls(text), text);
		}
	});
});

describe('cleanText', () => {
	it('keeps NULL as null, renders numbers and blobs, escapes text', () => {
		assert.equal(cleanText(null), null);
		assert.equal(cleanText(undefined), null);
		assert.equal(cleanText(42), '42');
		assert.equal(cleanText(1.5), '1.5');
		assert.equal(cleanText(9007199254740993n), '9007199254740993');
		assert.equal(cleanText(Buffer.from([0x1b, 0x5b, 0x32, 0x4a])), '<blob 4 bytes>');
		assert.equal(cleanText('\x1b[2J'), '\\x1b[2J');
	});
});

describe('safeFileName', () => {
	const hostile = [
		'../../x',
		'..',
		'.',
		'...',
		'',
		'/',
		'//',
		'../',
		'..\\..\\x',
		'a/../../b',
		'/etc/passwd',
		'\x00',
		'\x1b[2J',
		'\u202e',
		' ',
		'-',
		'_',
		'.hidden',
		'-rf',
		'\u2025',
		'\uff0e\uff0e\uff0fx',
		'x'.repeat(500),
		'.'.repeat(100),
		'a'.repeat(63) + '..b',
	];

	it('never yields a path, a dot name or an empty name', () => {
		for (const value of hostile) {
			const name = safeFileName(value, 'unknown');
			const label = JSON.stringify(value);
			assert.notEqual(name, '', label);
			assert.notEqual(name, '.', label);
			assert.notEqual(name, '..', label);
			assert.ok(!name.includes('/'), label);
			assert.ok(!name.includes('\\'), label);
			assert.ok(!name.includes('..'), label);
			assert.match(name, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, label);
		}
	});

	it('reduces ../../x to x and keeps ordinary names', () => {
		assert.equal(safeFileName('../../x', 'unknown'), 'x');
		assert.equal(safeFileName('PILOT', 'unknown'), 'PILOT');
		assert.equal(safeFileName('my-project_1.2', 'unknown'), 'my-project_1.2');
		assert.equal(safeFileName('my project', 'unknown'), 'my_project');
		assert.equal(safeFileName('..', 'unknown'), 'unknown');
		assert.equal(safeFileName('', 'unknown'), 'unknown');
		assert.equal(safeFileName('x'.repeat(500), 'unknown').length, 64);
	});
});

/** What a CommonMark renderer shows for a code span (spec 6.1), or null when `span` is not exactly one. */
function renderCodeSpan(span: string): string | null {
	const open = /^`+/.exec(span)?.[0];
	if (!open || !span.endsWith(open) || span.length < open.length * 2) return null;
	let inner = span.slice(open.length, span.length - open.length);
	if (inner.endsWith('`')) return null; // the closing run would be longer than the opening one
	// No backtick run of exactly the fence length may occur inside.
	for (const run of inner.match(/`+/g) ?? []) if (run.length === open.length) return null;
	inner = inner.replace(/\n/g, ' ');
	if (inner.length >= 2 && inner.startsWith(' ') && inner.endsWith(' ') && /[^ ]/.test(inner)) inner = inner.slice(1, -1);
	return inner;
}

describe('codeSpan', () => {
	it('holds backticks and spaces: a markdown renderer shows the value exactly', () => {
		const values = [
			'plain',
			'a`b',
			'`',
			'``',
			'```',
			'a``b`c',
			'`leading',
			'trailing`',
			'```x```',
			' a ',
			'  two  ',
			' lead',
			'trail ',
			' ',
			'` `',
			'x'.repeat(1000),
		];
		for (const value of values) {
			const span = codeSpan(value);
			assert.equal(renderCodeSpan(span), value, `${JSON.stringify(value)} -> ${JSON.stringify(span)}`);
		}
	});

	it('handles a huge value with hundreds of thousands of backtick runs', () => {
		const value = '`a'.repeat(500_000);
		const span = codeSpan(value);
		assert.equal(span, `\`\` ${value} \`\``);
	});

	it('uses a single backtick fence when nothing needs more', () => {
		assert.equal(codeSpan('/Users/x/project'), '`/Users/x/project`');
	});

	it('never yields an empty span', () => {
		const span = codeSpan('');
		assert.ok(span.startsWith('`') && span.endsWith('`'));
		assert.notEqual(span, '``');
	});
});

describe('markdownText', () => {
	it('backslash-escapes markdown punctuation', () => {
		for (const char of ['*', '_', '[', ']', '#', '|', '`', '\\', '<', '>', '(', ')', '!', '~', '+', '{', '}', '&']) {
			assert.equal(markdownText(char), `\\${char}`, char);
		}
		assert.equal(markdownText('**bold** [link](http://x) # h'), '\\*\\*bold\\*\\* \\[link\\]\\(http://x\\) \\# h');
		assert.equal(markdownText('a|b|c'), 'a\\|b\\|c');
	});

	it('keeps entity references from decoding into hidden characters', () => {
		// Rendered as markdown, `&rlm;` is a right-to-left mark and `&ZeroWidthSpace;` hides text.
		assert.equal(markdownText('&rlm;evil'), '\\&rlm;evil');
		assert.equal(markdownText('pay&ZeroWidthSpace;pal'), 'pay\\&ZeroWidthSpace;pal');
		assert.equal(markdownText('&amp;'), '\\&amp;');
		assert.doesNotMatch(markdownText('&#x202e;'), /&#/);
	});

	it('leaves plain text alone and round-trips', () => {
		assert.equal(markdownText('plain text 123, ok.'), 'plain text 123, ok.');
		assert.equal(markdownText('漢字 😀'), '漢字 😀');
		const value = 'a*b_c[d]e#f|g`h\\i<j>k(l)m!n~o+p{q}r&s';
		assert.equal(markdownText(value).replace(/\\([!-/:-@[-`{-~])/g, '$1'), value);
	});
});

describe('truncateEnd / truncateStart', () => {
	it('keeps short text whole', () => {
		assert.equal(truncateEnd('hello', 5), 'hello');
		assert.equal(truncateEnd('hello', 10), 'hello');
		assert.equal(truncateStart('hello', 5), 'hello');
		assert.equal(truncateEnd('', 3), '');
	});

	it('cuts to exactly max code points with an ellipsis', () => {
		assert.equal(truncateEnd('hello world', 5), 'hell…');
		assert.equal(Array.from(truncateEnd('x'.repeat(100), 10)).length, 10);
		assert.equal(truncateStart('/a/b/c/file.ts', 8), '…file.ts');
		assert.equal(Array.from(truncateStart('y'.repeat(100), 10)).length, 10);
	});

	it('never splits a surrogate pair', () => {
		const emoji = '😀😀😀😀';
		assert.equal(truncateEnd(emoji, 4), emoji);
		assert.equal(truncateEnd(emoji, 3), '😀😀…');
		assert.equal(truncateStart(emoji, 3), '…😀😀');
		for (let max = 0; max <= 5; max++) {
			assert.doesNotMatch(truncateEnd(emoji, max), UNSAFE);
			assert.doesNotMatch(truncateStart(emoji, max), UNSAFE);
		}
	});

	it('handles tiny limits', () => {
		assert.equal(truncateEnd('hello', 1), '…');
		assert.equal(truncateEnd('hello', 0), '');
		assert.equal(truncateStart('hello', 1), '…');
		assert.equal(truncateStart('hello', 0), '');
	});
});
