import type {JsonValue, MessageRow} from '../../bus/types.js';
import type {WholePayload} from './types.js';
import type {Reading} from '../../monitor/monitor.js';
import {messageSummary} from '../../report/describe.js';

/** The detail of a message (alert, mail, lifecycle event): its payload as pretty JSON and its reply thread. */

export function prettyJson(value: JsonValue): string[] {
	return JSON.stringify(value, null, 2).split('\n');
}

/** The messages this one replies to, up the chain, and its replies, among those the reading holds. */
function thread(message: MessageRow, reading: Reading): string[] {
	const known = new Map<number, MessageRow>();
	for (const item of [...reading.snapshot.alerts, ...reading.snapshot.unread, ...reading.snapshot.lifecycle]) known.set(item.id, item);
	const lines: string[] = [];
	let parent = message.replyTo;
	const seen = new Set([message.id]);
	while (parent !== null && !seen.has(parent)) {
		seen.add(parent);
		const item = known.get(parent);
		if (!item) {
			lines.push(`  in reply to #${parent} (not among the open messages)`);
			break;
		}
		lines.push(`  in reply to #${item.id} from ${item.senderId}: ${messageSummary(item)}`);
		parent = item.replyTo;
	}
	const replies = [...known.values()].filter(item => item.replyTo === message.id);
	for (const reply of replies) lines.push(`  reply #${reply.id} from ${reply.senderId}: ${messageSummary(reply)}`);
	return lines.length > 0 ? ['Thread:', ...lines] : [];
}

/** What a row's detail says of a payload held as a preview, while and after it is fetched whole. */
function payloadNote(message: MessageRow, payload: WholePayload | undefined): string[] {
	if (!message.payloadCut) return [];
	if (payload?.state === 'whole') return payload.cut ? ['  (bounded: too large to show whole)'] : [];
	if (payload?.state === 'failed') return [`  (a preview: the whole payload could not be fetched: ${payload.why})`];
	return ['  (a preview: fetching the whole payload...)'];
}

/** The id of the message whose payload a row holds as a preview, for Row.cutPayload. */
export const cutPayloadOf = (message: MessageRow): number | undefined => (message.payloadCut ? message.id : undefined);

export function messageDetail(message: MessageRow, reading: Reading, head: string[], payload?: WholePayload): string[] {
	const shown = message.payloadCut && payload?.state === 'whole' ? payload.value : message.payload;
	return [
		...head,
		'',
		`Message #${message.id} on ${message.channel} from ${message.senderId}`,
		'Payload:',
		...payloadNote(message, payload),
		...prettyJson(shown).map(line => `  ${line}`),
		...thread(message, reading),
	];
}
