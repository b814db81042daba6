import {alertResources, alertSessions, alertType, groupAlerts, isOpen, payloadString, priorityLabel} from '../../analysis/alerts.js';
import type {MessageRow} from '../../bus/types.js';
import type {Reading} from '../../monitor/monitor.js';
import {alertLines} from '../../report/describe.js';
import {valueFormat} from '../../report/format.js';
import {tabInfo} from '../../tab-ids.js';
import {priorityTone, since, sinceChangesIn} from './cells.js';
import {cutPayloadOf, messageDetail} from './messages.js';
import type {Column, Row, TabModule} from './types.js';

/** Alerts: open operator alerts grouped by type, highest priority first, then the recently acknowledged. */

const plain = valueFormat('plain');

function alertRow(alert: MessageRow, order: number, reading: Reading): Row {
	const now = reading.analysis.now;
	const resource = alertResources(alert)[0];
	const cells = {
		priority: priorityLabel(alert.priority),
		type: alert.messageType ?? '(untyped)',
		sessions: alertSessions(alert).join(' + ') || '—',
		resource: resource ? resource.value : '—',
		status: alert.status,
		age: since(alert.createdAt.ms, now),
	};
	const open = isOpen(alert);
	const label = alertType(alert.messageType)?.label;
	return {
		key: `alert:${alert.id}`,
		cells,
		changesAt: now + sinceChangesIn(alert.createdAt.ms, now),
		tone: open ? priorityTone(alert.priority) : 'muted',
		sort: {
			order,
			priority: alert.priority,
			type: cells.type,
			sessions: cells.sessions,
			resource: cells.resource,
			status: cells.status,
			age: alert.createdAt.ms ?? 0,
		},
		search: [cells.type, cells.priority, cells.sessions, cells.resource, cells.status, payloadString(alert.payload, 'action') ?? ''].join(
			' ',
		),
		copy: String(alert.id),
		alertIds: open ? [alert.id] : undefined,
		agents: alertSessions(alert).map(sessionId => ({sessionId, session: reading.analysis.bySessionId.get(sessionId) ?? null})),
		shownIds: alert.status === 'pending' ? [alert.id] : undefined,
		cutPayload: cutPayloadOf(alert),
		detail: payload => messageDetail(alert, reading, [...(label ? [label] : []), ...alertLines(alert, plain, true)], payload),
	};
}

const COLUMNS: Column[] = [
	{id: 'priority', priority: 2, title: 'PRIO', width: 8, sortable: true},
	{id: 'type', priority: 1, title: 'TYPE', width: 12, sortable: true},
	{id: 'sessions', priority: 1, title: 'SESSIONS', width: 14, sortable: true},
	{id: 'resource', priority: 1, title: 'RESOURCE', width: 12, grow: true, sortable: true},
	{id: 'status', priority: 3, title: 'STATUS', width: 9, sortable: true},
	{id: 'age', priority: 4, title: 'AGE', width: 6, sortable: true},
];

const readAlerts = (reading: Reading) => reading.snapshot.alerts.filter(alert => alert.status === 'read');

export const alertsTab: TabModule<'alerts'> = {
	...tabInfo('alerts'),
	layout: 'table',
	columns: COLUMNS,
	rows: reading => {
		const open = reading.analysis.alertGroups.flatMap(group => group.alerts);
		const read = groupAlerts(readAlerts(reading)).flatMap(group => group.alerts);
		return [...open, ...read].map((alert, order) => alertRow(alert, order, reading));
	},
	// Counted: the list holds the most urgent open alerts only.
	badge: ({snapshot}) => {
		const {open, critical, byType} = snapshot.alertCounts;
		return {
			count: open,
			tone: open === 0 ? 'normal' : priorityTone(Math.max(...byType.map(entry => entry.maxPriority))),
			attention: critical > 0,
		};
	},
	total: reading => reading.snapshot.alertCounts.open + readAlerts(reading).length,
	header: ({snapshot, analysis}) =>
		snapshot.alertCounts.open > analysis.openAlerts.length
			? [`Showing the ${analysis.openAlerts.length} most urgent of ${snapshot.alertCounts.open} open alerts`]
			: [],
	empty: reading =>
		reading.snapshot.database.schema.hasV2Messages ? 'No operator alerts.' : 'This database has no v2 message columns: no operator alerts.',
};
