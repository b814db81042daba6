import type {Context} from './parsers.js';
import type {AnySetting} from './table.js';

/** One value of a setting through its parser, with the sentence that refuses it. */

/** Where a value came from: a flag's refusal says "takes", the others "must be"; file lists name the item. */
export type Source = {name: string; kind: 'flag' | 'env' | 'file' | 'default'};

/** A short glimpse of a refused value: the value itself unless it is long or structured. */
function shown(raw: unknown): string {
	const text = JSON.stringify(raw) ?? '';
	return typeof raw === 'object' || text === '' || text.length > 60 ? '' : `, not ${text}`;
}

export type Read = {value: unknown} | {problem: string};

/** One value, or (for a repeatable setting) a list of them, through the setting's parser. */
export function readValue(setting: AnySetting, raw: unknown, context: Context, source: Source): Read {
	const verb = source.kind === 'flag' ? 'takes' : 'must be';
	const one = (item: unknown, subject: string): Read => {
		const value = setting.parse.read(item, context);
		if (value !== undefined) return {value};
		const why = setting.parse.why?.(item, context);
		return {problem: why === undefined ? `${subject} ${verb} ${setting.parse.takes}${shown(item)}` : `${subject}: ${why}`};
	};
	if (!setting.repeatable) return one(raw, source.name);
	if (!Array.isArray(raw)) return {problem: `${source.name} ${verb} a list of ${setting.parse.takes}`};
	const values: unknown[] = [];
	for (const [index, item] of raw.entries()) {
		const read = one(item, source.kind === 'file' ? `${source.name} item ${index + 1}` : source.name);
		if ('problem' in read) return read;
		values.push(read.value);
	}
	const problem = setting.checkList?.(values);
	return problem === undefined ? {value: values} : {problem: `${source.name}: ${problem}`};
}
