import {BusError} from '../bus/open.js';
import {EXIT_CODES} from '../exit-codes.js';
import {DeliveryWriter} from '../bus/delivery.js';
import {formatDuration} from '../bus/time.js';
import {isCritical} from '../bus/rules.js';
import type {Config} from '../config.js';
import {BusMonitor, type Reading} from '../monitor/monitor.js';
import {type SessionView} from '../analysis/analyze.js';
import {plural} from '../text/plural.js';
import {
	type ReportInput,
	renderAlerts,
	renderDashboard,
	renderHolds,
	renderLifecycle,
	renderStats,
	renderUnread,
} from '../report/dashboard.js';
import type {LogWriteError} from '../report/session-log.js';
import {writeLogEntry} from '../report/log-entry.js';
import {stringifySafe, toJsonDocument} from '../report/json.js';

/**
 * Non-interactive runs: `--once` (or stdout not a terminal), a single section,
 * or `--json`. Prints, then makes the writes the old command made (release stale
 * sessions, mark what was shown as delivered, append the log entry).
 */

export type PrintSection = 'dashboard' | 'stats' | 'alerts' | 'lifecycle' | 'locks' | 'claims' | 'unread' | 'json';

export type Output = {out: (text: string) => void; err: (text: string) => void};

/** The clock a printed run reads (tests fix it). */
export type PrintOptions = {now?: () => number};

function describeRelease(view: SessionView): string {
	const age = view.heartbeatAgeMs === null ? 'heartbeat unreadable' : `heartbeat ${formatDuration(view.heartbeatAgeMs)} ago`;
	return `${view.row.sessionId} (${age}; ${plural(view.locks.length, 'lock')}, ${plural(view.claims.length, 'claim')})`;
}

/** Releases the stale sessions the analysis found; returns sentences for Observations. */
async function releaseStale(reading: Reading, writer: DeliveryWriter, io: Output): Promise<{notes: string[]; released: number}> {
	const notes: string[] = [];
	let released = 0;
	for (const view of reading.analysis.toRelease) {
		if (writer.readOnly) {
			notes.push(`Read-only: would release stale session ${describeRelease(view)}`);
			continue;
		}
		try {
			const result = await writer.releaseSession(
				{rowid: view.row.rowid, sessionId: view.row.sessionId, heartbeatText: view.row.lastHeartbeat.text},
				view.releaseReason ?? 'heartbeat expired',
			);
			if (result === 'released') {
				released++;
				notes.push(`Released stale session ${describeRelease(view)}`);
			} else notes.push(`Kept ${view.row.sessionId}: it ${result === 'changed' ? 'heartbeated' : 'changed'} while being released`);
		} catch (error) {
			io.err(`session-status: could not release ${view.row.sessionId}: ${(error as Error).message}`);
		}
	}
	return {notes, released};
}

function hasCriticalAlert(reading: Reading): boolean {
	return reading.analysis.openAlerts.some(alert => isCritical(alert.priority));
}

export async function runPrint(config: Config, section: PrintSection, io: Output, options: PrintOptions = {}): Promise<number> {
	const clock = options.now ?? Date.now;
	const monitor = new BusMonitor({
		dbPath: config.dbPath,
		staleTimeoutMs: config.staleTimeoutMs,
		sessionId: config.sessionId,
		machineUuid: config.machineUuid,
		reuseRows: false,
	});
	// --json describes the bus exactly as it is: it writes nothing.
	const writer = new DeliveryWriter(config.dbPath, {readOnly: config.readOnly || section === 'json', now: clock});
	let exitCode: number = EXIT_CODES.ok;
	const warn = (error: unknown, what: string) => {
		io.err(`session-status: ${what}: ${(error as Error).message}`);
		if (error instanceof BusError && error.kind === 'locked') exitCode = EXIT_CODES.locked;
		// A read-only file or directory: the dashboard was printed, and the note says why nothing was marked.
		else if (error instanceof BusError && error.kind === 'read-only') return;
		else if (exitCode === EXIT_CODES.ok) exitCode = EXIT_CODES.error;
	};
	try {
		const countHistory = section === 'dashboard' || section === 'stats' || section === 'json';
		let reading = await monitor.read({countHistory, now: clock()});
		if (section === 'json') {
			io.out(stringifySafe(toJsonDocument(reading.snapshot, reading.analysis, monitor.host)));
			return EXIT_CODES.ok;
		}
		const {notes, released} = await releaseStale(reading, writer, io);
		if (released > 0) reading = await monitor.read({countHistory, now: clock()});
		const input: ReportInput = {...reading, verbose: config.verbose, notes};

		let shownMessages: number[] = [];
		let lines: string[];
		switch (section) {
			case 'stats':
				lines = renderStats(input);
				break;
			case 'alerts':
				lines = renderAlerts(input);
				break;
			case 'lifecycle':
				lines = renderLifecycle(input);
				break;
			case 'locks':
			case 'claims':
				lines = renderHolds(section, input);
				break;
			case 'unread': {
				const current = reading.analysis.current?.row.sessionId ?? null;
				const unread = renderUnread(input, current);
				lines = unread.lines;
				// A directed message is delivered only when shown to its own recipient.
				if (current !== null)
					shownMessages = unread.shown
						.filter(message => message.recipientId === current && message.status === 'pending')
						.map(message => message.id);
				break;
			}
			default:
				lines = renderDashboard(input);
		}
		io.out(lines.join('\n'));

		if (section === 'dashboard' || section === 'alerts') {
			shownMessages = reading.analysis.openAlerts.filter(alert => alert.status === 'pending').map(alert => alert.id);
		}
		if (!writer.readOnly && shownMessages.length > 0) {
			try {
				await writer.markDelivered(shownMessages);
			} catch (error) {
				warn(error, 'could not mark messages delivered');
			}
		}

		if (section === 'dashboard' && !config.noLog) {
			try {
				const file = writeLogEntry(reading, {logBase: config.logBase, author: config.author, now: clock(), verbose: config.verbose, notes});
				io.out(`Session log entry appended: ${file}`);
			} catch (error) {
				io.err(`session-status: ${(error as LogWriteError).message}`);
				exitCode = EXIT_CODES.logFailed;
			}
		}
		if (exitCode === EXIT_CODES.ok && hasCriticalAlert(reading)) exitCode = EXIT_CODES.criticalAlert;
		return exitCode;
	} catch (error) {
		if (error instanceof BusError) {
			io.err(`session-status: ${error.message}`);
			return error.exitCode;
		}
		throw error;
	} finally {
		writer.close();
		monitor.close();
	}
}
