import type {
	AlertCounts,
	BusSnapshot,
	Hold,
	JsonValue,
	MessageCounts,
	MessageRow,
	SessionCounts,
	SessionRow,
	Stamp,
	UnreadSummary,
} from '../bus/types.js';
import type {ReleaseTarget} from '../bus/delivery.js';
import type {SendRequest} from '../bus/send.js';
import type {Liveness, LivenessState} from '../processes/liveness.js';
import {epochMs} from '../bus/time.js';
import {escapeControls} from '../text/sanitize.js';
import {
	type Hello,
	type Judgement,
	PAYLOAD_BOUNDS,
	type PayloadBounds,
	type ScalarName,
	type TableName,
	WHOLE_PAYLOAD_BOUNDS,
	boundPayload,
} from './protocol.js';

/**
 * A remote's lines are untrusted: each value is rebuilt from what was sent into the
 * exact shape the views expect, every text escaped as bus text is and cut to a bound,
 * every number finite. A field of the wrong type becomes null (or its table's neutral
 * value): a hostile or broken remote shows odd rows, never breaks the dashboard, never
 * reaches the terminal, and never grows memory past the bounds below.
 */

export const MAX_TEXT = 4096;
/** A stale timeout longer than a year is taken as a year. */
export const MAX_STALE_TIMEOUT_MS = 365 * 86_400_000;
/** Rows kept per table of one remote: more are dropped (a remote never sends more than its reader lists). */
export const MAX_ROWS: Record<TableName, number> = {
	sessions: 20_000,
	locks: 10_000,
	claims: 10_000,
	alerts: 5000,
	unread: 5000,
	lifecycle: 5000,
	unreadByRecipient: 10_000,
};

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

export function text(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	return escapeControls(value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value);
}

const textOr = (value: unknown, fallback: string): string => text(value) ?? fallback;

export function num(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const int = (value: unknown): number | null => {
	const n = num(value);
	return n !== null && Number.isSafeInteger(n) ? n : null;
};

const count = (value: unknown): number => Math.max(0, int(value) ?? 0);

function stamp(value: unknown): Stamp {
	const loose = isObject(value) ? value : {};
	return {text: text(loose['text']), ms: epochMs(loose['ms'])};
}

/** A JSON value rebuilt from what was sent: texts escaped, and cut (strings, lists, nesting) at `bounds`. */
export function json(value: unknown, depth = 0, bounds: Omit<PayloadBounds, 'total'> = PAYLOAD_BOUNDS): JsonValue {
	if (typeof value === 'string') return escapeControls(value.length > bounds.string ? `${value.slice(0, bounds.string)}…` : value);
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'boolean' || value === null) return value;
	if (depth >= bounds.depth) return null;
	if (Array.isArray(value)) return value.slice(0, bounds.items).map(item => json(item, depth + 1, bounds));
	if (isObject(value))
		return Object.fromEntries(
			Object.entries(value)
				.slice(0, bounds.items)
				.map(([key, item]) => [textOr(key, ''), json(item, depth + 1, bounds)]),
		);
	return null;
}

/**
 * A payload fetched whole: escaped, then bounded by WHOLE_PAYLOAD_BOUNDS, and whether anything
 * was cut (nothing is cut before the bounds are judged, but nesting deeper than they allow).
 */
export function wholePayload(value: unknown): {value: JsonValue; cut: boolean} {
	const escaped = json(value, 0, {string: Infinity, items: Infinity, depth: WHOLE_PAYLOAD_BOUNDS.depth + 1});
	return boundPayload(escaped, WHOLE_PAYLOAD_BOUNDS);
}

function session(value: unknown): SessionRow | null {
	if (!isObject(value)) return null;
	const rowid = int(value['rowid']);
	if (rowid === null) return null;
	return {
		rowid,
		sessionId: textOr(value['sessionId'], ''),
		sessionUuid: text(value['sessionUuid']),
		machineUuid: text(value['machineUuid']),
		hostname: text(value['hostname']),
		vendor: text(value['vendor']),
		model: text(value['model']),
		projectId: text(value['projectId']),
		tty: text(value['tty']),
		cwd: text(value['cwd']),
		pid: int(value['pid']),
		status: textOr(value['status'], 'unknown'),
		registeredAt: stamp(value['registeredAt']),
		lastHeartbeat: stamp(value['lastHeartbeat']),
		metadata: boundPayload(json(value['metadata'])).value,
	};
}

function hold(kind: Hold['kind']) {
	return (value: unknown): Hold | null => {
		if (!isObject(value)) return null;
		const rowid = int(value['rowid']);
		if (rowid === null) return null;
		return {
			kind,
			rowid,
			key: textOr(value['key'], ''),
			sessionId: textOr(value['sessionId'], ''),
			type: textOr(value['type'], ''),
			since: stamp(value['since']),
			expiresAt: stamp(value['expiresAt']),
			expired: value['expired'] === true,
		};
	};
}

/** A message row; `payloadCut` when its payload is a preview (cut by the remote, or here). */
function message(value: unknown): MessageRow | null {
	if (!isObject(value)) return null;
	const id = int(value['id']);
	if (id === null) return null;
	const payload = boundPayload(json(value['payload']));
	return {
		id,
		senderId: textOr(value['senderId'], ''),
		channel: textOr(value['channel'], ''),
		payload: payload.value,
		createdAt: stamp(value['createdAt']),
		recipientId: text(value['recipientId']),
		messageType: text(value['messageType']),
		priority: int(value['priority']) ?? 0,
		status: textOr(value['status'], ''),
		projectId: text(value['projectId']),
		taskId: text(value['taskId']),
		activity: text(value['activity']),
		replyTo: int(value['replyTo']),
		expiresAt: stamp(value['expiresAt']),
		deliveredAt: stamp(value['deliveredAt']),
		readAt: stamp(value['readAt']),
		...(payload.cut || value['payloadCut'] === true ? {payloadCut: true} : {}),
	};
}

export const ROW_OF: {[T in TableName]: (value: unknown) => BusSnapshot[T][number] | null} = {
	sessions: session,
	locks: hold('lock'),
	claims: hold('claim'),
	alerts: message,
	unread: message,
	lifecycle: message,
	unreadByRecipient: unreadSummary,
};

const list = <T>(value: unknown, item: (entry: unknown) => T | null, max = 1000): T[] =>
	Array.isArray(value)
		? value.slice(0, max).flatMap(entry => {
				const kept = item(entry);
				return kept === null ? [] : [kept];
			})
		: [];

function alertCounts(value: unknown): AlertCounts {
	const loose = isObject(value) ? value : {};
	return {
		open: count(loose['open']),
		critical: count(loose['critical']),
		byType: list(loose['byType'], entry =>
			isObject(entry)
				? {
						type: textOr(entry['type'], ''),
						count: count(entry['count']),
						critical: count(entry['critical']),
						maxPriority: int(entry['maxPriority']) ?? 0,
					}
				: null,
		),
	};
}

function unreadSummary(entry: unknown): UnreadSummary | null {
	if (!isObject(entry)) return null;
	return {
		recipientId: textOr(entry['recipientId'], ''),
		count: count(entry['count']),
		byChannel: list(entry['byChannel'], channel =>
			isObject(channel) ? {channel: textOr(channel['channel'], ''), count: count(channel['count'])} : null,
		),
		maxPriority: int(entry['maxPriority']) ?? 0,
	};
}

function messageCounts(value: unknown): MessageCounts | null {
	if (!isObject(value)) return null;
	const byStatus = isObject(value['byStatus'])
		? Object.fromEntries(
				Object.entries(value['byStatus'])
					.slice(0, 100)
					.map(([status, n]) => [textOr(status, ''), count(n)]),
			)
		: {};
	return {legacy: count(value['legacy']), v2: count(value['v2']), byStatus, countedAt: epochMs(value['countedAt']) ?? 0};
}

function database(value: unknown): BusSnapshot['database'] {
	const loose = isObject(value) ? value : {};
	const schema = isObject(loose['schema']) ? loose['schema'] : {};
	return {
		path: textOr(loose['path'], ''),
		sizeBytes: count(loose['sizeBytes']),
		journalMode: textOr(loose['journalMode'], ''),
		schema: {
			missing: list(schema['missing'], text, 50),
			hasV2Messages: schema['hasV2Messages'] === true,
			isBus: schema['isBus'] !== false,
		},
	};
}

function sessionCounts(value: unknown): SessionCounts {
	const loose = isObject(value) ? value : {};
	return {total: count(loose['total']), ended: count(loose['ended'])};
}

export const SCALAR_OF: {[S in ScalarName]: (value: unknown) => BusSnapshot[S]} = {
	takenAt: value => epochMs(value) ?? 0,
	database,
	staleTimeoutMs: value => Math.min(MAX_STALE_TIMEOUT_MS, Math.max(1, num(value) ?? 300_000)),
	sessionCounts,
	alertCounts,
	counts: messageCounts,
};

const LIVENESS_STATES: readonly LivenessState[] = ['alive', 'dead', 'reused', 'remote', 'no-pid'];

function liveness(value: unknown): Liveness {
	const loose = isObject(value) ? value : {};
	const state = LIVENESS_STATES.find(known => known === loose['state']) ?? 'no-pid';
	return {state, processStartedAt: epochMs(loose['processStartedAt'])};
}

export function judgement(value: unknown): Judgement {
	const loose = isObject(value) ? value : {};
	const pairs = <T>(entries: unknown, second: (item: unknown) => T | null): Array<[number, T]> =>
		list(
			entries,
			entry => {
				if (!Array.isArray(entry)) return null;
				const rowid = int(entry[0]);
				const item = second(entry[1]);
				return rowid === null || item === null ? null : ([rowid, item] as [number, T]);
			},
			MAX_ROWS.sessions,
		);
	return {
		liveness: pairs(loose['liveness'], liveness),
		heartbeatFirstSeen: pairs(loose['heartbeatFirstSeen'], epochMs),
		operator: textOr(loose['operator'], 'operator'),
	};
}

/** A hello's fields, or why it is not one. */
export function hello(value: unknown): Hello | string {
	if (!isObject(value) || value['type'] !== 'hello') return 'not a hello';
	const protocol = isObject(value['protocol']) ? value['protocol'] : {};
	const major = int(protocol['major']);
	if (major === null) return 'a hello without a protocol version';
	return {
		type: 'hello',
		protocol: {major, minor: int(protocol['minor']) ?? 0},
		version: textOr(value['version'], '?'),
		capabilities: list(value['capabilities'], text, 100),
		hostname: textOr(value['hostname'], '?'),
		machineUuid: text(value['machineUuid']),
		database: textOr(value['database'], '?'),
		readOnly: value['readOnly'] === true,
		now: epochMs(value['now']) ?? Date.now(),
	};
}

export {isObject};

// ---- what serve takes from a viewer: requests naming rows, checked before anything is written ----

const MAX_REQUEST_TEXT = 65_536;
const isText = (value: unknown, max = MAX_REQUEST_TEXT): value is string => typeof value === 'string' && value.length <= max;
const isRowid = (value: unknown): value is number => Number.isSafeInteger(value);

/** A release request's target, or null when any field is missing or of the wrong type. */
export function releaseTarget(value: unknown): ReleaseTarget | null {
	if (!isObject(value)) return null;
	const {kind, rowid, sessionId, reason} = value;
	if (!isRowid(rowid) || !isText(sessionId) || !isText(reason, 1000)) return null;
	if (kind === 'session') {
		const heartbeatText = value['heartbeatText'];
		if (heartbeatText !== null && !isText(heartbeatText)) return null;
		return {kind, rowid, sessionId, heartbeatText, reason};
	}
	if ((kind === 'lock' || kind === 'claim') && isText(value['key'])) return {kind, rowid, key: value['key'], sessionId, reason};
	return null;
}

/** A send request (sender, recipient, text, priority), or null when any part is malformed. */
export function sendRequest(value: unknown): SendRequest | null {
	if (!isObject(value) || !isObject(value['sender']) || !isObject(value['to'])) return null;
	const {sender, to, text: body, priority} = value as {sender: Loose; to: Loose; text: unknown; priority: unknown};
	if (!isText(body) || !Number.isSafeInteger(priority) || (priority as number) < 0 || (priority as number) > 10) return null;
	let from: SendRequest['sender'];
	if (sender['kind'] === 'session' && isRowid(sender['rowid']) && isText(sender['sessionId']))
		from = {kind: 'session', rowid: sender['rowid'], sessionId: sender['sessionId']};
	else if (sender['kind'] === 'operator' && isText(sender['id'], 1000)) from = {kind: 'operator', id: sender['id']};
	else return null;
	let recipient: SendRequest['to'];
	if (to['kind'] === 'session' && isRowid(to['rowid']) && isText(to['sessionId']))
		recipient = {kind: 'session', rowid: to['rowid'], sessionId: to['sessionId']};
	else if (to['kind'] === 'reply' && isRowid(to['messageId']) && isText(to['senderId']))
		recipient = {kind: 'reply', messageId: to['messageId'], senderId: to['senderId']};
	else return null;
	return {sender: from, to: recipient, text: body, priority: priority as number};
}
