import type {BusSnapshot} from '../bus/types.js';
import type {Liveness} from '../processes/liveness.js';
import {formatDuration} from '../bus/time.js';
import {type Analysis, type SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, priorityLabel, recommendation} from '../analysis/alerts.js';
import {groupBy} from '../analysis/group-by.js';
import {plural} from '../text/plural.js';
import type {ValueFormat} from './format.js';
import {PRINTED, listText} from './bounded.js';
import {LIMITS} from '../bus/statements.js';

function shortUuid(uuid: string): string {
	return uuid.length > 12 ? `${uuid.slice(0, 8)}-...` : uuid;
}

const FEW = PRINTED.names;

/** The Observations section, one sentence per line, in the order the old command gave them; each names a few, then how many more. */
/** `remote`: a reading from another machine's serve, where this viewer has no current session: no sentence about one. */
export function observations(snapshot: BusSnapshot, analysis: Analysis, f: ValueFormat, remote = false): string[] {
	const lines: string[] = [];
	const {active, now} = analysis;
	const id = (view: SessionView) => f.text(view.row.sessionId);
	// Each sentence names a few, then says how many more.
	const ids = (views: SessionView[]) => listText(views, id);
	const machine = (view: SessionView) => `${f.code(shortUuid(view.row.machineUuid ?? '?'))} / ${f.code(view.row.hostname ?? '?')}`;

	for (const missing of snapshot.database.schema.missing) lines.push(`Database lacks ${missing}: shown as far as it goes`);

	// PID liveness
	const by = (state: Liveness['state']) => active.filter(view => view.liveness.state === state);
	const alive = by('alive');
	const checkable = active.length - by('remote').length - by('no-pid').length;
	if (active.length === 0) lines.push('No active sessions to check');
	else if (alive.length === active.length) lines.push(`All ${plural(active.length, 'PID')} confirmed alive via ${f.code('ps')}`);
	else {
		const parts = [`${alive.length} of ${checkable} checkable ${checkable === 1 ? 'PID' : 'PIDs'} alive`];
		for (const [state, words] of [
			['dead', 'dead'],
			['reused', 'PID reused by a newer process'],
			['remote', 'not checkable (another machine)'],
			['no-pid', 'no usable PID'],
		] as const) {
			const views = by(state);
			if (views.length > 0) parts.push(`${words}: ${listText(views, view => `${id(view)} (PID ${view.row.pid ?? 'none'})`)}`);
		}
		lines.push(parts.join('; '));
	}

	// Machine / hostname grouping
	const machines = groupBy(active, view => `${view.row.machineUuid ?? '?'}|${(view.row.hostname ?? '?').toLowerCase()}`);
	if (active.length === 1) lines.push(`One session, on ${machine(active[0])}`);
	else if (machines.size === 1 && active.length > 1) {
		lines.push(`${active.length === 2 ? 'Both' : `All ${active.length}`} sessions on same machine (${machine(active[0])})`);
	} else if (machines.size > 1) {
		const groups = [...machines.values()].map(views => `${machine(views[0])}: ${ids(views)}`);
		lines.push(`Sessions on ${machines.size} machines: ${listText(groups, group => group, FEW, '; ')}`);
	}

	// Shared session UUIDs: /continue siblings
	const byUuid = groupBy(
		analysis.sessions.filter(view => view.row.sessionUuid && view.state !== 'ended'),
		view => view.row.sessionUuid!,
	);
	const shared = [...byUuid.entries()].filter(([, views]) => views.length > 1);
	if (shared.length === 0) lines.push('No shared session UUIDs (no /continue siblings)');
	for (const [uuid, views] of shared.slice(0, FEW)) lines.push(`Shared session UUID ${f.code(uuid)}: ${ids(views)} (/continue siblings)`);
	if (shared.length > FEW) lines.push(`And ${shared.length - FEW} more shared session UUIDs`);

	// Current session
	const current = analysis.current;
	if (current) {
		const project = current.row.projectId === null ? 'project not set' : f.text(current.row.projectId);
		lines.push(
			`Current session: ${id(current)} (${project}, ${plural(current.claims.length, 'claim')}, ${plural(current.locks.length, 'lock')}, ${current.unread} unread)`,
		);
	} else if (!remote) lines.push('Current session: not registered on the bus (no registered session is an ancestor of this process)');

	// Stale and late sessions
	const stale = analysis.sessions.filter(view => view.state === 'stale' && view.row.status === 'active');
	const late = analysis.sessions.filter(view => view.state === 'late');
	const age = (view: SessionView) =>
		view.heartbeatAgeMs === null ? 'heartbeat unreadable' : `heartbeat ${formatDuration(view.heartbeatAgeMs)} ago`;
	if (stale.length > 0)
		lines.push(`Stale: ${listText(stale, view => `${id(view)} (${age(view)}${view.clockAhead ? ', clock ahead' : ''})`)}`);
	if (late.length > 0) lines.push(`Heartbeat late but PID alive, kept: ${listText(late, view => `${id(view)} (${age(view)})`)}`);
	const ahead = analysis.sessions.filter(view => view.clockAhead && view.state !== 'ended');
	if (ahead.length > 0) lines.push(`Clock ahead of this machine (heartbeat in the future): ${ids(ahead)}`);
	if (stale.length === 0 && late.length === 0) lines.push('No stale sessions');

	// File locks and claims
	const conflicts = analysis.lockConflicts;
	if (conflicts.length === 0) lines.push('No file lock conflicts detected');
	for (const conflict of conflicts.slice(0, FEW)) {
		lines.push(
			`File lock conflict: ${f.text(conflict.first.sessionId)} and ${f.text(conflict.second.sessionId)} (${f.text(conflict.reason)})`,
		);
	}
	if (conflicts.length > FEW) lines.push(`And ${conflicts.length - FEW} more file lock conflicts: session-status --json`);
	const orphanedLocks = analysis.locks.filter(lock => lock.orphaned);
	if (orphanedLocks.length > 0) {
		lines.push(
			`Locks held by dead or stale sessions: ${listText(orphanedLocks, lock => `${f.code(lock.row.key)} (${f.text(lock.row.sessionId)}, ${lock.orphanReason})`)}`,
		);
	}
	const orphanedClaims = analysis.claims.filter(claim => claim.orphaned);
	if (orphanedClaims.length > 0) {
		lines.push(
			`Claims held by dead or stale sessions: ${listText(orphanedClaims, claim => `${f.text(claim.row.key)} (${f.text(claim.row.sessionId)}, ${claim.orphanReason})`)}`,
		);
	}

	// Operator alerts: counted by type; what they are about, from the most urgent ones read.
	const alerts = snapshot.alertCounts;
	if (alerts.open === 0) lines.push('No open operator alerts');
	else {
		const summaries = alerts.byType.map(({type, count, maxPriority}) => {
			const group = analysis.alertGroups.find(entry => entry.type === type);
			const times = count > 1 ? ` x${count}` : '';
			const urgency = `${priorityLabel(maxPriority)} — ${recommendation(type)}`;
			if (!group) return `${f.text(type)}${times} (${urgency})`;
			const resource = alertResources(group.alerts[0])[0];
			// Named by the alerts read; when they are some of the type's, at least that many.
			const involved = new Set(group.alerts.flatMap(alertSessions)).size;
			const atLeast = group.alerts.length < count ? 'at least ' : '';
			const shared = involved === 1 && !atLeast ? ', 1 session' : ` shared by ${atLeast}${plural(involved, 'session')}`;
			const where = resource ? `${f.text(resource.value)}${shared}` : plural(involved, 'session');
			return `${f.text(type)}${times} (${where}, ${urgency})`;
		});
		lines.push(`${plural(alerts.open, 'operator alert')}: ${summaries.join('; ')}`);
	}

	// Lifecycle activity, from the newest events read: exact when they reach back past the last 24 h.
	const dayAgo = now - 86_400_000;
	const recent = snapshot.lifecycle.filter(event => event.createdAt.ms !== null && event.createdAt.ms >= dayAgo);
	if (snapshot.lifecycle.length === 0) lines.push('Session lifecycle: no events recorded');
	else {
		const count = (type: string) => recent.filter(event => event.messageType === type).length;
		const whole = snapshot.lifecycle.length < LIMITS.lifecycle || recent.length < snapshot.lifecycle.length;
		lines.push(
			`Session lifecycle: ${whole ? '' : 'at least '}${count('started')} started, ${count('ended')} ended, ${count('resumed')} resumed in the last 24 h (${whole ? '' : `the newest ${snapshot.lifecycle.length} events read; `}${plural(active.length, 'active session')})`,
		);
	}
	return lines;
}
