import type {BusSnapshot, MessageRow} from '../bus/types.js';
import {formatDuration, formatIso, formatRelative} from '../bus/time.js';
import {type Analysis, type HoldView, type SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, payloadString, priorityLabel} from '../analysis/alerts.js';
import {plural} from '../text/plural.js';
import type {Hold} from '../bus/types.js';
import {type ValueFormat, RULE, formatBytes, valueFormat} from './format.js';
import {observations} from './observations.js';

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
};

export function stampText(stamp: {text: string | null; ms: number | null}): string {
	if (stamp.ms !== null) return formatIso(stamp.ms);
	return stamp.text === null ? '(no time)' : `(unreadable time: ${stamp.text})`;
}

export function pidText(view: SessionView, now: number): string {
	const {pid} = view.row;
	const {liveness} = view;
	switch (liveness.state) {
		case 'alive':
			return `${pid} (uptime ${view.uptimeMs === null ? 'unknown' : formatDuration(view.uptimeMs)})`;
		case 'dead':
			return `${pid} (not running)`;
		case 'reused':
			return `${pid} (PID reused: its process started ${liveness.processStartedAt === null ? 'after' : `${formatRelative(liveness.processStartedAt, now)}, after`} this session registered)`;
		case 'remote':
			return `${pid ?? '(none)'} (on another machine: not checkable)`;
		case 'no-pid':
			return pid === null ? '(none)' : `${pid} (not a valid PID)`;
	}
}

/**
 * A composed value such as `claude (opus-4.6)` or `Claude (opus-4.6)`: its parts
 * formatted, its parentheses kept. In the log, escaping the whole text turned the
 * documented `**Author:** Claude (opus-4.6)` into `Claude \(opus-4.6\)`; parentheses
 * are harmless there, since `[` and `]` inside a value are escaped and no link can form.
 */
export function composedText(value: string, f: ValueFormat): string {
	return value
		.split(/([()])/)
		.map(part => (part === '(' || part === ')' ? part : f.text(part)))
		.join('');
}

export function vendorText(view: SessionView): string {
	const vendor = view.row.vendor ?? '(unknown)';
	return view.row.model ? `${vendor} (${view.row.model})` : vendor;
}

export function holdsText(holds: Hold[], f: ValueFormat): string {
	if (holds.length === 0) return '(none)';
	return holds.map(hold => (hold.kind === 'claim' ? `${f.text(hold.key)} (${f.text(hold.type)})` : f.text(hold.key))).join(', ');
}

export function heartbeatText(view: SessionView): string {
	const age =
		view.heartbeatAgeMs === null ? `unreadable (${view.row.lastHeartbeat.text ?? 'NULL'})` : `${formatDuration(view.heartbeatAgeMs)} ago`;
	const notes: string[] = [];
	if (view.state === 'late') notes.push('late; PID alive, kept');
	if (view.state === 'stale') notes.push('stale');
	if (view.clockAhead) notes.push(`clock ahead: stamped ${view.row.lastHeartbeat.text}`);
	return notes.length > 0 ? `${age} (${notes.join('; ')})` : age;
}

/** The per-session detail block of the documentation, every field. */
export function sessionBlock(view: SessionView, f: ValueFormat, now: number, verbose: boolean): string[] {
	const {row} = view;
	const lines = [
		`**Session: ${f.text(row.sessionId)}**${view.isCurrent ? ' (THIS SESSION)' : ''}`,
		`- **Session UUID:** ${f.code(row.sessionUuid ?? '(none)')}`,
		`- **Machine UUID:** ${f.code(row.machineUuid ?? '(none)')}`,
		`- **Hostname:** ${f.code(row.hostname ?? '(none)')}`,
		`- **Vendor:** ${composedText(vendorText(view), f)}`,
		`- **Project:** ${row.projectId === null ? '(not set)' : f.text(row.projectId)}`,
	];
	if (row.tty !== null) lines.push(`- **TTY:** ${f.text(row.tty)}`);
	lines.push(
		`- **CWD:** ${f.code(row.cwd ?? '(none)')}`,
		`- **PID:** ${pidText(view, now)}`,
		`- **Claimed Task:** ${holdsText(view.claims, f)}`,
		`- **File Locks:** ${holdsText(view.locks, f)}`,
		`- **Unread Messages:** ${view.unread}`,
	);
	if (verbose || view.state !== 'active' || view.clockAhead) lines.push(`- **Heartbeat:** ${heartbeatText(view)}`);
	if (verbose) {
		lines.push(
			`- **Registered:** ${stampText(row.registeredAt)}`,
			`- **Last Heartbeat:** ${stampText(row.lastHeartbeat)}`,
			`- **Status:** ${f.text(row.status)}`,
		);
	}
	return lines;
}

function resourceText(alert: MessageRow, f: ValueFormat): string {
	const resource = alertResources(alert)[0];
	return resource ? f.text(resource.value) : '(no resource named)';
}

/** `- project_conflict (priority 3/critical): a + b both on PILOT`, then its action. */
export function alertBullets(analysis: Analysis, f: ValueFormat, verbose: boolean): string[] {
	if (analysis.openAlerts.length === 0) return ['- No open operator alerts'];
	const lines: string[] = [];
	for (const group of analysis.alertGroups) {
		for (const alert of group.alerts) {
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
	return lines;
}

export function lifecycleSession(event: MessageRow): string {
	return payloadString(event.payload, 'session_id') ?? event.senderId;
}

export function lifecycleProject(event: MessageRow): string | null {
	return payloadString(event.payload, 'project_id') ?? event.projectId;
}

/** `2026-02-11T00:31:37Z started claude-29583 (PILOT)` */
export function lifecycleBullet(event: MessageRow, f: ValueFormat): string {
	const project = lifecycleProject(event);
	return `- ${stampText(event.createdAt)} ${f.text(event.messageType ?? '(untyped)')} ${f.text(lifecycleSession(event))}${project ? ` (${f.text(project)})` : ''}`;
}

/** `2026-02-11T00:31:37Z started claude-29583 PILOT /cwd (reason)`, the --lifecycle line. */
export function lifecycleLine(event: MessageRow, f: ValueFormat): string {
	const parts = [stampText(event.createdAt), f.text(event.messageType ?? '(untyped)'), f.text(lifecycleSession(event))];
	const project = lifecycleProject(event);
	const cwd = payloadString(event.payload, 'cwd');
	const reason = payloadString(event.payload, 'reason');
	if (project) parts.push(f.text(project));
	if (cwd) parts.push(f.text(cwd));
	if (reason) parts.push(`(${f.text(reason)})`);
	return parts.join(' ');
}

export type StatsFacts = {
	active: number;
	historical: number;
	stale: number;
	locks: number;
	claims: string[];
	legacy: number | null;
	v2: number | null;
	byStatus: Record<string, number>;
	unreadAlerts: number;
	countsAgeMs: number | null;
};

export function statsFacts(snapshot: BusSnapshot, analysis: Analysis): StatsFacts {
	const counts = snapshot.counts;
	return {
		active: analysis.active.length,
		historical: snapshot.sessions.length,
		stale: analysis.sessions.filter(view => view.state === 'stale').length,
		locks: snapshot.locks.filter(lock => !lock.expired).length,
		claims: snapshot.claims.filter(claim => !claim.expired).map(claim => claim.key),
		legacy: counts?.legacy ?? null,
		v2: counts?.v2 ?? null,
		byStatus: counts?.byStatus ?? {},
		unreadAlerts: analysis.openAlerts.length,
		countsAgeMs: counts ? snapshot.takenAt - counts.countedAt : null,
	};
}

const STATUS_ORDER = ['pending', 'delivered', 'read', 'expired'];

export function statusBreakdown(byStatus: Record<string, number>): string {
	const keys = [
		...STATUS_ORDER,
		...Object.keys(byStatus)
			.filter(key => !STATUS_ORDER.includes(key))
			.sort(),
	];
	return keys
		.filter(key => STATUS_ORDER.slice(0, 3).includes(key) || (byStatus[key] ?? 0) > 0)
		.map(key => `${byStatus[key] ?? 0} ${key}`)
		.join(', ');
}

const countText = (value: number | null) => (value === null ? '(not counted)' : String(value));

export function databaseText(snapshot: BusSnapshot, f: ValueFormat): string {
	return `${f.code(snapshot.database.path)} (${formatBytes(snapshot.database.sizeBytes)}, ${snapshot.database.journalMode} mode)`;
}

export function statsBullets(snapshot: BusSnapshot, analysis: Analysis, f: ValueFormat, verbose: boolean): string[] {
	const facts = statsFacts(snapshot, analysis);
	const lines = [
		`- Active sessions: ${facts.active} / ${facts.historical} historical`,
		`- File locks: ${facts.locks}`,
		`- Task claims: ${facts.claims.length}${facts.claims.length > 0 ? ` (${facts.claims.map(f.text).join(', ')})` : ''}`,
		`- Legacy messages: ${countText(facts.legacy)}`,
		`- v2 messages: ${countText(facts.v2)}${facts.v2 === null ? '' : ` (${statusBreakdown(facts.byStatus)})`}`,
		`- Unread alerts: ${facts.unreadAlerts}`,
		`- Database: ${databaseText(snapshot, f)}`,
	];
	if (verbose) {
		lines.push(
			`- Stale sessions: ${facts.stale}`,
			`- Stale timeout: ${snapshot.staleTimeoutMs / 1000} s`,
			`- Schema: ${snapshot.database.schema.missing.length === 0 ? 'complete (v2)' : `lacks ${snapshot.database.schema.missing.join(', ')}`}`,
			`- Snapshot taken: ${formatIso(snapshot.takenAt)}`,
		);
	}
	return lines;
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

/** Detail blocks, alerts, lifecycle, statistics, observations: the part shared by the view and the log. */
function dashboardBody(input: ReportInput, f: ValueFormat): string[] {
	const {snapshot, analysis, verbose} = input;
	const lines: string[] = [];
	if (analysis.active.length === 0) lines.push(...NO_SESSIONS, '');
	const ordered = [...analysis.active].sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent));
	for (const view of ordered) lines.push(...sessionBlock(view, f, analysis.now, verbose), '');
	lines.push('**Operator Alerts (ADR-173):**', ...alertBullets(analysis, f, verbose), '');
	const events = snapshot.lifecycle.slice(0, 10);
	lines.push(
		'**Session Lifecycle (ADR-173, last 10):**',
		...(events.length > 0 ? events.map(event => lifecycleBullet(event, f)) : ['- No lifecycle events']),
		'',
	);
	lines.push('**Bus Statistics:**', ...statsBullets(snapshot, analysis, f, verbose), '');
	lines.push('**Observations:**', ...[...observations(snapshot, analysis, f), ...input.notes].map(line => `- ${line}`));
	return lines;
}

export const DASHBOARD_TITLE = 'Cross-LLM Session Dashboard';

/** The printed dashboard, without its last line (which names the log file when one was written). */
export function renderDashboard(input: ReportInput): string[] {
	return [DASHBOARD_TITLE, RULE, headerLine(input.analysis, input.snapshot), '', ...dashboardBody(input, valueFormat('terminal')), RULE];
}

export function renderLogEntry(input: ReportInput, meta: {timestamp: number; author: string}): string {
	const f = valueFormat('log');
	const lines = [
		`### ${formatIso(meta.timestamp)} - [H.0] Cross-LLM Session Dashboard Status`,
		'',
		`**Author:** ${composedText(meta.author, f)}`,
		'',
		'Inter-Session Message Bus queried for active session status.',
		'',
		`**${DASHBOARD_TITLE}:**`,
		'',
		...dashboardBody(input, f),
	];
	return `${lines.join('\n')}\n`;
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

export function alertBlock(alert: MessageRow, f: ValueFormat, verbose: boolean): string[] {
	const lines = [
		`[${priorityLabel(alert.priority).toUpperCase()}] ${f.text(alert.messageType ?? '(untyped)')} — ${stampText(alert.createdAt)}`,
	];
	const sessions = alertSessions(alert);
	if (sessions.length > 0) lines.push(`Sessions: ${sessions.map(f.text).join(', ')}`);
	for (const resource of alertResources(alert)) lines.push(`${resource.label}: ${f.text(resource.value)}`);
	const action = payloadString(alert.payload, 'action');
	if (action) lines.push(`Action: ${f.text(action)}`);
	lines.push(
		`Status: ${f.text(alert.status)}${alert.deliveredAt.ms !== null && verbose ? ` (delivered ${stampText(alert.deliveredAt)})` : ''}`,
	);
	if (verbose) lines.push(`Id: ${alert.id}`);
	return lines;
}

export function renderAlerts(input: ReportInput): string[] {
	const f = valueFormat('terminal');
	const {analysis} = input;
	const lines = [plural(analysis.openAlerts.length, 'unread alert')];
	for (const group of analysis.alertGroups) for (const alert of group.alerts) lines.push('', ...alertBlock(alert, f, input.verbose));
	return titled('Operator Alerts', lines);
}

export function renderLifecycle(input: ReportInput): string[] {
	const f = valueFormat('terminal');
	const events = input.snapshot.lifecycle.slice(0, 20);
	return titled(
		'Session Lifecycle Events (last 20)',
		events.length > 0 ? events.map(event => lifecycleLine(event, f)) : ['No lifecycle events'],
	);
}

export function expiryText(expires: {ms: number | null; text: string | null}, expired: boolean, now: number): string {
	if (expires.ms === null) return expires.text === null ? 'no expiry' : `expiry unreadable (${expires.text})`;
	return expired ? `expired ${formatRelative(expires.ms, now)}` : `expires ${formatRelative(expires.ms, now)}`;
}

export function holderText(hold: HoldView): string {
	return hold.orphanReason ? `${hold.row.sessionId} [${hold.orphanReason}]` : hold.row.sessionId;
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

export function messageSummary(message: MessageRow): string {
	for (const key of ['text', 'message', 'body', 'summary', 'content', 'raw']) {
		const value = payloadString(message.payload, key);
		if (value) return value;
	}
	return JSON.stringify(message.payload);
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
	const lines = analysis.active.length === 0 ? [...NO_SESSIONS] : [plural(analysis.active.length, 'active session')];
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
