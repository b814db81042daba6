import fs from 'node:fs';
import {parseArgs} from 'node:util';
import {UsageError} from '../exit-codes.js';
import type {Context, ParsedBy, Parser} from './parsers.js';
import {jsonSyntaxError} from './json-place.js';
import {readValue} from './values.js';
import {explainArgsError} from './flag-errors.js';

/**
 * What a settings table is, and what follows from one: the options for node's
 * parseArgs, the flags read through each setting's parser, the defaults, the config
 * file's checking and the environment's overrides. Generic over the record a table
 * fills, so a test can prove the mechanism on a table of its own.
 */

export type HelpGroup = 'views' | 'options';

type Common = {
	/** The value's name in --help (`--db PATH`); a flag without one is a switch. */
	valueName?: string;
	/** An environment variable; set but empty, it is ignored. */
	env?: string;
	/** The key in the config file. */
	fileKey?: string;
	/** --help's words for a default that is no single value (`the registered ancestor process`). */
	defaultHelp?: string;
};

/** `--name` on the command line, with its line in --help; or no flag at all. */
type Flag = {flag: string; help: string; group: HelpGroup} | {flag?: undefined; help?: undefined; group?: undefined};

type ItemOf<L> = L extends ReadonlyArray<infer I> ? I : never;

/** What only a list can get wrong (two items named alike), said as a problem; undefined: none. */
type ListCheck<Item> = {checkList?(items: readonly Item[]): string | undefined};

/**
 * A setting that fills `field`. Its default is written as a user would give it and read
 * by `parse` like any other value (null: none). A repeatable setting parses items: a flag
 * given several times, or a JSON list in the file, gives a list. With `flagsAdd`, flags
 * add their items to the list from the file and environment instead of replacing it.
 */
type FieldSetting<Target, K extends keyof Target> = Common &
	Flag & {field: K; default: unknown} & (
		| {repeatable?: false; parse: Parser<Target[K]>}
		| ({repeatable: true; flagsAdd?: boolean; parse: Parser<ItemOf<Target[K]>>} & ListCheck<ItemOf<Target[K]>>)
	);

/** A flag that chooses what to run (--once, --help) rather than fill a field. */
type CommandFlag = Common & Flag & {field?: undefined; flag: string; repeatable?: boolean; parse: Parser<unknown>};

export type Setting<Target> = {[K in keyof Target]-?: FieldSetting<Target, K>}[keyof Target] | CommandFlag;

/** Any entry of any table, as the mechanism below sees it. */
export type AnySetting = Common & {
	flag?: string;
	help?: string;
	group?: HelpGroup;
	field?: PropertyKey;
	repeatable?: boolean;
	flagsAdd?: boolean;
	parse: Parser<unknown>;
	default?: unknown;
} & ListCheck<unknown>;

type FlagValue<E> = E extends {valueName: string; parse: infer P}
	? E extends {repeatable: true}
		? Array<ParsedBy<P>>
		: ParsedBy<P> | undefined
	: boolean;

/** Each flag of a table by its name: a switch is a boolean, a list is a list, a value is undefined when not given. */
export type FlagsOf<Table extends readonly unknown[]> = {
	[E in Table[number] as E extends {flag: infer N extends string} ? N : never]: FlagValue<E>;
};

export type Target = Record<PropertyKey, unknown>;

/** The defaults of every field, each read by its own parser. */
export function tableDefaults(table: readonly AnySetting[], context: Context): Target {
	const target: Target = {};
	for (const setting of table) {
		if (setting.field === undefined) continue;
		if (setting.default === null) {
			target[setting.field] = null;
			continue;
		}
		const read = readValue(setting, setting.default, context, {name: `the default of ${String(setting.field)}`, kind: 'default'});
		if ('problem' in read) throw new Error(read.problem);
		target[setting.field] = read.value;
	}
	return target;
}

export function argsOptions(table: readonly AnySetting[]) {
	return Object.fromEntries(
		table
			.filter(setting => setting.flag !== undefined)
			.map(setting => [setting.flag!, {type: setting.valueName ? 'string' : 'boolean', multiple: setting.repeatable === true}] as const),
	);
}

/** Reads argv: every flag's value through its parser. A value refused is a UsageError. */
export function readFlags(table: readonly AnySetting[], argv: string[], context: Context): {flags: Target; input: string[]} {
	let parsed;
	try {
		parsed = parseArgs({args: argv, strict: true, allowPositionals: true, options: argsOptions(table)});
	} catch (error) {
		throw new UsageError(explainArgsError(table, argv, error as Error, context));
	}
	const flags: Target = {};
	for (const setting of table) {
		if (setting.flag === undefined) continue;
		const raw = parsed.values[setting.flag];
		if (!setting.valueName) flags[setting.flag] = raw === true;
		else if (raw === undefined) flags[setting.flag] = setting.repeatable ? [] : undefined;
		else {
			const read = readValue(setting, raw, context, {name: `--${setting.flag}`, kind: 'flag'});
			if ('problem' in read) throw new UsageError(read.problem);
			flags[setting.flag] = read.value;
		}
	}
	return {flags, input: parsed.positionals};
}

/**
 * Flags given override `target`: a switch only when on, a list only when given (or add
 * to it, with `flagsAdd`; a list that the addition makes wrong is a UsageError).
 */
export function applyFlags(table: readonly AnySetting[], target: Target, flags: Target): void {
	for (const setting of table) {
		if (setting.field === undefined || setting.flag === undefined) continue;
		const value = flags[setting.flag];
		if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) continue;
		if (!setting.flagsAdd || !Array.isArray(value)) {
			target[setting.field] = value;
			continue;
		}
		const list: unknown[] = [...(target[setting.field] as unknown[]), ...(value as unknown[])];
		const problem = setting.checkList?.(list);
		if (problem !== undefined) throw new UsageError(`--${setting.flag}: ${problem}`);
		target[setting.field] = list;
	}
}

/** Environment variables override `target`; a value refused leaves it and says why. */
export function applyEnvironment(table: readonly AnySetting[], target: Target, context: Context): string[] {
	const warnings: string[] = [];
	for (const setting of table) {
		const raw = setting.env === undefined ? undefined : context.env[setting.env];
		if (setting.field === undefined || !raw) continue;
		const read = readValue(setting, setting.repeatable ? [raw] : raw, context, {name: setting.env!, kind: 'env'});
		if ('problem' in read) warnings.push(`environment: ${read.problem}; ignored`);
		else target[setting.field] = read.value;
	}
	return warnings;
}

/**
 * A config file that cannot be read or is not JSON: the run stops (exit 2) rather than
 * guess what it meant to say.
 */
export class ConfigFileError extends UsageError {
	constructor(message: string) {
		super(message, false);
	}
}

/**
 * Applies a config file onto `target`; returns one warning per bad key, naming the file
 * and the key, which keeps its value. A missing file is no problem unless required; an
 * unreadable one, or one that is not JSON, throws a ConfigFileError.
 */
export function applyFile(table: readonly AnySetting[], target: Target, file: string, required: boolean, context: Context): string[] {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' && !required) return [];
		throw new ConfigFileError(
			`config file ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${(error as Error).message})`}`,
		);
	}
	// An editor's byte order mark is no part of the JSON.
	if (text.startsWith('\uFEFF')) text = text.slice(1);
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new ConfigFileError(`config file ${file}: not valid JSON: ${jsonSyntaxError(text, error as Error)}`);
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
		return [`config file ${file}: must hold a JSON object; using defaults`];
	const byKey = new Map(table.filter(setting => setting.fileKey !== undefined).map(setting => [setting.fileKey!, setting]));
	const warnings: string[] = [];
	for (const [key, raw] of Object.entries(parsed)) {
		const setting = byKey.get(key);
		if (setting?.field === undefined) {
			warnings.push(`config file ${file}: unknown key "${key}" (known: ${[...byKey.keys()].join(', ')}); ignored`);
			continue;
		}
		const read = readValue(setting, raw, context, {name: `key "${key}"`, kind: 'file'});
		if ('problem' in read) warnings.push(`config file ${file}: ${read.problem}; using the default`);
		else target[setting.field] = read.value;
	}
	return warnings;
}
