import {EXIT_CODES, EXIT_CODE_MEANINGS} from '../exit-codes.js';
import type {AnySetting, HelpGroup} from './table.js';

/**
 * `--help` from a settings table, in meow's form: description, usage, the view flags,
 * the options with their defaults and environment variables, exit codes, examples.
 */

/** `(default: 300; env: SESSION_STATUS_DB)`: what a flag falls back on. */
function fallbacks(setting: AnySetting): string {
	const shown =
		setting.defaultHelp ?? (typeof setting.default === 'string' || typeof setting.default === 'number' ? setting.default : null);
	const parts = [...(shown === null ? [] : [`default: ${shown}`]), ...(setting.env ? [`env: ${setting.env}`] : [])];
	return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** The help's width: descriptions wrap under their column past it. */
const HELP_WIDTH = 100;

/** Words of `text` in lines of at most `width` characters (help text is plain ASCII). */
function wrapWords(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		if (line !== '' && line.length + 1 + word.length > width) {
			lines.push(line);
			line = word;
		} else line = line === '' ? word : `${line} ${word}`;
	}
	return [...lines, line];
}

const flagText = (setting: AnySetting) => `--${setting.flag}${setting.valueName ? ` ${setting.valueName}` : ''}`;

// Two columns, as `0  ok                     5  database locked (gave up)`.
function exitCodeLines(): string[] {
	const entries = (Object.keys(EXIT_CODES) as Array<keyof typeof EXIT_CODES>).map(key => `${EXIT_CODES[key]}  ${EXIT_CODE_MEANINGS[key]}`);
	const half = Math.ceil(entries.length / 2);
	return entries.slice(0, half).map((left, row) => `    ${entries[half + row] ? `${left.padEnd(25)}${entries[half + row]}` : left}`);
}

export function renderHelp(table: readonly AnySetting[], description: string): string {
	const flags = table.filter(setting => setting.flag !== undefined);
	// One column for every flag, two spaces wider than the longest.
	const width = Math.max(...flags.map(setting => flagText(setting).length)) + 2;
	const section = (group: HelpGroup) =>
		flags
			.filter(setting => setting.group === group)
			.flatMap(setting =>
				wrapWords(`${setting.help}${fallbacks(setting)}`, Math.max(30, HELP_WIDTH - 4 - width)).map(
					(line, index) => `    ${(index === 0 ? flagText(setting) : '').padEnd(width)}${line}`,
				),
			);
	return [
		'',
		`  ${description}`,
		'',
		'  Usage',
		'    $ session-status [options]          live dashboard (or the printed one when stdout is not a terminal)',
		'    $ session-status demo [options]     the dashboard on a demo bus with live simulated agents',
		'',
		'  Views (print that section with --once; open the dashboard on it otherwise)',
		...section('views'),
		'',
		'  Options',
		...section('options'),
		'',
		'  Exit codes',
		...exitCodeLines(),
		"    The first that applies: 3-5 (this machine's bus), 6, 7 (a remote not read), 8 (on any machine).",
		'',
		'  Examples',
		'    $ session-status',
		'    $ session-status --once --no-log',
		'    $ session-status --alerts --once',
		"    $ session-status --json --db ./messaging.db | jq '.sessions[].state'",
		'',
	].join('\n');
}
