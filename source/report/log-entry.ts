import type {Analysis} from '../analysis/analyze.js';
import type {BusSnapshot} from '../bus/types.js';
import {renderLogEntry} from './dashboard.js';
import {appendLogEntry, logAuthor, logFilePath, logProject} from './session-log.js';

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
