import type {BusSnapshot, MessageRow, Stamp} from '../bus/types.js';
import type {Analysis, HoldView, SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, payloadString, priorityLabel} from '../analysis/alerts.js';
import {escapeControls} from '../text/sanitize.js';
import {statsFacts, lifecycleProject, lifecycleSession} from './describe.js';
import {valueFormat} from './format.js';
import {observations} from './observations.js';
import {type PrintedMachine, type ReadMachine, problemLines} from './machines.js';

/**
 * `--json`: the snapshot with liveness and observations as one document. The
 * shape is documented in the readme; times are ISO 8601 UTC (null when the bus
 * held none or an unreadable one, whose text is kept beside it).
 */

export const JSON_SCHEMA_VERSION = 2;

const iso = (stamp: Stamp): string | null => (stamp.ms === null ? null : new Date(stamp.ms).toISOString());
const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));

function hold(view: HoldView) {
	const {row} = view;
	const common = {
		sessionId: row.sessionId,
		expiresAt: iso(row.expiresAt),
		expired: row.expired,
		orphaned: view.orphaned,
		orphanReason: view.orphanReason,
	};
	return row.kind === 'claim'
		? {taskId: row.key, claimType: row.type, claimedAt: iso(row.since), ...common}
		: {filePath: row.key, lockType: row.type, lockedAt: iso(row.since), ...common};
}

function message(row: MessageRow) {
	return {
		id: row.id,
		channel: row.channel,
		type: row.messageType,
		senderId: row.senderId,
		recipientId: row.recipientId,
		priority: row.priority,
		priorityLabel: priorityLabel(row.priority),
		status: row.status,
		createdAt: iso(row.createdAt),
		deliveredAt: iso(row.deliveredAt),
		readAt: iso(row.readAt),
		replyTo: row.replyTo,
		payload: row.payload,
	};
}

type Counts = ReturnType<typeof countsOf>;

function countsOf(snapshot: BusSnapshot, analysis: Analysis) {
	const facts = statsFacts(snapshot, analysis);
	return {
		activeSessions: facts.active,
		historicalSessions: facts.historical,
		endedSessions: facts.ended,
		staleSessions: facts.stale,
		fileLocks: facts.locks,
		taskClaims: facts.claims.length,
		openAlerts: facts.unreadAlerts,
		criticalAlerts: snapshot.alertCounts.critical,
		unreadMessages: analysis.unreadTotal,
		legacyMessages: facts.legacy,
		v2Messages: facts.v2,
		v2ByStatus: facts.byStatus,
	};
}

/** Every machine's counts summed; a count no machine took stays null. */
function sumCounts(all: Counts[]): Counts {
	if (all.length === 1 && all[0]) return all[0];
	const maybe = (values: Array<number | null>) =>
		values.every(value => value === null) ? null : values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
	const sum = (key: keyof Omit<Counts, 'legacyMessages' | 'v2Messages' | 'v2ByStatus'>) =>
		all.reduce((total, counts) => total + counts[key], 0);
	const byStatus: Record<string, number> = {};
	for (const counts of all) for (const [status, n] of Object.entries(counts.v2ByStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
	return {
		activeSessions: sum('activeSessions'),
		historicalSessions: sum('historicalSessions'),
		endedSessions: sum('endedSessions'),
		staleSessions: sum('staleSessions'),
		fileLocks: sum('fileLocks'),
		taskClaims: sum('taskClaims'),
		openAlerts: sum('openAlerts'),
		criticalAlerts: sum('criticalAlerts'),
		unreadMessages: sum('unreadMessages'),
		legacyMessages: maybe(all.map(counts => counts.legacyMessages)),
		v2Messages: maybe(all.map(counts => counts.v2Messages)),
		v2ByStatus: byStatus,
	};
}

function session(view: SessionView) {
	return {
		sessionId: view.row.sessionId,
		sessionUuid: view.row.sessionUuid,
		machineUuid: view.row.machineUuid,
		hostname: view.row.hostname,
		vendor: view.row.vendor,
		model: view.row.model,
		projectId: view.row.projectId,
		tty: view.row.tty,
		cwd: view.row.cwd,
		pid: view.row.pid,
		status: view.row.status,
		state: view.state,
		liveness: view.liveness.state,
		processStartedAt: view.liveness.processStartedAt === null ? null : new Date(view.liveness.processStartedAt).toISOString(),
		uptimeSeconds: seconds(view.uptimeMs),
		registeredAt: iso(view.row.registeredAt),
		lastHeartbeat: iso(view.row.lastHeartbeat),
		lastHeartbeatText: view.row.lastHeartbeat.text,
		heartbeatAgeSeconds: seconds(view.heartbeatAgeMs),
		clockAhead: view.clockAhead,
		isCurrent: view.isCurrent,
		claims: view.claims.map(claim => claim.key),
		locks: view.locks.map(lock => lock.key),
		unread: view.unread,
		releaseReason: view.releaseReason,
		metadata: view.row.metadata,
	};
}

const text = (value: string | null): string | null => (value === null ? null : escapeControls(value));

/**
 * The document of a run's machines (the local bus alone, or a fleet): `machines` says what
 * each one is and whether it was read; every listed item carries its `machine`; `counts`
 * are summed over the machines read. The top-level `database`, `host` and
 * `currentSessionId` are the local bus's (null when it was not read).
 */
export function toJsonDocument(machines: PrintedMachine[], now: number) {
	const read = machines.filter((machine): machine is ReadMachine => machine.reading !== null);
	const local = read.find(machine => machine.state === 'local');
	const f = valueFormat('terminal');
	const each = <T>(list: (machine: ReadMachine) => T[]) =>
		read.flatMap(machine => list(machine).map(item => ({machine: machine.name, ...item})));
	const single = read.length === 1 && machines.length === 1;
	return {
		version: JSON_SCHEMA_VERSION,
		takenAt: new Date(local?.reading.snapshot.takenAt ?? now).toISOString(),
		database: local
			? {
					path: local.reading.snapshot.database.path,
					sizeBytes: local.reading.snapshot.database.sizeBytes,
					journalMode: local.reading.snapshot.database.journalMode,
					missing: local.reading.snapshot.database.schema.missing,
				}
			: null,
		staleTimeoutSeconds: local ? local.reading.snapshot.staleTimeoutMs / 1000 : null,
		host: local ? {hostname: text(local.hostname), machineUuid: text(local.machineUuid)} : null,
		currentSessionId: local?.reading.analysis.current?.row.sessionId ?? null,
		machines: machines.map(machine => ({
			name: machine.name,
			hostname: text(machine.hostname),
			machineUuid: text(machine.machineUuid),
			state: machine.state,
			error: text(machine.error),
			takenAt: machine.reading ? new Date(machine.reading.snapshot.takenAt).toISOString() : null,
		})),
		counts: sumCounts(read.map(machine => countsOf(machine.reading.snapshot, machine.reading.analysis))),
		sessions: each(machine => machine.reading.analysis.sessions.map(session)),
		locks: each(machine => machine.reading.analysis.locks.map(hold)),
		claims: each(machine => machine.reading.analysis.claims.map(hold)),
		lockConflicts: each(machine =>
			machine.reading.analysis.lockConflicts.map(conflict => ({
				first: {filePath: conflict.first.key, sessionId: conflict.first.sessionId},
				second: {filePath: conflict.second.key, sessionId: conflict.second.sessionId},
				reason: conflict.reason,
			})),
		),
		alerts: each(machine =>
			machine.reading.snapshot.alerts.map(alert => ({
				...message(alert),
				sessions: alertSessions(alert),
				resources: Object.fromEntries(alertResources(alert).map(resource => [resource.label.toLowerCase(), resource.value])),
				action: payloadString(alert.payload, 'action'),
			})),
		),
		unread: {
			byRecipient: each(machine => machine.reading.snapshot.unreadByRecipient),
			messages: each(machine => machine.reading.snapshot.unread.map(message)),
		},
		lifecycle: each(machine =>
			machine.reading.analysis.lifecycle.map(event => ({
				id: event.id,
				event: event.messageType,
				sessionId: lifecycleSession(event),
				projectId: lifecycleProject(event),
				cwd: payloadString(event.payload, 'cwd'),
				reason: payloadString(event.payload, 'reason'),
				createdAt: iso(event.createdAt),
			})),
		),
		// With more than one machine, each sentence names its machine.
		observations: single
			? observations(read[0].reading.snapshot, read[0].reading.analysis, f)
			: [
					...problemLines(machines, f),
					...read.flatMap(machine =>
						observations(machine.reading.snapshot, machine.reading.analysis, f, machine.state !== 'local').map(
							line => `${machine.name}: ${line}`,
						),
					),
				],
	};
}

/** JSON.stringify leaves C1 controls, bidi overrides and DEL raw: escape them too, as \uXXXX. */
export function stringifySafe(value: unknown): string {
	return JSON.stringify(value, null, 2).replace(
		/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g,
		char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}
