import type {BusSnapshot} from '../bus/types.js';
import type {Liveness} from '../processes/liveness.js';
import {formatDuration} from '../bus/time.js';
import {type Analysis, type SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, priorityLabel, recommendation} from '../analysis/alerts.js';
import {groupBy} from '../analysis/group-by.js';
import {plural} from '../text/plural.js';
import type {ValueFormat} from './format.js';

function shortUuid(uuid: string): string {
	return uuid.length > 12 ? `${uuid.slice(0, 8)}-...` : uuid;
}

/** The Observations section, one sentence per line, in the order the old command gave them. */
export function observations(snapshot: BusSnapshot, analysis: Analysis, f: ValueFormat): string[] {
	const lines: string[] = [];
	const {active, now} = analysis;
	const id = (view: SessionView) => f.text(view.row.sessionId);
	const ids = (views: SessionView[]) => views.map(id).join(', ');
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
			if (views.length > 0) parts.push(`${words}: ${views.map(view => `${id(view)} (PID ${view.row.pid ?? 'none'})`).join(', ')}`);
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
		lines.push(`Sessions on ${machines.size} machines: ${groups.join('; ')}`);
	}

	// Shared session UUIDs: /continue siblings
	const byUuid = groupBy(
		analysis.sessions.filter(view => view.row.sessionUuid && view.state !== 'ended'),
		view => view.row.sessionUuid!,
	);
	const shared = [...byUuid.entries()].filter(([, views]) => views.length > 1);
	if (shared.length === 0) lines.push('No shared session UUIDs (no /continue siblings)');
	for (const [uuid, views] of shared) lines.push(`Shared session UUID ${f.code(uuid)}: ${ids(views)} (/continue siblings)`);

	// Current session
	const current = analysis.current;
	if (current) {
		const project = current.row.projectId === null ? 'project not set' : f.text(current.row.projectId);
		lines.push(
			`Current session: ${id(current)} (${project}, ${plural(current.claims.length, 'claim')}, ${plural(current.locks.length, 'lock')}, ${current.unread} unread)`,
		);
	} else lines.push('Current session: not registered on the bus (no registered session is an ancestor of this process)');

	// Stale and late sessions
	const stale = analysis.sessions.filter(view => view.state === 'stale' && view.row.status === 'active');
	const late = analysis.sessions.filter(view => view.state === 'late');
	const age = (view: SessionView) =>
		view.heartbeatAgeMs === null ? 'heartbeat unreadable' : `heartbeat ${formatDuration(view.heartbeatAgeMs)} ago`;
	if (stale.length > 0)
		lines.push(`Stale: ${stale.map(view => `${id(view)} (${age(view)}${view.clockAhead ? ', clock ahead' : ''})`).join(', ')}`);
	if (late.length > 0) lines.push(`Heartbeat late but PID alive, kept: ${late.map(view => `${id(view)} (${age(view)})`).join(', ')}`);
	const ahead = analysis.sessions.filter(view => view.clockAhead && view.state !== 'ended');
	if (ahead.length > 0) lines.push(`Clock ahead of this machine (heartbeat in the future): ${ids(ahead)}`);
	if (stale.length === 0 && late.length === 0) lines.push('No stale sessions');

	// File locks and claims
	if (analysis.lockConflicts.length === 0) lines.push('No file lock conflicts detected');
	for (const conflict of analysis.lockConflicts) {
		lines.push(
			`File lock conflict: ${f.text(conflict.first.sessionId)} and ${f.text(conflict.second.sessionId)} (${f.text(conflict.reason)})`,
		);
	}
	const orphanedLocks = analysis.locks.filter(lock => lock.orphaned);
	if (orphanedLocks.length > 0) {
		lines.push(
			`Locks held by dead or stale sessions: ${orphanedLocks.map(lock => `${f.code(lock.row.key)} (${f.text(lock.row.sessionId)}, ${lock.orphanReason})`).join(', ')}`,
		);
	}
	const orphanedClaims = analysis.claims.filter(claim => claim.orphaned);
	if (orphanedClaims.length > 0) {
		lines.push(
			`Claims held by dead or stale sessions: ${orphanedClaims.map(claim => `${f.text(claim.row.key)} (${f.text(claim.row.sessionId)}, ${claim.orphanReason})`).join(', ')}`,
		);
	}

	// Operator alerts
	if (analysis.openAlerts.length === 0) lines.push('No open operator alerts');
	else {
		const summaries = analysis.alertGroups.map(group => {
			const resource = alertResources(group.alerts[0])[0];
			const involved = new Set(group.alerts.flatMap(alertSessions)).size;
			const shared = involved === 1 ? ', 1 session' : ` shared by ${involved} sessions`;
			const where = resource ? `${f.text(resource.value)}${shared}` : plural(involved, 'session');
			const count = group.alerts.length > 1 ? ` x${group.alerts.length}` : '';
			return `${f.text(group.type)}${count} (${where}, ${priorityLabel(group.maxPriority)} — ${recommendation(group.type)})`;
		});
		lines.push(`${plural(analysis.openAlerts.length, 'operator alert')}: ${summaries.join('; ')}`);
	}

	// Lifecycle activity
	const dayAgo = now - 86_400_000;
	const recent = snapshot.lifecycle.filter(event => event.createdAt.ms !== null && event.createdAt.ms >= dayAgo);
	if (snapshot.lifecycle.length === 0) lines.push('Session lifecycle: no events recorded');
	else {
		const count = (type: string) => recent.filter(event => event.messageType === type).length;
		lines.push(
			`Session lifecycle: ${count('started')} started, ${count('ended')} ended, ${count('resumed')} resumed in the last 24 h (${plural(active.length, 'active session')})`,
		);
	}
	return lines;
}
