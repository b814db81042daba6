import fs from 'node:fs';
import path from 'node:path';
import {safeFileName} from '../text/sanitize.js';
import type {Analysis} from '../analysis/analyze.js';

/**
 * Where the session-log entry goes, and the one append that writes it.
 * `<base>/<project>/SESSION-LOG-YYYY-MM-DD.md` (UTC date), base defaulting to
 * `~/.coditect-data/session-logs/projects`.
 */

export function defaultLogBase(home: string): string {
	return path.join(home, '.coditect-data', 'session-logs', 'projects');
}

/** Project folder used when no current session names one and the active sessions do not agree on one. */
export const FALLBACK_PROJECT = 'cross-project';

/** The current session's project; else the one project every active session shares; else the fallback. */
export function logProject(analysis: Analysis): string {
	const own = analysis.current?.row.projectId;
	if (own) return safeFileName(own, FALLBACK_PROJECT);
	const projects = new Set(analysis.active.map(view => view.row.projectId));
	if (projects.size === 1) {
		const only = [...projects][0];
		if (only) return safeFileName(only, FALLBACK_PROJECT);
	}
	return FALLBACK_PROJECT;
}

export function logFilePath(base: string, project: string, timestamp: number): string {
	const date = new Date(timestamp).toISOString().slice(0, 10);
	return path.join(base, project, `SESSION-LOG-${date}.md`);
}

/** `Claude (opus-4.6)` from the current session, else the given fallback. */
export function logAuthor(analysis: Analysis, fallback: string): string {
	const vendor = analysis.current?.row.vendor;
	if (!vendor) return fallback;
	const name = vendor.charAt(0).toUpperCase() + vendor.slice(1);
	const model = analysis.current?.row.model;
	return model ? `${name} (${model})` : name;
}

export class LogWriteError extends Error {
	readonly file: string;
	constructor(file: string, cause: unknown) {
		const reason = cause instanceof Error ? cause.message : String(cause);
		super(`Session log write failed: ${file} (${reason})`);
		this.name = 'LogWriteError';
		this.file = file;
	}
}

/**
 * Appends the whole entry with one write on an O_APPEND descriptor, so two
 * writers never interleave and nothing already in the file is touched.
 */
export function appendLogEntry(file: string, entry: string): void {
	try {
		fs.mkdirSync(path.dirname(file), {recursive: true});
		let separator = '';
		try {
			const size = fs.statSync(file).size;
			if (size > 0) separator = '\n';
		} catch {
			// new file
		}
		const bytes = Buffer.from(separator + entry, 'utf8');
		const fd = fs.openSync(file, 'a');
		try {
			const start = fs.fstatSync(fd).size;
			let written = 0;
			try {
				while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
			} catch (error) {
				// A full disk takes part of an entry and refuses the rest: take the part back, so the
				// log holds whole entries only (unless another writer appended meanwhile).
				if (written > 0 && fs.fstatSync(fd).size === start + written) fs.ftruncateSync(fd, start);
				throw error;
			}
		} finally {
			fs.closeSync(fd);
		}
	} catch (error) {
		throw new LogWriteError(file, error);
	}
}
