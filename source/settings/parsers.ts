import path from 'node:path';
import type {NotifyCommand} from '../processes/notifier.js';

/** What a value is read against: `~` in a path is this home, a relative path is taken from `cwd`. */
export type Context = {home: string; cwd: string; env: NodeJS.ProcessEnv};

/**
 * Reads one value of a setting from wherever it was given: a flag or an environment
 * variable gives text, a config file any JSON value. `takes` completes the sentence
 * that refuses a value: "--refresh takes ...", "key "refreshMs" must be ...".
 */
export type Parser<T> = {
	takes: string;
	/** The value, or undefined when `raw` is not one. */
	read: (raw: unknown, context: Context) => T | undefined;
	/** For a value `read` refused: what exactly is wrong with it, when `takes` alone would not say. */
	why?: (raw: unknown, context: Context) => string | undefined;
};

export type ParsedBy<P> = P extends Parser<infer T> ? T : never;

function expandHome(value: string, home: string): string {
	return value === '~' || value.startsWith('~/') ? path.join(home, value.slice(1)) : value;
}

export const text: Parser<string> = {takes: 'text', read: raw => (typeof raw === 'string' && raw !== '' ? raw : undefined)};

/** A path, made absolute (what is printed names the file wherever it is read); `~/` at its start is the home folder. */
export const filePath: Parser<string> = {
	takes: 'a path',
	read: (raw, {home, cwd}) => (typeof raw === 'string' && raw !== '' ? path.resolve(cwd, expandHome(raw, home)) : undefined),
};

/** A flag given (true), a JSON boolean, or the text `true` / `false`. */
export const onOff: Parser<boolean> = {
	takes: 'true or false',
	read: raw => (typeof raw === 'boolean' ? raw : raw === 'true' ? true : raw === 'false' ? false : undefined),
};

/** `NO_COLOR`'s convention: any text turns colour off; a boolean says it directly. */
export const noColor: Parser<boolean> = {
	takes: 'any text',
	read: raw => (typeof raw === 'boolean' ? raw : typeof raw === 'string' ? false : undefined),
};

function finite(raw: unknown): number | undefined {
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A finite number that `accept` allows, times `scale` (seconds given, milliseconds kept). */
export function number(takes: string, accept: (value: number) => boolean, scale = 1): Parser<number> {
	return {
		takes,
		read: raw => {
			const value = finite(raw);
			return value !== undefined && accept(value) ? value * scale : undefined;
		},
	};
}

/** One of a fixed set of words. */
export function oneOf<const V extends string>(values: readonly V[]): Parser<V> {
	const takes = values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
	return {takes, read: raw => ((values as readonly unknown[]).includes(raw) ? (raw as V) : undefined)};
}

/**
 * A notifier: text (a flag, or a string in the file) is the user's shell command, run by
 * `/bin/sh -c`; a list in the file is a program and its arguments, run without a shell.
 */
export const notifyCommand: Parser<NotifyCommand> = {
	takes: 'a shell command, or (in the config file) a list of a program and its arguments',
	read: raw => {
		if (typeof raw === 'string') return raw.trim() === '' ? undefined : {shell: raw};
		const argv =
			Array.isArray(raw) && raw.length > 0 && raw.every(item => typeof item === 'string' && item !== '') ? (raw as string[]) : null;
		return argv ? {argv} : undefined;
	},
};
