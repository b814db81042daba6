import {BusError} from '../bus/open.js';
import {EXIT_CODES} from '../exit-codes.js';
import {DeliveryWriter, type ReleaseResult, type SessionTarget} from '../bus/delivery.js';
import {formatDuration} from '../bus/time.js';
import type {MessageRow} from '../bus/types.js';
import {LIMITS, type OpenLimits} from '../bus/statements.js';
import type {Config} from '../settings.js';
import {BusMonitor, type Reading} from '../monitor/monitor.js';
import {REMOTE_CLOCK_ALLOWANCE_MS, type SessionView} from '../analysis/analyze.js';
import {plural} from '../text/plural.js';
import {
	type ReportInput,
	printedAlerts,
	renderAlerts,
	renderDashboard,
	renderFleetDashboard,
	renderFleetSection,
	renderHolds,
	renderLifecycle,
	renderSessions,
	renderStats,
	renderUnread,
} from '../report/dashboard.js';
import type {TabId} from '../tab-ids.js';
import type {LogWriteError} from '../report/session-log.js';
import {writeFleetLogEntry} from '../report/log-entry.js';
import {type PrintedMachine, type ReadMachine, printedMachine} from '../report/machines.js';
import {remotesFor} from '../fleet/connect.js';
import {LOCAL_NAME} from '../fleet/local.js';
import type {RemoteMachine} from '../fleet/remote.js';
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

/** Where stale sessions are released: the local writer, or a remote's serve. */
type Releaser = {readOnly: boolean; release: (target: SessionTarget, reason: string) => Promise<ReleaseResult>; where: string};

/** Releases the stale sessions the analysis found; returns sentences for Observations. */
async function releaseStale(
	reading: Reading,
	releaser: Releaser,
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
		if (releaser.readOnly) {
			notes.push(`${noWritesBecause}: would release stale session ${describeRelease(view)}`);
			continue;
		}
		try {
			const result = await releaser.release(
				{rowid: view.row.rowid, sessionId: view.row.sessionId, heartbeatText: view.row.lastHeartbeat.text},
				view.releaseReason ?? 'heartbeat expired',
			);
			if (result === 'released') {
				released++;
				notes.push(`Released stale session ${describeRelease(view)}`);
			} else notes.push(`Kept ${view.row.sessionId}: it ${result === 'changed' ? 'heartbeated' : 'changed'} while being released`);
		} catch (error) {
			io.err(`session-status: could not release ${view.row.sessionId}${releaser.where}: ${(error as Error).message}`);
		}
	}
	return {notes, released};
}

/** A section's lines, and the messages it showed to their reader: those are marked delivered. */
type Printed = {lines: string[]; shown: number[]};

type Printer = {
	/** Whether it shows the whole-history counts, which scan an index: read only when shown. */
	countHistory: boolean;
	/** How many open alerts and unread messages it lists (default: the live views' LIMITS). */
	lists?: OpenLimits;
	print: (input: ReportInput) => Printed;
};

/** The pending alerts among those printed: only those become delivered. */
const pendingOf = (alerts: MessageRow[]) => alerts.filter(alert => alert.status === 'pending').map(alert => alert.id);

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
/** Every open alert and unread message: the sections that list them, and --json. */
const WHOLE: OpenLimits = {openAlerts: Infinity, unreadRows: Infinity};

const DASHBOARD: Printer = {
	countHistory: true,
	// It lists the most urgent alerts and no message (the counts are exact all the same).
	lists: {openAlerts: LIMITS.openAlerts, unreadRows: 0},
	print: input => ({lines: renderDashboard(input), shown: pendingOf(printedAlerts(input.analysis))}),
};
const SECTIONS: Record<TabId, Printer> = {
	sessions: showing(renderSessions),
	locks: showing(input => renderHolds('locks', input)),
	claims: showing(input => renderHolds('claims', input)),
	alerts: {countHistory: false, lists: WHOLE, print: input => ({lines: renderAlerts(input), shown: pendingOf(input.analysis.openAlerts)})},
	unread: {countHistory: false, lists: WHOLE, print: printUnread},
	lifecycle: showing(renderLifecycle),
	stats: showing(renderStats, true),
};

/** Every open critical alert counts, printed or not. */
function hasCriticalAlert(reading: Pick<Reading, 'snapshot'>): boolean {
	return reading.snapshot.alertCounts.critical > 0;
}

/** How many ended sessions a remote lists for --json (newest first; the local bus lists them all). */
const REMOTE_ENDED_SESSIONS = 1000;

type Settings = {config: Config; printer: Printer | null; io: Output; noWritesBecause: string};

/**
 * A remote's part of the run, once its link settled: its reading (exact history counts when
 * shown), after its stale sessions were released on that machine by its serve.
 */
async function readRemote(remote: RemoteMachine, {config, printer, io, noWritesBecause}: Settings): Promise<PrintedMachine> {
	const state = remote.getState();
	const machine = printedMachine(state);
	if (machine.state === 'unreachable' && state.link.kind === 'connecting' && state.error === null)
		return {...machine, error: `no reading within ${Math.round(config.remoteTimeoutMs / 100) / 10} s`};
	if (machine.reading === null) return machine;
	try {
		const countHistory = printer?.countHistory ?? true;
		let reading = countHistory ? await remote.exactReading() : machine.reading;
		let notes: string[] = [];
		if (printer !== null) {
			const releaser: Releaser = {
				readOnly: config.readOnly || state.readOnly,
				release: (target, reason) => remote.release({kind: 'session', ...target, reason}),
				where: ` on ${remote.name}`,
			};
			const because = config.readOnly ? noWritesBecause : `${remote.name} serves its bus read-only`;
			const done = await releaseStale(reading, releaser, io, because);
			notes = done.notes;
			if (done.released > 0) reading = await remote.exactReading();
		}
		return {...machine, reading, notes: notes.map(note => `${remote.name}: ${note}`)};
	} catch (error) {
		return {...machine, state: 'unreachable', reading: null, error: (error as Error).message};
	}
}

export async function runPrint(config: Config, section: PrintSection, io: Output, options: PrintOptions = {}): Promise<number> {
	const clock = options.now ?? Date.now;
	const printer = section === 'json' ? null : section === 'dashboard' ? DASHBOARD : SECTIONS[section];
	const settings: Settings = {config, printer, io, noWritesBecause: options.noWritesBecause ?? 'Read-only'};
	// More than the local bus: each machine is its own part of the output.
	const fleet = config.noLocal || config.remotes.length > 0;
	// The remotes connect, all at once, while the local bus is read.
	const remotes = remotesFor(config);
	if (printer === null) for (const remote of remotes) remote.listEnded(REMOTE_ENDED_SESSIONS);
	for (const remote of remotes) remote.start();
	const settled = Promise.all(remotes.map(remote => remote.settled(config.remoteTimeoutMs)));
	let monitor: BusMonitor | null = null;
	let writer: DeliveryWriter | null = null;
	let exitCode: number = EXIT_CODES.ok;
	const warn = (error: unknown, what: string) => {
		io.err(`session-status: ${what}: ${(error as Error).message}`);
		// The local bus's own code (3, 4) stays first.
		if (error instanceof BusError && error.kind === 'locked') {
			if (exitCode === EXIT_CODES.ok || exitCode === EXIT_CODES.error) exitCode = EXIT_CODES.locked;
		}
		// A read-only file or directory: the dashboard was printed, and the note says why nothing was marked.
		else if (error instanceof BusError && error.kind === 'read-only') return;
		else if (exitCode === EXIT_CODES.ok) exitCode = EXIT_CODES.error;
	};
	try {
		const countHistory = printer?.countHistory ?? true;
		const machines: PrintedMachine[] = [];
		if (!config.noLocal) {
			monitor = new BusMonitor({
				dbPath: config.dbPath,
				staleTimeoutMs: config.staleTimeoutMs,
				sessionId: config.sessionId,
				machineUuid: config.machineUuid,
				reuseRows: false,
				limits: printer === null ? WHOLE : printer.lists,
			});
			// --json describes the bus exactly as it is: it writes nothing.
			const localWriter = new DeliveryWriter(config.dbPath, {readOnly: config.readOnly || section === 'json', now: clock});
			writer = localWriter;
			const host = {name: LOCAL_NAME, hostname: monitor.host.hostname, machineUuid: monitor.host.machineUuid};
			try {
				// --json lists every session, ended ones too.
				let reading = await monitor.read({countHistory, now: clock(), endedSessions: printer === null ? Infinity : 0});
				let notes: string[] = [];
				if (printer !== null) {
					const releaser: Releaser = {
						readOnly: localWriter.readOnly,
						release: (target, reason) => localWriter.releaseSession(target, reason),
						where: '',
					};
					const done = await releaseStale(reading, releaser, io, settings.noWritesBecause);
					notes = done.notes;
					if (done.released > 0) reading = await monitor.read({countHistory, now: clock()});
				}
				machines.push({...host, state: 'local', error: null, reading, notes});
			} catch (error) {
				if (!(error instanceof BusError)) throw error;
				io.err(`session-status: ${error.message}`);
				if (!fleet) return error.exitCode;
				// The remotes are printed all the same; the local bus's code comes first.
				exitCode = error.exitCode;
				// Its first line: the rest (where to point instead) went to stderr.
				machines.push({...host, state: 'unreachable', error: error.message.split('\n')[0] ?? error.message, reading: null, notes: []});
			}
		}
		await settled;
		machines.push(...(await Promise.all(remotes.map(remote => readRemote(remote, settings)))));
		const unreachable = machines.some(machine => machine.state === 'unreachable');
		const finish = (code: number): number => {
			if (code === EXIT_CODES.ok && unreachable) return EXIT_CODES.remoteUnreachable;
			return code;
		};

		if (printer === null) {
			io.out(stringifySafe(toJsonDocument(machines, clock())));
			return finish(exitCode);
		}

		const read = machines.filter((machine): machine is ReadMachine => machine.reading !== null);
		const printed = new Map(
			read.map(machine => [
				machine.name,
				printer.print({...machine.reading, verbose: config.verbose, notes: machine.notes, remote: machine.state !== 'local'}),
			]),
		);
		const linesOf = (machine: ReadMachine) => printed.get(machine.name)?.lines ?? [];
		const lines = !fleet
			? read.flatMap(linesOf)
			: section === 'dashboard'
				? renderFleetDashboard(machines, config.verbose)
				: renderFleetSection(machines, linesOf);
		io.out(lines.join('\n'));

		for (const machine of read) {
			const shown = printed.get(machine.name)?.shown ?? [];
			if (shown.length === 0) continue;
			const remote = remotes.find(source => source.name === machine.name);
			if (remote === undefined) {
				if (writer && !writer.readOnly) {
					try {
						await writer.markDelivered(shown);
					} catch (error) {
						warn(error, 'could not mark messages delivered');
					}
				}
			} else if (!config.readOnly && !remote.getState().readOnly) {
				try {
					await remote.markDelivered(shown);
				} catch (error) {
					warn(error, `could not mark messages delivered on ${remote.name}`);
				}
			}
		}

		if (section === 'dashboard' && !config.noLog && read.length > 0) {
			try {
				const file = writeFleetLogEntry(machines, {logBase: config.logBase, author: config.author, now: clock(), verbose: config.verbose});
				io.out(`Session log entry appended: ${file}`);
			} catch (error) {
				io.err(`session-status: ${(error as LogWriteError).message}`);
				// 3/4/5 (the local bus) come before 6.
				if (exitCode === EXIT_CODES.ok) exitCode = EXIT_CODES.logFailed;
			}
		}
		exitCode = finish(exitCode);
		if (exitCode === EXIT_CODES.ok && read.some(machine => hasCriticalAlert(machine.reading))) exitCode = EXIT_CODES.criticalAlert;
		return exitCode;
	} catch (error) {
		if (error instanceof BusError) {
			io.err(`session-status: ${error.message}`);
			return error.exitCode;
		}
		throw error;
	} finally {
		writer?.close();
		monitor?.close();
		for (const remote of remotes) remote.stop();
	}
}
