import type {BusSnapshot, MessageRow, Stamp} from '../bus/types.js';
import {type Analysis, type HoldView} from '../analysis/analyze.js';
import {alertResources, alertSessions, payloadString, priorityLabel} from '../analysis/alerts.js';
import {escapeControls} from '../text/sanitize.js';
import {statsFacts, lifecycleProject, lifecycleSession} from './describe.js';
import {valueFormat} from './format.js';
import {observations} from './observations.js';

/**
 * `--json`: the snapshot with liveness and observations as one document. The
 * shape is documented in the readme; times are ISO 8601 UTC (null when the bus
 * held none or an unreadable one, whose text is kept beside it).
 */

export const JSON_SCHEMA_VERSION = 1;

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

export function toJsonDocument(snapshot: BusSnapshot, analysis: Analysis, host: {hostname: string; machineUuid: string | null}) {
	const facts = statsFacts(snapshot, analysis);
	return {
		version: JSON_SCHEMA_VERSION,
		takenAt: new Date(snapshot.takenAt).toISOString(),
		database: {
			path: snapshot.database.path,
			sizeBytes: snapshot.database.sizeBytes,
			journalMode: snapshot.database.journalMode,
			missing: snapshot.database.schema.missing,
		},
		staleTimeoutSeconds: snapshot.staleTimeoutMs / 1000,
		host: {hostname: escapeControls(host.hostname), machineUuid: host.machineUuid === null ? null : escapeControls(host.machineUuid)},
		currentSessionId: analysis.current?.row.sessionId ?? null,
		counts: {
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
		},
		sessions: analysis.sessions.map(view => ({
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
		})),
		locks: analysis.locks.map(hold),
		claims: analysis.claims.map(hold),
		lockConflicts: analysis.lockConflicts.map(conflict => ({
			first: {filePath: conflict.first.key, sessionId: conflict.first.sessionId},
			second: {filePath: conflict.second.key, sessionId: conflict.second.sessionId},
			reason: conflict.reason,
		})),
		alerts: snapshot.alerts.map(alert => ({
			...message(alert),
			sessions: alertSessions(alert),
			resources: Object.fromEntries(alertResources(alert).map(resource => [resource.label.toLowerCase(), resource.value])),
			action: payloadString(alert.payload, 'action'),
		})),
		unread: {
			byRecipient: snapshot.unreadByRecipient,
			messages: snapshot.unread.map(message),
		},
		lifecycle: analysis.lifecycle.map(event => ({
			id: event.id,
			event: event.messageType,
			sessionId: lifecycleSession(event),
			projectId: lifecycleProject(event),
			cwd: payloadString(event.payload, 'cwd'),
			reason: payloadString(event.payload, 'reason'),
			createdAt: iso(event.createdAt),
		})),
		observations: observations(snapshot, analysis, valueFormat('terminal')),
	};
}

/** JSON.stringify leaves C1 controls, bidi overrides and DEL raw: escape them too, as \uXXXX. */
export function stringifySafe(value: unknown): string {
	return JSON.stringify(value, null, 2).replace(
		/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g,
		char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}
