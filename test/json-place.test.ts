import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {firstJsonError, jsonSyntaxError} from '../source/settings/json-place.js';

describe('where a config file stops being JSON', () => {
	const broken = [
		'{"db": ',
		'{\n  "db": "x"\n  "bell": true\n}',
		'{"a": tru}',
		'',
		'{"a": 1,}',
		'[1, 2',
		'{"a": "\\q"}',
		'{"a": "line\nbreak"}',
		'{"a": 01}',
		'{"a": -}',
		'{"a": 1} x',
		'{a: 1}',
		'\u00a0{}',
		'{"a": [1, {"b": [true, false, null, "\\u00e9", 1.5e3]}]',
	];

	it('finds the place JSON.parse names, where it names one', () => {
		for (const text of broken) {
			const error = (() => {
				try {
					JSON.parse(text);
				} catch (caught) {
					return caught as Error;
				}
				return assert.fail(`${JSON.stringify(text)} parsed`);
			})();
			const position = /at position (\d+)/.exec(error.message);
			if (position) assert.equal(firstJsonError(text), Number(position[1]), JSON.stringify(text));
			assert.match(jsonSyntaxError(text, error), /^\S.* at line \d+, column \d+$/);
			assert.doesNotMatch(jsonSyntaxError(text, error), /position|is not valid JSON/);
		}
		const valid = '{"a": [1, {"b": [true, false, null, "\\u00e9", 1.5e3]}]}';
		assert.equal(firstJsonError(valid), valid.length, 'valid JSON: its length');
	});

	it('counts lines and columns from 1', () => {
		const text = '{\n  "a": 1\n  "b": 2\n}';
		assert.equal(
			jsonSyntaxError(text, new Error("Expected ',' or '}' after property value in JSON at position 13")),
			"Expected ',' or '}' after property value at line 3, column 3",
		);
		assert.equal(
			jsonSyntaxError('{"a": tru}', new Error(`Unexpected token '}', "{"a": tru}" is not valid JSON`)),
			"Unexpected token '}' at line 1, column 10",
		);
	});
});
