import type {BusSnapshot, MessageRow} from '../bus/types.js';
import {formatDuration, formatIso, formatRelative} from '../bus/time.js';
import type {Analysis, HoldView, SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, payloadString, priorityLabel} from '../analysis/alerts.js';
import {plural} from '../text/plural.js';
import {groupBy} from '../analysis/group-by.js';
import {type ValueFormat, RULE, formatBytes, valueFormat} from './format.js';
import {observations} from './observations.js';
import {PRINTED, firstOf, listText} from './bounded.js';
import {type PrintedMachine, type ReadMachine, machineTitle, problemLines} from './machines.js';
import {
	STATUS_ORDER,
	alertLines,
	composedText,
	countText,
	expiryText,
	holderText,
	lifecycleLine,
	lifecycleProject,
	lifecycleSession,
	messageSummary,
	missingLine,
	sessionFacts,
	stampText,
	statsFacts,
	statsLines,
} from './describe.js';

/**
 * The dashboard as text: the printed view (`--once`) and the session-log entry
 * are one renderer with two value formats, so they cannot drift apart.
 */

export type ReportInput = {
	snapshot: BusSnapshot;
	analysis: Analysis;
	verbose: boolean;
	/** Sentences about what this run did (released sessions, ...), added to Observations. */
	notes: string[];
	/** Read from another machine's serve: no session there is this viewer's current one. */
	remote?: boolean;
};

/** The per-session detail block of the documentation, every field; at most `holdsLimit` of its claims, and of its locks, named. */
export function sessionBlock(view: SessionView, f: ValueFormat, now: number, verbose: boolean, holdsLimit = Infinity): string[] {
	const title = `**Session: ${f.text(view.row.sessionId)}**${view.isCurrent ? ' (THIS SESSION)' : ''}`;
	return [title, ...sessionFacts(view, now, verbose, holdsLimit).map(fact => `- **${fact.label}:** ${fact.value(f)}`)];
}

function resourceText(alert: MessageRow, f: ValueFormat): string {
	const resource = alertResources(alert)[0];
	return resource ? f.text(resource.value) : '(no resource named)';
}

/** The `limit` most urgent open alerts of the reading (highest priority, then newest): the ones a printed dashboard shows. */
export function printedAlerts(analysis: Analysis, limit: number = PRINTED.alerts): MessageRow[] {
	return [...analysis.openAlerts].sort((a, b) => b.priority - a.priority || b.id - a.id).slice(0, limit);
}

/**
 * `- project_conflict (priority 3/critical): a + b both on PILOT`, then its action: the
 * `limit` most urgent open alerts, grouped by type, then how many more of each type.
 */
export function alertBullets(
	input: Pick<ReportInput, 'snapshot' | 'analysis'>,
	f: ValueFormat,
	verbose: boolean,
	limit = Infinity,
): string[] {
	const {snapshot, analysis} = input;
	if (snapshot.alertCounts.open === 0) return ['- No open operator alerts'];
	const printed = new Set(printedAlerts(analysis, limit));
	const lines: string[] = [];
	for (const group of analysis.alertGroups) {
		for (const alert of group.alerts.filter(item => printed.has(item))) {
			const sessions = alertSessions(alert).map(f.text);
			const who = sessions.length > 0 ? sessions.join(' + ') : '(no sessions named)';
			const on = sessions.length === 2 ? 'both on' : sessions.length > 2 ? 'all on' : 'on';
			const when = verbose ? ` at ${stampText(alert.createdAt)}` : '';
			lines.push(
				`- ${f.text(group.type)} (priority ${alert.priority}/${priorityLabel(alert.priority)}): ${who} ${on} ${resourceText(alert, f)} [${f.text(alert.status)}]${when}`,
			);
			const action = payloadString(alert.payload, 'action');
			if (action) lines.push(`- ${f.text(action)}`);
		}
	}
	const more = snapshot.alertCounts.open - printed.size;
	if (more > 0) {
		const shownOf = (type: string) => [...printed].filter(alert => (alert.messageType ?? '(untyped)') === type).length;
		const rest = snapshot.alertCounts.byType
			.map(entry => ({type: entry.type, more: entry.count - shownOf(entry.type)}))
			.filter(entry => entry.more > 0);
		lines.push(`- and ${more} more (${listText(rest, entry => `${f.text(entry.type)} ${entry.more}`, Infinity)}): session-status --alerts`);
	}
	return lines;
}

/** `2026-02-11T00:31:37Z started claude-29583 (PILOT)` */
export function lifecycleBullet(event: MessageRow, f: ValueFormat): string {
	const project = lifecycleProject(event);
	return `- ${stampText(event.createdAt)} ${f.text(event.messageType ?? '(untyped)')} ${f.text(lifecycleSession(event))}${project ? ` (${f.text(project)})` : ''}`;
}

export function statsBullets(snapshot: BusSnapshot, analysis: Analysis, f: ValueFormat, verbose: boolean): string[] {
	return statsLines(snapshot, analysis, f, verbose).map(line => `- ${line}`);
}

export function headerLine(analysis: Analysis, snapshot: BusSnapshot): string {
	const facts = statsFacts(snapshot, analysis);
	// As documented: with no active session the header is just that.
	if (facts.active === 0) return '0 active sessions';
	return [
		plural(facts.active, 'active session'),
		plural(facts.locks, 'file lock'),
		plural(facts.claims.length, 'task claim'),
		plural(facts.unreadAlerts, 'alert'),
		`${analysis.unreadTotal} unread`,
	].join(' | ');
}

export const NO_SESSIONS = ['No LLM sessions are currently registered.', 'Run /session-register to register this session.'];

/** With no active session: none registered, or the registered ones named (a few of each state) with what they are. */
function noActiveSessions(analysis: Analysis, f: ValueFormat): string[] {
	const listed = analysis.sessions.filter(view => view.state !== 'ended');
	if (listed.length === 0) return NO_SESSIONS;
	const byState = groupBy(listed, view => view.state);
	const parts = [...byState].map(([state, views]) => `${views.length} ${state}: ${listText(views, view => f.text(view.row.sessionId))}`);
	return [`No active sessions; ${parts.join('; ')}`];
}

/** Notes on what the run did, the first few, then how many more. */
function boundedNotes(notes: string[]): string[] {
	const {shown, more} = firstOf(notes, PRINTED.notes);
	return more > 0 ? [...shown, `and ${more} more like these`] : shown;
}

/** Detail blocks, alerts, lifecycle, statistics, observations: the part shared by the view and the log. */
function dashboardBody(input: ReportInput, f: ValueFormat): string[] {
	const {snapshot, analysis, verbose} = input;
	const lines: string[] = [];
	if (analysis.active.length === 0) lines.push(...noActiveSessions(analysis, f), '');
	const ordered = firstOf(
		[...analysis.active].sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent)),
		PRINTED.sessionBlocks,
	);
	for (const view of ordered.shown) lines.push(...sessionBlock(view, f, analysis.now, verbose, PRINTED.holdsPerBlock), '');
	if (ordered.more > 0) lines.push(`And ${plural(ordered.more, 'more active session')}: session-status --sessions`, '');
	lines.push('**Operator Alerts (ADR-173):**', ...alertBullets(input, f, verbose, PRINTED.alerts), '');
	const events = analysis.lifecycle.slice(0, 10);
	lines.push(
		'**Session Lifecycle (ADR-173, last 10):**',
		...(events.length > 0 ? events.map(event => lifecycleBullet(event, f)) : ['- No lifecycle events']),
		'',
	);
	lines.push('**Bus Statistics:**', ...statsBullets(snapshot, analysis, f, verbose), '');
	lines.push(
		'**Observations:**',
		...[...observations(snapshot, analysis, f, input.remote), ...boundedNotes(input.notes)].map(line => `- ${line}`),
	);
	return lines;
}

export const DASHBOARD_TITLE = 'Cross-LLM Session Dashboard';

/** The printed dashboard, without its last line (which names the log file when one was written). */
export function renderDashboard(input: ReportInput): string[] {
	const {analysis, snapshot} = input;
	const lacks = missingLine(snapshot);
	return [
		DASHBOARD_TITLE,
		RULE,
		headerLine(analysis, snapshot),
		...(lacks.length > 0 ? ['', ...lacks] : []),
		'',
		...dashboardBody(input, valueFormat('terminal')),
		RULE,
	];
}

function logPreamble(meta: {timestamp: number; author: string}, f: ValueFormat): string[] {
	return [
		`### ${formatIso(meta.timestamp)} - [H.0] Cross-LLM Session Dashboard Status`,
		'',
		`**Author:** ${composedText(meta.author, f)}`,
		'',
		'Inter-Session Message Bus queried for active session status.',
		'',
		`**${DASHBOARD_TITLE}:**`,
		'',
	];
}

export function renderLogEntry(input: ReportInput, meta: {timestamp: number; author: string}): string {
	const f = valueFormat('log');
	return `${[...logPreamble(meta, f), ...dashboardBody(input, f)].join('\n')}\n`;
}

// ---- more than one machine: each machine its own part, the local one first

const readOf = (machines: PrintedMachine[]): ReadMachine[] =>
	machines.filter((machine): machine is ReadMachine => machine.reading !== null);
const inputOf = (machine: ReadMachine, verbose: boolean): ReportInput => ({
	...machine.reading,
	verbose,
	notes: machine.notes,
	remote: machine.state !== 'local',
});

/** `3 machines: local, build, box`. */
function machinesLine(machines: PrintedMachine[], f: ValueFormat): string {
	return `${plural(machines.length, 'machine')}: ${machines.map(machine => f.text(machine.name)).join(', ')}`;
}

/** The printed dashboard of several machines: the machines not read named first, then each machine's dashboard under its title. */
export function renderFleetDashboard(machines: PrintedMachine[], verbose: boolean): string[] {
	const f = valueFormat('terminal');
	const problems = problemLines(machines, f);
	const lines = [DASHBOARD_TITLE, RULE, machinesLine(machines, f), ...(problems.length > 0 ? ['', ...problems] : [])];
	for (const machine of readOf(machines)) {
		const {analysis, snapshot} = machine.reading;
		const lacks = missingLine(snapshot);
		lines.push('', `**Machine: ${machineTitle(machine, f)}**`, headerLine(analysis, snapshot), ...(lacks.length > 0 ? ['', ...lacks] : []));
		lines.push('', ...dashboardBody(inputOf(machine, verbose), f));
	}
	return [...lines, RULE];
}

/** One section (`--sessions`, ...) of several machines: each machine's section under its title. */
export function renderFleetSection(machines: PrintedMachine[], section: (machine: ReadMachine) => string[]): string[] {
	const f = valueFormat('terminal');
	const problems = problemLines(machines, f);
	const lines = [machinesLine(machines, f), ...problems];
	for (const machine of readOf(machines)) lines.push('', `**Machine: ${machineTitle(machine, f)}**`, ...section(machine));
	return lines;
}

/** The session-log entry of several machines: a heading per machine read, the machines not read named first. */
export function renderFleetLogEntry(machines: PrintedMachine[], meta: {timestamp: number; author: string; verbose: boolean}): string {
	const f = valueFormat('log');
	const problems = problemLines(machines, f);
	const lines = [...logPreamble(meta, f), machinesLine(machines, f), ''];
	if (problems.length > 0) lines.push(...problems.map(line => `- ${line}`), '');
	for (const machine of readOf(machines))
		lines.push(`#### Machine: ${machineTitle(machine, f)}`, '', ...dashboardBody(inputOf(machine, meta.verbose), f), '');
	return `${lines.join('\n').trimEnd()}\n`;
}

// ---- single sections: --stats, --alerts, --lifecycle, --locks, --claims, --unread

function titled(title: string, lines: string[]): string[] {
	return [title, RULE, ...lines];
}

export function renderStats(input: ReportInput): string[] {
	const {snapshot, analysis, verbose} = input;
	const facts = statsFacts(snapshot, analysis);
	const lines = [
		`Active sessions: ${facts.active}`,
		`Total sessions: ${facts.historical} (historical)`,
		`Legacy messages: ${countText(facts.legacy)}`,
		`v2 messages: ${countText(facts.v2)}`,
		...(facts.v2 === null
			? []
			: STATUS_ORDER.filter(key => key !== 'expired' || facts.byStatus[key]).map(key => `v2 ${key}: ${facts.byStatus[key] ?? 0}`)),
		`Unread alerts: ${facts.unreadAlerts}`,
		`File locks: ${facts.locks}`,
		`Task claims: ${facts.claims.length}`,
		`Database size: ${formatBytes(snapshot.database.sizeBytes)}`,
		`Database path: ${snapshot.database.path}`,
		`Journal mode: ${snapshot.database.journalMode}`,
	];
	if (verbose) {
		lines.push(`Stale sessions: ${facts.stale}`, `Stale timeout: ${snapshot.staleTimeoutMs / 1000} s`);
		for (const missing of snapshot.database.schema.missing) lines.push(`Missing: ${missing}`);
	}
	return titled('Inter-Session Message Bus Statistics', lines);
}

export function renderAlerts(input: ReportInput): string[] {
	const f = valueFormat('terminal');
	const {analysis} = input;
	const lines = [plural(input.snapshot.alertCounts.open, 'unread alert')];
	for (const group of analysis.alertGroups) for (const alert of group.alerts) lines.push('', ...alertLines(alert, f, input.verbose));
	return titled('Operator Alerts', lines);
}

export function renderLifecycle(input: ReportInput): string[] {
	const f = valueFormat('terminal');
	const events = input.analysis.lifecycle.slice(0, 20);
	return titled(
		'Session Lifecycle Events (last 20)',
		events.length > 0 ? events.map(event => lifecycleLine(event, f)) : ['No lifecycle events'],
	);
}

function holdLine(hold: HoldView, now: number, verbose: boolean): string {
	const {row} = hold;
	const when = verbose ? stampText(row.since) : formatRelative(row.since.ms, now);
	return `${row.key} — ${holderText(hold)} (${row.type}, since ${when}, ${expiryText(row.expiresAt, row.expired, now)})`;
}

export function renderHolds(kind: 'locks' | 'claims', input: ReportInput): string[] {
	const {analysis, snapshot} = input;
	const table = kind === 'locks' ? 'file_locks' : 'task_claims';
	const holds: Array<HoldView> = kind === 'locks' ? analysis.locks : analysis.claims;
	const title = kind === 'locks' ? 'File Locks' : 'Task Claims';
	if (snapshot.database.schema.missing.includes(`table ${table}`)) return titled(title, [`This database has no ${table} table.`]);
	const lines = [plural(holds.length, kind === 'locks' ? 'file lock' : 'task claim')];
	for (const hold of holds) lines.push(holdLine(hold, analysis.now, input.verbose));
	return titled(title, lines);
}

/** Unread messages for `recipient` (or every recipient when null); returns the lines and the ids it showed. */
export function renderUnread(input: ReportInput, recipient: string | null): {lines: string[]; shown: MessageRow[]} {
	const f = valueFormat('terminal');
	const {snapshot} = input;
	const shown = snapshot.unread.filter(message => recipient === null || message.recipientId === recipient);
	const summaries = snapshot.unreadByRecipient.filter(entry => recipient === null || entry.recipientId === recipient);
	const lines: string[] = [];
	if (!snapshot.database.schema.hasV2Messages) lines.push('This database has no v2 message columns: no directed messages.');
	const total = summaries.reduce((sum, entry) => sum + entry.count, 0);
	lines.push(plural(total, 'unread message'));
	for (const entry of summaries) {
		lines.push(
			`${f.text(entry.recipientId)}: ${entry.count} (${entry.byChannel.map(item => `${item.count} ${f.text(item.channel)}`).join(', ')})`,
		);
	}
	if (shown.length > 0) lines.push('');
	for (const message of shown) {
		lines.push(
			`[${priorityLabel(message.priority).toUpperCase()}] #${message.id} ${f.text(message.channel)} from ${f.text(message.senderId)} to ${f.text(message.recipientId ?? '(all)')} — ${stampText(message.createdAt)}: ${f.text(messageSummary(message))}`,
		);
	}
	return {lines: titled(recipient === null ? 'Unread Messages (all recipients)' : `Unread Messages for ${recipient}`, lines), shown};
}

/** `--sessions`: the detail block of every active session (the current one first), then a line per stale session. */
export function renderSessions(input: ReportInput): string[] {
	const f = valueFormat('terminal');
	const {analysis, verbose} = input;
	const listed = analysis.sessions.some(view => view.state !== 'ended');
	const lines =
		analysis.active.length > 0 ? [plural(analysis.active.length, 'active session')] : listed ? ['No active sessions'] : [...NO_SESSIONS];
	const ordered = [...analysis.active].sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent));
	for (const view of ordered) lines.push('', ...sessionBlock(view, f, analysis.now, verbose));
	const stale = analysis.sessions.filter(view => view.state === 'stale');
	if (stale.length > 0) lines.push('');
	for (const view of stale) {
		const age = view.heartbeatAgeMs === null ? 'unreadable' : `${formatDuration(view.heartbeatAgeMs)} ago`;
		lines.push(`Stale: ${f.text(view.row.sessionId)} (heartbeat ${age})`);
	}
	return titled('Sessions', lines);
}
