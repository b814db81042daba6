import type {MessageRow} from '../bus/types.js';
import type {Liveness} from '../processes/liveness.js';
import {isCritical} from '../bus/rules.js';
import {alertSessions, isOpen} from './alerts.js';

/**
 * What needs the operator first: each session's most urgent reason, and the Sessions
 * view's own order built on it. Pure.
 */

/** Why a session needs the operator, most urgent first. */
export const NEEDS = ['gone-holding', 'stale-holding', 'critical-alert', 'late', 'mail'] as const;
export type Need = (typeof NEEDS)[number];

/** The session ids named by open critical alerts. */
export function criticalSessionIds(alerts: MessageRow[]): Set<string> {
	return new Set(alerts.filter(alert => isOpen(alert) && isCritical(alert.priority)).flatMap(alertSessions));
}

/** How many open messages each sender has addressed to the operator. */
export function mailTo(operatorId: string, unread: MessageRow[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const message of unread) {
		if (message.recipientId === operatorId && isOpen(message)) counts.set(message.senderId, (counts.get(message.senderId) ?? 0) + 1);
	}
	return counts;
}

/** A session's most urgent reason to need the operator, or null; `holding`: it holds locks or claims. */
export function needOf(
	state: 'active' | 'late' | 'stale' | 'ended',
	liveness: Liveness,
	holding: boolean,
	inCriticalAlert: boolean,
	mailForOperator: number,
): Need | null {
	if (state === 'ended') return null;
	if (holding && (liveness.state === 'dead' || liveness.state === 'reused')) return 'gone-holding';
	if (holding && state === 'stale') return 'stale-holding';
	if (inCriticalAlert) return 'critical-alert';
	if (state === 'late') return 'late';
	if (mailForOperator > 0) return 'mail';
	return null;
}

/** What the order needs of a session. */
export type Ordered = {
	need: Need | null;
	isCurrent: boolean;
	row: {sessionId: string; projectId: string | null; lastHeartbeat: {ms: number | null}};
};

export type OrderOptions<T> = {
	/** Rows whose machine's link is lost: last, whatever they need (their state is not current). */
	lost?: (view: T) => boolean;
};

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The current session first; then those that need the operator, by the order of NEEDS,
 * the oldest heartbeat first within each; then the rest by project and id; rows of a lost
 * link last.
 */
export function triageOrder<T extends Ordered>(sessions: readonly T[], options: OrderOptions<T> = {}): T[] {
	const rank = (view: T) => (view.isCurrent ? -1 : view.need === null ? NEEDS.length : NEEDS.indexOf(view.need));
	const lost = options.lost ?? (() => false);
	const beat = (view: T) => view.row.lastHeartbeat.ms ?? -Infinity;
	return [...sessions].sort(
		(a, b) =>
			Number(lost(a)) - Number(lost(b)) ||
			rank(a) - rank(b) ||
			(a.need !== null && b.need !== null ? beat(a) - beat(b) : 0) ||
			byCodeUnits(a.row.projectId ?? '', b.row.projectId ?? '') ||
			byCodeUnits(a.row.sessionId, b.row.sessionId),
	);
}
