import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {Setup} from '../lib/config.js';
import type {LogEntryFigures, LogRun} from '../lib/figures.js';
import {capture} from '../lib/processes.js';

/** Bytes of every file under `dir`: the entries a run appended to a log folder that was empty. */
function bytesUnder(dir: string): number {
	if (!fs.existsSync(dir)) return 0;
	return fs
		.readdirSync(dir, {recursive: true, encoding: 'utf8'})
		.map(name => fs.statSync(path.join(dir, name)))
		.filter(stat => stat.isFile())
		.reduce((sum, stat) => sum + stat.size, 0);
}

/**
 * The session-log entry a printed run appends, on a copy of the bus (the runs may write to
 * it; the working copy stays as the other measures expect it): first `--once --read-only`,
 * then `--once`, each with an empty log folder of its own.
 */
export async function measureLogEntry(bus: string, setup: Setup): Promise<LogEntryFigures> {
	const folder = fs.mkdtempSync(path.join(setup.workDir, 'log-entry-'));
	const copy = path.join(folder, 'messaging.db');
	try {
		const source = new Database(bus, {readonly: true});
		await source.backup(copy);
		source.close();
		const run = (name: string, flags: string[]): LogRun => {
			const logDir = path.join(folder, name);
			const result = capture([setup.launcher, '--once', ...flags, '--log-dir', logDir, '--db', copy]);
			if (result.status !== 0 && result.status !== 8)
				throw new Error(`--once ${flags.join(' ')} exited ${result.status}: ${result.stderr}`);
			return {entry_bytes: bytesUnder(logDir), printed_bytes: result.stdout.length, exit_status: result.status};
		};
		return {log_read_only: run('read-only', ['--read-only']), log_writing: run('writing', [])};
	} finally {
		fs.rmSync(folder, {recursive: true, force: true});
	}
}
