import type {Analysis, SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, alertType, payloadString} from '../analysis/alerts.js';
import {isCritical} from '../bus/rules.js';
import type {MessageRow} from '../bus/types.js';
import {plural} from '../text/plural.js';
import {truncateEnd} from '../text/truncate.js';

/**
 * What is worth telling the operator when they are not looking, found by comparing one
 * reading's analysis with the last: a new open critical alert, and a session that turned
 * dead or stale while it holds locks or claims. Pure: the process side is notify.ts.
 * Every text here comes from the snapshot, already escaped, and is bounded.
 */

export type NotifyKind = 'critical-alert' | 'session-down';

export type NotifyItem = {kind: NotifyKind; title: string; body: string; sessions: string[]; machine: string; priority: string};

/** What the last reading of one machine held: open critical alert ids, and the rowids of sessions down holding. */
export type Known = {critical: Set<number>; down: Set<number>};

/** One notification: one item, or several of a kind coalesced. */
export type NotifyEvent = {
	kind: NotifyKind;
	title: string;
	body: string;
	sessions: string[];
	machine: string;
	priority: string;
	count: number;
	items: NotifyItem[];
};

const TITLE_MAX = 200;
const BODY_MAX = 1000;
const LISTED_MAX = 10;
/** Session ids per item, each at most ID_MAX long: the environment has a size limit. */
const SESSIONS_MAX = 20;
const ID_MAX = 200;

const ids = (sessions: string[]) => sessions.slice(0, SESSIONS_MAX).map(id => truncateEnd(id, ID_MAX));

function alertItem(alert: MessageRow, machine: string): NotifyItem {
	const sessions = ids(alertSessions(alert));
	const resource = alertResources(alert)[0];
	const action = payloadString(alert.payload, 'action');
	const type = alert.messageType ?? '(untyped)';
	const body = [
		`${alertType(type)?.label ?? type}${sessions.length > 0 ? `: ${sessions.join(' + ')}` : ''}${resource ? ` on ${resource.value}` : ''}`,
		...(action ? [action] : []),
	].join('\n');
	return {
		kind: 'critical-alert',
		title: truncateEnd(`Critical alert: ${type}`, TITLE_MAX),
		body: truncateEnd(body, BODY_MAX),
		sessions,
		machine,
		priority: 'critical',
	};
}

function downItem(view: SessionView, machine: string): NotifyItem {
	const how = view.liveness.state === 'dead' ? 'died' : view.liveness.state === 'reused' ? 'is gone (PID reused)' : 'went stale';
	const holds = [
		...(view.locks.length > 0 ? [plural(view.locks.length, 'lock')] : []),
		...(view.claims.length > 0 ? [plural(view.claims.length, 'claim')] : []),
	];
	const body = [
		...(view.locks.length > 0 ? [`Locks: ${view.locks.map(lock => lock.key).join(', ')}`] : []),
		...(view.claims.length > 0 ? [`Claims: ${view.claims.map(claim => claim.key).join(', ')}`] : []),
		`Project: ${view.row.projectId ?? '(not set)'}`,
	].join('\n');
	return {
		kind: 'session-down',
		title: truncateEnd(`Session ${view.row.sessionId} ${how} holding ${holds.join(' and ')}`, TITLE_MAX),
		body: truncateEnd(body, BODY_MAX),
		sessions: ids([view.row.sessionId]),
		machine,
		priority: 'high',
	};
}

const isDown = (view: SessionView) => view.need === 'gone-holding' || view.need === 'stale-holding';

/** What a reading holds that later readings are compared with. */
export function knownOf(analysis: Analysis): Known {
	return {
		critical: new Set(analysis.openAlerts.filter(alert => isCritical(alert.priority)).map(alert => alert.id)),
		down: new Set(analysis.sessions.filter(isDown).map(view => view.row.rowid)),
	};
}

/**
 * The items new since `known` (null: a first reading, which only sets what is known:
 * nothing there at start is news), and what is known now.
 */
export function detectEvents(known: Known | null, analysis: Analysis, machine: string): {known: Known; items: NotifyItem[]} {
	const now = knownOf(analysis);
	if (known === null) return {known: now, items: []};
	const alerts = analysis.openAlerts.filter(alert => now.critical.has(alert.id) && !known.critical.has(alert.id));
	const sessions = analysis.sessions.filter(view => now.down.has(view.row.rowid) && !known.down.has(view.row.rowid));
	return {known: now, items: [...alerts.map(alert => alertItem(alert, machine)), ...sessions.map(view => downItem(view, machine))]};
}

const COALESCED: Record<NotifyKind, (count: number) => string> = {
	'critical-alert': count => `${count} new critical alerts`,
	'session-down': count => `${count} sessions down holding locks or claims`,
};

/** One event for the items of a kind gathered while notifications were held back. */
export function coalesce(kind: NotifyKind, items: NotifyItem[]): NotifyEvent {
	const unique = (values: string[]) => [...new Set(values)];
	const listed = items.slice(0, LISTED_MAX).map(item => item.title);
	const more = items.length > LISTED_MAX ? [`and ${items.length - LISTED_MAX} more`] : [];
	return {
		kind,
		title: items.length === 1 ? items[0].title : COALESCED[kind](items.length),
		body: items.length === 1 ? items[0].body : [...listed, ...more].join('\n'),
		sessions: unique(items.flatMap(item => item.sessions)).slice(0, SESSIONS_MAX),
		machine: unique(items.map(item => item.machine)).join(' '),
		priority: items[0].priority,
		count: items.length,
		items: items.slice(0, 50),
	};
}

/** The event as the notifier's environment. */
export function eventEnvironment(event: NotifyEvent): Record<string, string> {
	return {
		SESSION_STATUS_EVENT: event.kind,
		SESSION_STATUS_TITLE: event.title,
		SESSION_STATUS_BODY: event.body,
		SESSION_STATUS_SESSION: event.sessions.join(' '),
		SESSION_STATUS_MACHINE: event.machine,
		SESSION_STATUS_PRIORITY: event.priority,
	};
}

/** The event as the one JSON document on the notifier's stdin. */
export function eventJson(event: NotifyEvent): string {
	const {kind, title, body, sessions, machine, priority, count, items} = event;
	return `${JSON.stringify({version: 1, event: kind, title, body, sessions, machine, priority, count, items})}\n`;
}
