import type {ReleaseTarget} from '../../bus/delivery.js';
import type {SessionView} from '../../analysis/analyze.js';
import {triageOrder} from '../../analysis/triage.js';
import type {Reading} from '../../monitor/monitor.js';
import {sessionFacts, vendorText} from '../../report/describe.js';
import {valueFormat} from '../../report/format.js';
import {tabInfo} from '../../tab-ids.js';
import {prettyJson} from './messages.js';
import {coarseAge, coarseAgeChangesIn} from './cells.js';
import type {Column, Row, TabModule, Tone} from './types.js';

/** Sessions: one row per registered session (ended ones on `e`), the current one first, then what needs the operator. */

const plain = valueFormat('plain');

/**
 * A heartbeat within the stale timeout is just `ok` (its exact age is in the
 * detail): a screen of healthy sessions then never changes while the bus is
 * idle. Late or stale heartbeats show their age, as do those of sessions no
 * longer active (released or ended), however recent.
 */
export function heartbeatCell(view: SessionView, staleTimeoutMs: number): string {
	if (view.heartbeatAgeMs === null) return '?';
	if (fresh(view, staleTimeoutMs)) return 'ok';
	return `${view.clockAhead ? 'ahead ' : ''}${coarseAge(view.heartbeatAgeMs)}`;
}

function fresh(view: SessionView, staleTimeoutMs: number): view is SessionView & {heartbeatAgeMs: number} {
	return view.heartbeatAgeMs !== null && view.heartbeatAgeMs <= staleTimeoutMs && !view.clockAhead && view.row.status === 'active';
}

/** How long until heartbeatCell reads differently. */
function heartbeatCellChangesIn(view: SessionView, staleTimeoutMs: number): number {
	if (view.heartbeatAgeMs === null) return Infinity;
	if (fresh(view, staleTimeoutMs)) return staleTimeoutMs - view.heartbeatAgeMs + 1;
	return coarseAgeChangesIn(view.heartbeatAgeMs);
}

function livenessWord(view: SessionView): string {
	return view.liveness.state === 'no-pid' ? 'no pid' : view.liveness.state;
}

export function sessionStateWord(view: SessionView): string {
	if (view.state === 'ended') return 'ended';
	if (view.state === 'stale') return view.row.status === 'stale' ? 'stale' : `stale/${livenessWord(view)}`;
	if (view.state === 'late') return 'late';
	return livenessWord(view);
}

export function sessionTone(view: SessionView): Tone {
	if (view.state === 'ended') return 'muted';
	if (view.state === 'stale' || view.liveness.state === 'dead' || view.liveness.state === 'reused') return 'bad';
	if (view.state === 'late' || view.clockAhead) return 'warn';
	if (view.isCurrent) return 'accent';
	return 'normal';
}

/** A session's detail: every fact once, then its state and metadata. */
export function sessionDetail(view: SessionView, now: number): string[] {
	const facts = sessionFacts(view, now, true).map(fact => `  ${fact.label}: ${fact.value(plain)}`);
	const metadata = view.row.metadata === null ? [] : ['  Metadata:', ...prettyJson(view.row.metadata).map(line => `    ${line}`)];
	return [
		`Session: ${view.row.sessionId}${view.isCurrent ? ' (THIS SESSION)' : ''}`,
		...facts,
		`  State: ${sessionStateWord(view)}`,
		...metadata,
	];
}

function releaseTarget(view: SessionView): ReleaseTarget | undefined {
	if (!view.releaseReason || view.row.status !== 'active') return undefined;
	const {rowid, sessionId} = view.row;
	return {
		kind: 'session',
		rowid,
		sessionId,
		heartbeatText: view.row.lastHeartbeat.text,
		reason: `released from the dashboard: ${view.releaseReason}`,
	};
}

function refusal(view: SessionView): string {
	if (view.row.status !== 'active') return `${view.row.sessionId} is already ${view.row.status}`;
	return `${view.row.sessionId} is ${view.liveness.state === 'alive' ? 'alive' : 'not stale'}: only dead or stale sessions can be released`;
}

function sessionRow(view: SessionView, reading: Reading): Row {
	const now = reading.analysis.now;
	const staleMs = reading.snapshot.staleTimeoutMs;
	const state = sessionStateWord(view);
	const release = releaseTarget(view);
	const cells = {
		id: `${view.isCurrent ? '▶ ' : ''}${view.row.sessionId}`,
		vendor: vendorText(view),
		project: view.row.projectId ?? '(not set)',
		state,
		uptime: view.uptimeMs === null ? '—' : coarseAge(view.uptimeMs),
		heartbeat: heartbeatCell(view, staleMs),
		claims: String(view.claims.length),
		locks: String(view.locks.length),
		unread: String(view.unread),
	};
	return {
		key: `session:${view.row.rowid}`,
		cells,
		changesAt: now + Math.min(view.uptimeMs === null ? Infinity : coarseAgeChangesIn(view.uptimeMs), heartbeatCellChangesIn(view, staleMs)),
		tone: sessionTone(view),
		sort: {
			id: view.row.sessionId,
			vendor: cells.vendor,
			project: cells.project,
			state,
			// Instants, not ages: ages grow every tick and would make equal rows look changed.
			uptime: view.uptimeMs === null ? -Number.MAX_SAFE_INTEGER : -(view.liveness.processStartedAt ?? 0),
			heartbeat: view.heartbeatAgeMs === null ? Number.MAX_SAFE_INTEGER : -(view.row.lastHeartbeat.ms ?? 0),
			claims: view.claims.length,
			locks: view.locks.length,
			unread: view.unread,
		},
		search: [
			view.row.sessionId,
			cells.vendor,
			cells.project,
			state,
			view.row.cwd ?? '',
			view.row.hostname ?? '',
			view.row.sessionUuid ?? '',
		].join(' '),
		copy: view.row.sessionId,
		agents: [{sessionId: view.row.sessionId, session: view}],
		release,
		releaseRefusal: release ? undefined : refusal(view),
		detail: () => sessionDetail(view, now),
	};
}

const COLUMNS: Column[] = [
	{id: 'id', priority: 1, title: 'SESSION', width: 16, grow: true, sortable: true},
	{id: 'vendor', priority: 5, title: 'VENDOR', width: 13, sortable: true},
	{id: 'project', priority: 3, title: 'PROJECT', width: 9, sortable: true},
	{id: 'state', priority: 1, title: 'STATE', width: 12, sortable: true},
	{id: 'uptime', priority: 5, title: 'UP', width: 7, sortable: true},
	{id: 'heartbeat', priority: 2, title: 'BEAT', width: 6, sortable: true},
	{id: 'claims', priority: 4, title: 'CLM', width: 3, sortable: true},
	{id: 'locks', priority: 4, title: 'LCK', width: 3, sortable: true},
	{id: 'unread', priority: 4, title: 'UNR', width: 3, sortable: true},
];

export const sessionsTab: TabModule<'sessions'> = {
	...tabInfo('sessions'),
	layout: 'table',
	columns: COLUMNS,
	rows: (reading, {showEnded}) =>
		triageOrder(reading.analysis.sessions.filter(view => showEnded || view.state !== 'ended')).map(view => sessionRow(view, reading)),
	badge: ({analysis}) => ({
		count: analysis.active.length,
		// Out of the sessions listed (all but the ended), when some of them are not active.
		of: analysis.sessions.filter(view => view.state !== 'ended').length,
		tone: analysis.sessions.some(view => view.state !== 'ended' && sessionTone(view) === 'bad') ? 'bad' : 'normal',
		attention: analysis.sessions.some(view => view.need !== null),
	}),
	empty: () => 'No LLM sessions are currently registered. Run /session-register in an agent session to register it.',
};
