import {payloadString} from '../../analysis/alerts.js';
import {LIMITS} from '../../bus/statements.js';
import {formatIso} from '../../bus/time.js';
import type {MessageRow} from '../../bus/types.js';
import type {Reading} from '../../monitor/monitor.js';
import {lifecycleLine, lifecycleProject, lifecycleSession, stampText} from '../../report/describe.js';
import {valueFormat} from '../../report/format.js';
import {tabInfo} from '../../tab-ids.js';
import {since} from './cells.js';
import {cutPayloadOf, messageDetail} from './messages.js';
import type {Column, Row, TabModule} from './types.js';

/** Lifecycle: recent started / ended / resumed events. */

const plain = valueFormat('plain');

function eventRow(event: MessageRow, order: number, reading: Reading): Row {
	const now = reading.analysis.now;
	const reason = payloadString(event.payload, 'reason');
	const cells = {
		time: event.createdAt.ms === null ? stampText(event.createdAt) : formatIso(event.createdAt.ms).slice(5, 16).replace('T', ' '),
		event: event.messageType ?? '(untyped)',
		session: lifecycleSession(event),
		project: lifecycleProject(event) ?? '—',
		where: [payloadString(event.payload, 'cwd'), reason && `(${reason})`].filter(Boolean).join(' '),
	};
	return {
		key: `event:${event.id}`,
		cells,
		tone: event.messageType === 'ended' ? 'muted' : event.messageType === 'started' ? 'good' : 'normal',
		sort: {order, time: event.createdAt.ms ?? 0, event: cells.event, session: cells.session, project: cells.project, where: cells.where},
		search: Object.values(cells).join(' '),
		copy: cells.session,
		cutPayload: cutPayloadOf(event),
		detail: payload => messageDetail(event, reading, [lifecycleLine(event, plain), `Age: ${since(event.createdAt.ms, now)}`], payload),
	};
}

const COLUMNS: Column[] = [
	{id: 'time', priority: 2, title: 'TIME (UTC)', width: 11, sortable: true},
	{id: 'event', priority: 1, title: 'EVENT', width: 8, sortable: true},
	{id: 'session', priority: 1, title: 'SESSION', width: 14, sortable: true},
	{id: 'project', priority: 3, title: 'PROJECT', width: 10, sortable: true},
	{id: 'where', priority: 4, title: 'CWD / REASON', width: 12, grow: true, sortable: true},
];

export const lifecycleTab: TabModule<'lifecycle'> = {
	...tabInfo('lifecycle'),
	layout: 'table',
	columns: COLUMNS,
	rows: reading => reading.analysis.lifecycle.map((event, order) => eventRow(event, order, reading)),
	// The newest events of a history never counted whole: all of them while fewer than the list holds, else `50+`.
	badge: ({snapshot}) => ({count: snapshot.lifecycle.length, atLeast: snapshot.lifecycle.length >= LIMITS.lifecycle, tone: 'normal'}),
	empty: () => 'No lifecycle events.',
};
