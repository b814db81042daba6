import type {Analysis} from '../analysis/analyze.js';
import type {BusSnapshot} from '../bus/types.js';
import {renderFleetLogEntry, renderLogEntry} from './dashboard.js';
import {type PrintedMachine, localOnly} from './machines.js';
import {FALLBACK_PROJECT, appendLogEntry, logAuthor, logFilePath, logProject} from './session-log.js';

export type LogEntryOptions = {logBase: string; author: string; now: number; verbose?: boolean; notes?: string[]};

/**
 * The session-log entry of one reading, appended to its file: what `--once` and the
 * `L` key write. Returns the file; throws LogWriteError.
 */
export function writeLogEntry(reading: {snapshot: BusSnapshot; analysis: Analysis}, options: LogEntryOptions): string {
	const file = logFilePath(options.logBase, logProject(reading.analysis), options.now);
	const input = {...reading, verbose: options.verbose ?? false, notes: options.notes ?? []};
	appendLogEntry(file, renderLogEntry(input, {timestamp: options.now, author: logAuthor(reading.analysis, options.author)}));
	return file;
}

/**
 * The session-log entry of a fleet's machines (the `L` key's, given each machine's reading),
 * grouped by machine under a heading each; with the local bus alone, writeLogEntry's entry.
 * Its project and author are the local machine's (else the first machine read). Returns the file; throws LogWriteError.
 */
export function writeFleetLogEntry(machines: PrintedMachine[], options: Omit<LogEntryOptions, 'notes'>): string {
	const only = machines[0];
	if (localOnly(machines) && only?.reading) return writeLogEntry(only.reading, {...options, notes: only.notes});
	const first = machines.find(machine => machine.state === 'local' && machine.reading) ?? machines.find(machine => machine.reading);
	const analysis = first?.reading?.analysis ?? null;
	const file = logFilePath(options.logBase, analysis ? logProject(analysis) : FALLBACK_PROJECT, options.now);
	const author = analysis ? logAuthor(analysis, options.author) : options.author;
	appendLogEntry(file, renderFleetLogEntry(machines, {timestamp: options.now, author, verbose: options.verbose ?? false}));
	return file;
}
