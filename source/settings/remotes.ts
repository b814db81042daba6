import path from 'node:path';
import type {RemoteSpec} from '../fleet/transport.js';
import {LOCAL_NAME} from '../fleet/types.js';
import {escapeControls} from '../text/sanitize.js';
import type {Context, Parser} from './parsers.js';

/**
 * The parsers of the fleet's settings: a remote (`--remote DEST`, or an entry of the
 * config file's "remotes"), the check that names are unique, and the ssh command
 * (SESSION_STATUS_SSH_COMMAND) split into words.
 */

type Checked<T> = {value: T} | {why: string};

/** A name or text shown in a sentence: quoted, with any control character escaped by JSON. */
const quoted = (value: unknown) => JSON.stringify(value) ?? String(value);

/** ssh reads a destination starting with `-` as an option (`-oProxyCommand=...`); `--` precedes it anyway. */
function destinationProblem(destination: unknown, key: string): string | undefined {
	if (typeof destination !== 'string' || destination.trim() === '')
		return `${key} must be an ssh destination (a host, user@host or an alias)`;
	if (destination.startsWith('-')) return `${key} ${quoted(destination)} starts with "-": ssh would read it as an option`;
	return undefined;
}

function nameProblem(name: unknown): string | undefined {
	if (typeof name !== 'string' || name.trim() === '') return '"name" must be non-empty text';
	// A name is shown on screen as it is: no control, bidi or invisible character in it.
	if (escapeControls(name) !== name) return `"name" ${quoted(name)} holds a control character`;
	if (name === LOCAL_NAME) return `the name "${LOCAL_NAME}" is this machine's`;
	return undefined;
}

const ENTRY_KEYS = ['name', 'ssh', 'exec', 'db', 'command'];

/** `{"name", "ssh" | "exec", "db"?, "command"?}`: checked key by key, the first problem said. */
function readEntry(entry: Record<string, unknown>): Checked<RemoteSpec> {
	const unknown = Object.keys(entry).find(key => !ENTRY_KEYS.includes(key));
	if (unknown !== undefined) return {why: `unknown key ${quoted(unknown)} (known: ${ENTRY_KEYS.join(', ')})`};
	const name = nameProblem(entry['name']);
	if (name !== undefined) return {why: name};
	const where = `remote ${quoted(entry['name'])}`;
	const {ssh, exec, db = null, command = null} = entry;
	if ((ssh === undefined) === (exec === undefined)) return {why: `${where}: give exactly one of "ssh" and "exec"`};
	if (db !== null && (typeof db !== 'string' || db === '')) return {why: `${where}: "db" must be a path on the remote`};
	if (ssh !== undefined) {
		const problem = destinationProblem(ssh, '"ssh"');
		if (problem !== undefined) return {why: `${where}: ${problem}`};
		if (command !== null && (typeof command !== 'string' || command.trim() === ''))
			return {why: `${where}: "command" must be the shell text ssh runs on the remote`};
		return {value: {name: entry['name'] as string, transport: {kind: 'ssh', destination: ssh as string, db, command}}};
	}
	if (command !== null) return {why: `${where}: "command" goes with "ssh" ("exec" is the whole command)`};
	const argv = Array.isArray(exec) && exec.length > 0 && exec.every(word => typeof word === 'string') && exec[0] !== '' ? exec : null;
	if (argv === null) return {why: `${where}: "exec" must be a non-empty list of strings (a program and its arguments)`};
	return {value: {name: entry['name'] as string, transport: {kind: 'exec', argv, db}}};
}

/** A destination (the flag, or a string in the file: its name is the destination), or a config-file entry. */
function readRemote(raw: unknown): Checked<RemoteSpec> {
	if (typeof raw === 'string') {
		const why = destinationProblem(raw, 'the destination') ?? nameProblem(raw);
		return why !== undefined ? {why} : {value: {name: raw, transport: {kind: 'ssh', destination: raw, db: null, command: null}}};
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {why: 'a remote is an ssh destination or an object'};
	return readEntry(raw as Record<string, unknown>);
}

export const remote: Parser<RemoteSpec> = {
	takes: 'an ssh destination, or (in the config file) {"name": NAME, "ssh": DEST} or {"name": NAME, "exec": [PROGRAM, ARGS...]}',
	read: raw => {
		const read = readRemote(raw);
		return 'value' in read ? read.value : undefined;
	},
	why: raw => {
		const read = readRemote(raw);
		return 'why' in read ? read.why : undefined;
	},
};

/** The first name two remotes share, as a problem; a name is the machine's key. */
export function duplicateRemote(remotes: readonly RemoteSpec[]): string | undefined {
	const seen = new Set<string>();
	for (const {name} of remotes) {
		if (seen.has(name)) return `two remotes are named ${quoted(name)}`;
		seen.add(name);
	}
	return undefined;
}

/**
 * A command line split into words as a POSIX shell splits it, with none of its
 * expansions: blanks separate words; '...' keeps everything; "..." keeps everything but
 * a backslash before \ " $ ` or a newline; a backslash outside quotes keeps the next
 * character. `$VAR`, `$(...)` and globs stay as written. One thing a shell would do is
 * done: an unquoted `~` alone or before `/` at a word's start is `home`.
 */
export function splitCommandLine(text: string, home: string): Checked<string[]> {
	const words: string[] = [];
	let word: string | null = null;
	let at = 0;
	const add = (chars: string) => (word = (word ?? '') + chars);
	while (at < text.length) {
		const char = text[at];
		if (char === ' ' || char === '\t' || char === '\n') {
			if (word !== null) words.push(word);
			word = null;
			at++;
		} else if (char === "'") {
			const end = text.indexOf("'", at + 1);
			if (end < 0) return {why: 'a single quote is not closed'};
			add(text.slice(at + 1, end));
			at = end + 1;
		} else if (char === '"') {
			add('');
			at++;
			for (;;) {
				if (at >= text.length) return {why: 'a double quote is not closed'};
				const inner = text[at];
				if (inner === '"') break;
				if (inner === '\\' && '\\"$`\n'.includes(text[at + 1] ?? '')) {
					if (text[at + 1] !== '\n') add(text[at + 1]);
					at += 2;
				} else {
					add(inner);
					at++;
				}
			}
			at++;
		} else if (char === '\\') {
			if (at + 1 >= text.length) return {why: 'a backslash ends it'};
			// A backslash before a newline joins the lines, as in a shell.
			if (text[at + 1] !== '\n') add(text[at + 1]);
			at += 2;
		} else if (char === '~' && word === null && (at + 1 >= text.length || /[\s/]/.test(text[at + 1]))) {
			add(home);
			at++;
		} else {
			add(char);
			at++;
		}
	}
	if (word !== null) words.push(word);
	if (words.length === 0 || words[0] === '') return {why: 'it names no program'};
	return {value: words};
}

/** The ssh command: its words, split by splitCommandLine with `~` the user's home. */
export const commandWords: Parser<string[]> = {
	takes: 'a command (words, quoted as in a shell, not expanded)',
	read: (raw, {home}: Context) => {
		if (typeof raw !== 'string') return undefined;
		const split = splitCommandLine(raw, path.resolve(home));
		return 'value' in split ? split.value : undefined;
	},
	why: (raw, {home}: Context) => {
		if (typeof raw !== 'string') return undefined;
		const split = splitCommandLine(raw, path.resolve(home));
		return 'why' in split ? `${quoted(raw)}: ${split.why}` : undefined;
	},
};
