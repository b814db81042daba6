import fs from 'node:fs';
import path from 'node:path';
import {openReader} from '../../source/bus/open.js';
import {SnapshotReader} from '../../source/bus/reader.js';
import {analyze} from '../../source/analysis/analyze.js';
import type {LivenessState} from '../../source/processes/liveness.js';
import type {Reading} from '../../source/monitor/monitor.js';
import {type NotifyEvent, coalesce, detectEvents} from '../../source/monitor/notify-events.js';
import {withWriter} from './fixtures.js';

/**
 * Readings with the liveness a test says (no process is looked at), and the hostile
 * event every notifier test sends: texts holding `$(touch FILE)`, backticks, `;`,
 * `#(touch FILE)` and a newline, in every field of a critical alert.
 */

export const STALE_MS = 300_000;

/** A reading of the bus at `now`, each session's liveness as given (default alive). */
export function readingOf(dbPath: string, liveness: Record<string, LivenessState> = {}, now = Date.now()): Reading {
	const db = openReader(dbPath);
	try {
		const snapshot = new SnapshotReader(db, dbPath, {reuseRows: false}).read({now, staleTimeoutMs: STALE_MS, countHistory: false});
		const states = new Map(snapshot.sessions.map(row => [row.rowid, {state: liveness[row.sessionId] ?? 'alive', processStartedAt: null}]));
		return {snapshot, analysis: analyze(snapshot, {now, liveness: states, currentRowid: null})};
	} finally {
		db.close();
	}
}

/** Text that runs `touch file` wherever a shell, tmux or AppleScript would evaluate it. */
export function hostileText(file: string): string {
	return `$(touch ${file}) \`touch ${file}\`; touch ${file}; #(touch ${file}) #{pane_id} "quote' \\ end\nsecond line`;
}

/** Adds a critical alert whose every text is hostile; returns its id. */
export function addHostileAlert(dbPath: string, file: string): number {
	const text = hostileText(file);
	return withWriter(dbPath, bus =>
		bus.alert({
			type: `file_conflict;touch ${file}`,
			priority: 3,
			sessions: [`claude-$(touch ${file})`, `codex-\`touch ${file}\``],
			filePath: text,
			action: text,
		}),
	);
}

/** The event the notifiers get for one new hostile alert on an empty bus. */
export function hostileEvent(dir: string, file: string): NotifyEvent {
	const dbPath = path.join(dir, 'hostile.db');
	withWriter(dbPath, () => {});
	const {known} = detectEvents(null, readingOf(dbPath).analysis, 'this-machine');
	addHostileAlert(dbPath, file);
	const {items} = detectEvents(known, readingOf(dbPath).analysis, 'this-machine');
	return coalesce('critical-alert', items);
}

/** A node program for the config file's argv form: writes each event variable and stdin into `dir`. */
export const RECORDER = `
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[1];
for (const name of ['EVENT', 'TITLE', 'BODY', 'SESSION', 'MACHINE', 'PRIORITY'])
	fs.writeFileSync(path.join(dir, name), process.env['SESSION_STATUS_' + name] ?? '<unset>');
const chunks = [];
process.stdin.on('data', chunk => chunks.push(chunk));
process.stdin.on('end', () => {
	fs.writeFileSync(path.join(dir, 'stdin.part'), Buffer.concat(chunks));
	fs.renameSync(path.join(dir, 'stdin.part'), path.join(dir, 'stdin.json'));
});
`;

/** What a recorder wrote, once its stdin is in place (the last thing it does, by a rename, so it is whole). */
export async function recorded(dir: string, timeoutMs = 5000): Promise<Record<string, string>> {
	const deadline = Date.now() + timeoutMs;
	while (!fs.existsSync(path.join(dir, 'stdin.json'))) {
		if (Date.now() > deadline) throw new Error(`nothing recorded in ${dir}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	return Object.fromEntries(fs.readdirSync(dir).map(name => [name, fs.readFileSync(path.join(dir, name), 'utf8')]));
}

/** The same as a shell command (the --notify form): each event variable and stdin into `dir`. */
export function shellRecorder(dir: string, quote: (text: string) => string): string {
	return ['EVENT', 'TITLE', 'BODY', 'SESSION', 'MACHINE', 'PRIORITY']
		.map(name => `printf '%s' "$SESSION_STATUS_${name}" > ${quote(path.join(dir, name))}`)
		.concat(
			`cat > ${quote(path.join(dir, 'stdin.part'))}`,
			`mv ${quote(path.join(dir, 'stdin.part'))} ${quote(path.join(dir, 'stdin.json'))}`,
		)
		.join('; ');
}
