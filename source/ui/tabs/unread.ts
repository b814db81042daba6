import type {MessageRow} from '../../bus/types.js';
import {priorityLabel} from '../../analysis/alerts.js';
import type {Reading} from '../../monitor/monitor.js';
import {messageHeading, messageSummary} from '../../report/describe.js';
import {valueFormat} from '../../report/format.js';
import {tabInfo} from '../../tab-ids.js';
import {priorityTone, since, sinceChangesIn} from './cells.js';
import {cutPayloadOf, messageDetail} from './messages.js';
import {type Column, MAX_HEADER_LINES, type Row, type TabModule} from './types.js';

/** Unread: open directed messages by recipient, the operator's own first (the current session's, else the `operator` setting's). */

const plain = valueFormat('plain');

function unreadRow(message: MessageRow, order: number, reading: Reading, operatorId: string): Row {
	const now = reading.analysis.now;
	const cells = {
		recipient: message.recipientId ?? '(all)',
		priority: priorityLabel(message.priority),
		channel: message.channel,
		from: message.senderId,
		age: since(message.createdAt.ms, now),
		summary: messageSummary(message),
	};
	const mine = message.recipientId === operatorId;
	return {
		key: `message:${message.id}`,
		cells,
		changesAt: now + sinceChangesIn(message.createdAt.ms, now),
		tone: mine ? 'accent' : priorityTone(message.priority),
		sort: {
			order,
			recipient: cells.recipient,
			priority: message.priority,
			channel: cells.channel,
			from: cells.from,
			age: message.createdAt.ms ?? 0,
			summary: cells.summary,
		},
		search: Object.values(cells).join(' '),
		copy: String(message.id),
		// Only the recipient's own view delivers a message, and only its own `a` reads it.
		shownIds: mine && message.status === 'pending' ? [message.id] : undefined,
		readIds: mine ? [message.id] : undefined,
		agents: [{sessionId: message.senderId, session: reading.analysis.bySessionId.get(message.senderId) ?? null}],
		reply: {messageId: message.id, senderId: message.senderId},
		cutPayload: cutPayloadOf(message),
		detail: payload =>
			messageDetail(
				message,
				reading,
				[
					messageHeading(message, plain),
					`To: ${cells.recipient}`,
					`Status: ${message.status}`,
					...(message.taskId ? [`Task: ${message.taskId}`] : []),
					...(message.projectId ? [`Project: ${message.projectId}`] : []),
				],
				payload,
			),
	};
}

/** Above the rows, at most MAX_HEADER_LINES lines: how many the rows show when they are some of them, then the counts per recipient. */
function header(reading: Reading): string[] {
	const {snapshot, analysis} = reading;
	const bounded =
		analysis.unreadTotal > snapshot.unread.length
			? [`Showing ${snapshot.unread.length} of ${analysis.unreadTotal} unread messages, most urgent first`]
			: [];
	const room = MAX_HEADER_LINES - bounded.length;
	const mine = analysis.operatorId;
	const recipients = [...snapshot.unreadByRecipient]
		.sort((a, b) => Number(b.recipientId === mine) - Number(a.recipientId === mine))
		.map(entry => `${entry.recipientId}: ${entry.count} (${entry.byChannel.map(item => `${item.count} ${item.channel}`).join(', ')})`);
	return [
		...bounded,
		...(recipients.length <= room
			? recipients
			: [...recipients.slice(0, room - 1), `+${recipients.length - room + 1} more recipients (the TO column lists them)`]),
	];
}

const COLUMNS: Column[] = [
	{id: 'recipient', priority: 1, title: 'TO', width: 14, sortable: true},
	{id: 'priority', priority: 3, title: 'PRIO', width: 8, sortable: true},
	{id: 'channel', priority: 4, title: 'CHANNEL', width: 12, sortable: true},
	{id: 'from', priority: 2, title: 'FROM', width: 14, sortable: true},
	{id: 'age', priority: 4, title: 'AGE', width: 6, sortable: true},
	{id: 'summary', priority: 1, title: 'MESSAGE', width: 12, grow: true, sortable: true},
];

export const unreadTab: TabModule<'unread'> = {
	...tabInfo('unread'),
	layout: 'table',
	columns: COLUMNS,
	rows: reading => {
		const mine = reading.analysis.operatorId;
		return [...reading.snapshot.unread]
			.sort(
				(a, b) =>
					Number(b.recipientId === mine) - Number(a.recipientId === mine) ||
					(a.recipientId ?? '').localeCompare(b.recipientId ?? '') ||
					b.priority - a.priority ||
					b.id - a.id,
			)
			.map((message, order) => unreadRow(message, order, reading, mine));
	},
	badge: ({analysis, snapshot}) => ({
		count: analysis.unreadTotal,
		tone: 'normal',
		attention: snapshot.unreadByRecipient.some(entry => entry.recipientId === analysis.operatorId && entry.count > 0),
	}),
	total: ({analysis}) => analysis.unreadTotal,
	empty: reading =>
		reading.snapshot.database.schema.hasV2Messages ? 'No unread messages.' : 'This database has no v2 message columns: no unread messages.',
	header,
};
