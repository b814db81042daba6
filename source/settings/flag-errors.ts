import type {Context} from './parsers.js';
import type {AnySetting} from './table.js';
import {readValue} from './values.js';

/**
 * What parseArgs refused, said in the table's words: an unknown flag with the nearest
 * known one, a flag whose value is missing or starts with a dash with what it takes.
 */

/** Edits (insert, delete, replace, swap two neighbours) from `a` to `b`. */
function distance(a: string, b: string): number {
	const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
		}
	}
	return rows[a.length][b.length];
}

/** The one known flag within two edits of `name` (and closer than any other), if any. */
export function nearestFlag(table: readonly AnySetting[], name: string): string | null {
	const scored = table
		.filter(setting => setting.flag !== undefined)
		.map(setting => ({flag: setting.flag!, edits: distance(name, setting.flag!)}))
		.filter(({edits, flag}) => edits <= Math.min(2, Math.floor(flag.length / 2)))
		.sort((a, b) => a.edits - b.edits);
	return scored.length > 0 && scored[0].edits !== scored[1]?.edits ? scored[0].flag : null;
}

/** The sentence for a flag whose value parseArgs would not take (missing, or starting with a dash). */
function valueProblem(setting: AnySetting, argv: string[], context: Context): string {
	const name = `--${setting.flag}`;
	const next = argv[argv.indexOf(name) + 1];
	const nextIsFlag = next !== undefined && next.startsWith('--') && next.length > 2;
	if (next === undefined || nextIsFlag) return `${name} takes ${setting.parse.takes}; none was given`;
	const read = readValue(setting, setting.repeatable ? [next] : next, context, {name, kind: 'flag'});
	return 'problem' in read ? read.problem : `${name} ${next}: a value starting with a dash goes as ${name}=${next}`;
}

export function explainArgsError(table: readonly AnySetting[], argv: string[], error: Error, context: Context): string {
	const option = /^(?:Unknown option|Option) '(-[^' ]*)/.exec(error.message)?.[1];
	const code = (error as NodeJS.ErrnoException).code;
	if (option && code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
		const nearest = option.startsWith('--') ? nearestFlag(table, option.slice(2)) : null;
		return `Unknown option ${option}.${nearest ? ` Did you mean --${nearest}?` : ''}`;
	}
	const setting = table.find(setting => `--${setting.flag}` === option);
	if (setting?.valueName && code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return valueProblem(setting, argv, context);
	if (setting && code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${option} takes no value`;
	return error.message.replace(/\. To specify a positional argument.*$/s, '.');
}
