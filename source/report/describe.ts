import type {BusSnapshot, Hold, MessageRow} from '../bus/types.js';
import {formatDuration, formatIso, formatRelative} from '../bus/time.js';
import type {Analysis, HoldView, SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, payloadString, priorityLabel} from '../analysis/alerts.js';
import {type ValueFormat, formatBytes} from './format.js';

/**
 * The wording of the facts shown both in print (`--once`, the log) and in the live
 * dashboard: times, PIDs, vendors, heartbeats, holds, lifecycle events, messages and
 * statistics. Values pass through a ValueFormat, so the printed forms get their
 * markdown and the dashboard plain text, from the same sentences.
 */

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

export function lifecycleSession(event: MessageRow): string {
	return payloadString(event.payload, 'session_id') ?? event.senderId;
}

export function lifecycleProject(event: MessageRow): string | null {
	return payloadString(event.payload, 'project_id') ?? event.projectId;
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

export const STATUS_ORDER = ['pending', 'delivered', 'read', 'expired'];

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

export const countText = (value: number | null) => (value === null ? '(not counted)' : String(value));

export function databaseText(snapshot: BusSnapshot, f: ValueFormat): string {
	return `${f.code(snapshot.database.path)} (${formatBytes(snapshot.database.sizeBytes)}, ${snapshot.database.journalMode} mode)`;
}

export function expiryText(expires: {ms: number | null; text: string | null}, expired: boolean, now: number): string {
	if (expires.ms === null) return expires.text === null ? 'no expiry' : `expiry unreadable (${expires.text})`;
	return expired ? `expired ${formatRelative(expires.ms, now)}` : `expires ${formatRelative(expires.ms, now)}`;
}

export function holderText(hold: HoldView): string {
	return hold.orphanReason ? `${hold.row.sessionId} [${hold.orphanReason}]` : hold.row.sessionId;
}

export function messageSummary(message: MessageRow): string {
	for (const key of ['text', 'message', 'body', 'summary', 'content', 'raw']) {
		const value = payloadString(message.payload, key);
		if (value) return value;
	}
	return JSON.stringify(message.payload);
}

/** What an older bus lacks, in one sentence for the top of a view; none for a complete one. */
export function missingLine(snapshot: BusSnapshot): string[] {
	const {missing} = snapshot.database.schema;
	return missing.length === 0 ? [] : [`This bus lacks ${missing.join('; ')}: shown as far as it goes.`];
}

/** A session's detail: each fact once, labelled; the printed block and the dashboard's detail both list these. */
export type Fact = {label: string; value: (f: ValueFormat) => string};

export function sessionFacts(view: SessionView, now: number, verbose: boolean): Fact[] {
	const {row} = view;
	const facts: Fact[] = [
		{label: 'Session UUID', value: f => f.code(row.sessionUuid ?? '(none)')},
		{label: 'Machine UUID', value: f => f.code(row.machineUuid ?? '(none)')},
		{label: 'Hostname', value: f => f.code(row.hostname ?? '(none)')},
		{label: 'Vendor', value: f => composedText(vendorText(view), f)},
		{label: 'Project', value: f => (row.projectId === null ? '(not set)' : f.text(row.projectId))},
	];
	if (row.tty !== null) facts.push({label: 'TTY', value: f => f.text(row.tty!)});
	facts.push(
		{label: 'CWD', value: f => f.code(row.cwd ?? '(none)')},
		{label: 'PID', value: () => pidText(view, now)},
		{label: 'Claimed Task', value: f => holdsText(view.claims, f)},
		{label: 'File Locks', value: f => holdsText(view.locks, f)},
		{label: 'Unread Messages', value: () => String(view.unread)},
	);
	if (verbose || view.state !== 'active' || view.clockAhead) facts.push({label: 'Heartbeat', value: () => heartbeatText(view)});
	if (verbose) {
		facts.push(
			{label: 'Registered', value: () => stampText(row.registeredAt)},
			{label: 'Last Heartbeat', value: () => stampText(row.lastHeartbeat)},
			{label: 'Status', value: f => f.text(row.status)},
		);
	}
	return facts;
}

/** The bus statistics, one fact a line (the printed form adds its bullets). */
export function statsLines(snapshot: BusSnapshot, analysis: Analysis, f: ValueFormat, verbose: boolean): string[] {
	const facts = statsFacts(snapshot, analysis);
	const lines = [
		`Active sessions: ${facts.active} / ${facts.historical} historical`,
		`File locks: ${facts.locks}`,
		`Task claims: ${facts.claims.length}${facts.claims.length > 0 ? ` (${facts.claims.map(f.text).join(', ')})` : ''}`,
		`Legacy messages: ${countText(facts.legacy)}`,
		`v2 messages: ${countText(facts.v2)}${facts.v2 === null ? '' : ` (${statusBreakdown(facts.byStatus)})`}`,
		`Unread alerts: ${facts.unreadAlerts}`,
		`Database: ${databaseText(snapshot, f)}`,
	];
	if (verbose) {
		lines.push(
			`Stale sessions: ${facts.stale}`,
			`Stale timeout: ${snapshot.staleTimeoutMs / 1000} s`,
			`Schema: ${snapshot.database.schema.missing.length === 0 ? 'complete (v2)' : `lacks ${snapshot.database.schema.missing.join(', ')}`}`,
			`Snapshot taken: ${formatIso(snapshot.takenAt)}`,
		);
	}
	return lines;
}

/** `[CRITICAL] project_conflict — 2026-02-11T00:31:37Z`: a message's priority, type and time. */
export function messageHeading(message: MessageRow, f: ValueFormat): string {
	return `[${priorityLabel(message.priority).toUpperCase()}] ${f.text(message.messageType ?? '(untyped)')} — ${stampText(message.createdAt)}`;
}

/** An alert, a fact a line: its sessions, resources, action and status. */
export function alertLines(alert: MessageRow, f: ValueFormat, verbose: boolean): string[] {
	const lines = [messageHeading(alert, f)];
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
