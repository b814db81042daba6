import {BusError} from '../bus/open.js';
import {EXIT_CODES} from '../exit-codes.js';
import {DeliveryWriter} from '../bus/delivery.js';
import {formatDuration} from '../bus/time.js';
import {isCritical} from '../bus/rules.js';
import type {Config} from '../settings.js';
import {BusMonitor, type Reading} from '../monitor/monitor.js';
import {REMOTE_CLOCK_ALLOWANCE_MS, type SessionView} from '../analysis/analyze.js';
import {plural} from '../text/plural.js';
import {
	type ReportInput,
	renderAlerts,
	renderDashboard,
	renderHolds,
	renderLifecycle,
	renderSessions,
	renderStats,
	renderUnread,
} from '../report/dashboard.js';
import type {TabId} from '../tab-ids.js';
import type {LogWriteError} from '../report/session-log.js';
import {writeLogEntry} from '../report/log-entry.js';
import {stringifySafe, toJsonDocument} from '../report/json.js';

/**
 * Non-interactive runs: `--once` (or stdout not a terminal), a single section,
 * or `--json`. Prints, then makes the writes the old command made (release stale
 * sessions, mark what was shown as delivered, append the log entry).
 */

export type PrintSection = 'dashboard' | TabId | 'json';

export type Output = {out: (text: string) => void; err: (text: string) => void};

export type PrintOptions = {
	/** The clock a printed run reads (tests fix it). */
	now?: () => number;
	/** Why nothing is written, when nothing is (the notes say what would have been). */
	noWritesBecause?: string;
};

function describeRelease(view: SessionView): string {
	const age = view.heartbeatAgeMs === null ? 'heartbeat unreadable' : `heartbeat ${formatDuration(view.heartbeatAgeMs)} ago`;
	const where = view.liveness.state === 'remote' ? ` on ${view.row.hostname ?? 'another machine'}` : '';
	return `${view.row.sessionId}${where} (${age}; ${plural(view.locks.length, 'lock')}, ${plural(view.claims.length, 'claim')})`;
}

/** Releases the stale sessions the analysis found; returns sentences for Observations. */
async function releaseStale(
	reading: Reading,
	writer: DeliveryWriter,
	io: Output,
	noWritesBecause: string,
): Promise<{notes: string[]; released: number}> {
	const notes: string[] = [];
	let released = 0;
	const {analysis, snapshot} = reading;
	const allowance = snapshot.staleTimeoutMs + REMOTE_CLOCK_ALLOWANCE_MS;
	for (const view of analysis.sessions) {
		if (view.state === 'stale' && view.row.status === 'active' && view.liveness.state === 'remote' && !analysis.toRelease.includes(view)) {
			notes.push(
				`Kept ${describeRelease(view)}: another machine's clock may differ; released once its heartbeat is ${formatDuration(allowance)} old`,
			);
		}
	}
	for (const view of analysis.toRelease) {
		if (writer.readOnly) {
			notes.push(`${noWritesBecause}: would release stale session ${describeRelease(view)}`);
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

/** A section's lines, and the messages it showed to their reader: those are marked delivered. */
type Printed = {lines: string[]; shown: number[]};

type Printer = {
	/** Whether it shows the whole-history counts, which scan an index: read only when shown. */
	countHistory: boolean;
	print: (input: ReportInput) => Printed;
};

const pendingAlerts = (input: ReportInput) => input.analysis.openAlerts.filter(alert => alert.status === 'pending').map(alert => alert.id);

/** A section that shows no message for delivery. */
const showing = (render: (input: ReportInput) => string[], countHistory = false): Printer => ({
	countHistory,
	print: input => ({lines: render(input), shown: []}),
});

function printUnread(input: ReportInput): Printed {
	const current = input.analysis.current?.row.sessionId ?? null;
	const unread = renderUnread(input, current);
	// A directed message is delivered only when shown to its own recipient.
	const shown =
		current === null
			? []
			: unread.shown.filter(message => message.recipientId === current && message.status === 'pending').map(message => message.id);
	return {lines: unread.lines, shown};
}

/** The whole dashboard, and each tab's section (`--alerts`, ...). */
const DASHBOARD: Printer = {countHistory: true, print: input => ({lines: renderDashboard(input), shown: pendingAlerts(input)})};
const SECTIONS: Record<TabId, Printer> = {
	sessions: showing(renderSessions),
	locks: showing(input => renderHolds('locks', input)),
	claims: showing(input => renderHolds('claims', input)),
	alerts: {countHistory: false, print: input => ({lines: renderAlerts(input), shown: pendingAlerts(input)})},
	unread: {countHistory: false, print: printUnread},
	lifecycle: showing(renderLifecycle),
	stats: showing(renderStats, true),
};

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
		const printer = section === 'json' ? null : section === 'dashboard' ? DASHBOARD : SECTIONS[section];
		const countHistory = printer?.countHistory ?? true;
		let reading = await monitor.read({countHistory, now: clock()});
		if (printer === null) {
			io.out(stringifySafe(toJsonDocument(reading.snapshot, reading.analysis, monitor.host)));
			return EXIT_CODES.ok;
		}
		const {notes, released} = await releaseStale(reading, writer, io, options.noWritesBecause ?? 'Read-only');
		if (released > 0) reading = await monitor.read({countHistory, now: clock()});
		const input: ReportInput = {...reading, verbose: config.verbose, notes};

		const {lines, shown: shownMessages} = printer.print(input);
		io.out(lines.join('\n'));

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
