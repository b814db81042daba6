/**
 * Says where JSON text goes wrong as a line and a column, which a person can find in an
 * editor, where JSON.parse gives a character offset, or (for an unexpected token) no
 * place at all and the whole text instead.
 */

class NotJson extends Error {
	constructor(readonly at: number) {
		super(`not JSON from offset ${at}`);
	}
}

/** The offset of the first character at which `text` stops being JSON (its length when it ends too soon). */
export function firstJsonError(text: string): number {
	let at = 0;
	const fail = (): never => {
		throw new NotJson(at);
	};
	const space = () => {
		while (' \t\n\r'.includes(text[at] ?? 'x')) at++;
	};
	const expect = (char: string) => (text[at] === char ? at++ : fail());
	const string = () => {
		expect('"');
		for (;;) {
			const char = text[at];
			if (char === undefined || char < ' ') fail();
			if (char === '"') return at++;
			if (char === '\\') {
				at++;
				const escape = /^(["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(text.slice(at, at + 5));
				if (!escape) fail();
				at += escape![0].length;
			} else at++;
		}
	};
	const digit = () => (text[at] ?? 'x') >= '0' && (text[at] ?? 'x') <= '9';
	const digits = () => {
		if (!digit()) fail();
		while (digit()) at++;
	};
	const number = () => {
		if (text[at] === '-') at++;
		if (text[at] === '0') at++;
		else digits();
		if (text[at] === '.') {
			at++;
			digits();
		}
		if (text[at] === 'e' || text[at] === 'E') {
			at++;
			if (text[at] === '+' || text[at] === '-') at++;
			digits();
		}
	};
	const list = (close: string, item: () => void) => {
		at++;
		space();
		if (text[at] === close) return at++;
		for (;;) {
			item();
			space();
			if (text[at] === close) return at++;
			expect(',');
		}
	};
	const value = (): void => {
		space();
		const char = text[at];
		if (char === '{')
			list('}', () => {
				space();
				string();
				space();
				expect(':');
				value();
			});
		else if (char === '[') list(']', value);
		else if (char === '"') string();
		else if (char === '-' || digit()) number();
		else {
			// As JSON.parse does: a word goes wrong at its first wrong character.
			const word = ['true', 'false', 'null'].find(word => word[0] === char) ?? fail();
			for (const letter of word) expect(letter);
		}
	};
	try {
		value();
		space();
		if (at < text.length) fail();
	} catch (error) {
		if (!(error instanceof NotJson)) throw error;
		return error.at;
	}
	return text.length;
}

/** `Unexpected token '}' at line 3, column 1`: JSON.parse's complaint, placed by line and column (from 1). */
export function jsonSyntaxError(text: string, error: Error): string {
	const position = / at position (\d+)/.exec(error.message);
	const offset = position ? Number(position[1]) : firstJsonError(text);
	const lines = text.slice(0, offset).split('\n');
	const what = error.message
		.replace(/(\s+in JSON)? at position \d+.*$/s, '')
		.replace(/, ".*" is not valid JSON$/s, '')
		.replace(/\s+\(line \d+ column \d+\)$/, '');
	return `${what} at line ${lines.length}, column ${lines.at(-1)!.length + 1}`;
}
