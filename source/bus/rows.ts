/**
 * Rows read from the bus -> typed, safe values: every text control-escaped, every
 * timestamp parsed, a malformed payload kept as {raw: text}. Nothing read reaches a view unescaped.
 */
import {cleanText} from '../text/sanitize.js';
import {parseTimestamp} from './time.js';
import {OPEN_STATUSES} from './rules.js';
import type {Hold, HoldKind, JsonValue, MessageCounts, MessageRow, SessionRow, Stamp} from './types.js';

// Rows come as arrays (better-sqlite3's raw mode: cheaper than building an object per
// row), their columns in the fixed order of the column lists below, read by position.
export type Row = unknown[];

// The column lists live here, beside the positions the converters read them by;
// statements.ts builds its SELECTs from them, so the two cannot drift apart.
export const SESSION_COLUMNS = [
	'session_id',
	'session_uuid',
	'machine_uuid',
	'hostname',
	'llm_vendor',
	'llm_model',
	'project_id',
	'tty',
	'cwd',
	'pid',
	'status',
	'registered_at',
	'last_heartbeat',
	'metadata',
] as const;
export const HOLD_COLUMNS = {
	task_claims: ['task_id', 'session_id', 'claim_type', 'claimed_at', 'expires_at'],
	file_locks: ['file_path', 'session_id', 'lock_type', 'locked_at', 'expires_at'],
} as const;
export const MESSAGE_COLUMNS = [
	'id',
	'sender_id',
	'channel',
	'payload',
	'created_at',
	'ttl_seconds',
	'recipient_id',
	'message_type',
	'priority',
	'status',
	'project_id',
	'task_id',
	'activity',
	'reply_to',
	'expires_at',
	'delivered_at',
	'read_at',
] as const;

/** Where each column sits in a row selected with `columns`. */
function positions<const C extends readonly string[]>(columns: C): {readonly [K in C[number]]: number} {
	return Object.fromEntries(columns.map((column, index) => [column, index])) as {[K in C[number]]: number};
}

export const SESSION = positions(['rowid', ...SESSION_COLUMNS]);
// Both hold tables are read in the same column order: key, holder, type, since, expiry.
export const HOLD = positions(['rowid', 'key', 'session_id', 'type', 'since', 'expires_at']);
export const MESSAGE = positions(MESSAGE_COLUMNS);

/** How values read from the bus become safe text and epoch ms. */
export type Convert = {
	text: (value: unknown) => string | null;
	timestamp: (value: unknown) => number | null;
};

// Printable ASCII holds nothing escapeControls would change: returned as it is, without the
// escaping pass (most ids, paths and timestamps on a bus are plain ASCII).
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const safeText = (value: unknown): string | null => (typeof value === 'string' && PRINTABLE_ASCII.test(value) ? value : cleanText(value));

export const PLAIN: Convert = {text: safeText, timestamp: parseTimestamp};

const MEMO_LIMIT = 100_000;

function memo<V>(map: Map<string, V>, key: string, compute: (key: string) => V): V {
	const hit = map.get(key);
	if (hit !== undefined) return hit;
	if (map.size >= MEMO_LIMIT) map.clear();
	const value = compute(key);
	map.set(key, value);
	return value;
}

/**
 * The same conversions, memoised: a refresh meets the same ids, paths and timestamps as
 * the one before, and escaping and parsing them is much of its cost. A reader uses this from
 * its second read on (a one-shot read would only pay for filling it). Same results; bounded.
 */
export function memoized(): Convert {
	const clean = new Map<string, string | null>();
	const ms = new Map<string, number | null>();
	return {
		text: value => (typeof value === 'string' ? memo(clean, value, safeText) : cleanText(value)),
		timestamp: value => (typeof value === 'string' ? memo(ms, value, parseTimestamp) : parseTimestamp(value)),
	};
}

const requiredText = (c: Convert, value: unknown, fallback: string): string => c.text(value) ?? fallback;

function stamp(c: Convert, value: unknown): Stamp {
	return {text: c.text(value), ms: c.timestamp(value)};
}

/** A whole number however SQLite handed it over (bigint, number, digits), else null. */
export function integer(value: unknown): number | null {
	if (typeof value === 'bigint') return Number(value);
	if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
	return null;
}

/**
 * Nesting deeper than this is cut: JSON.stringify, which the views, the log and --json
 * use on payloads, overflows the stack on a payload nested a few thousand levels deep.
 */
export const MAX_JSON_DEPTH = 64;

function cleanJson(value: unknown, depth = 0): JsonValue {
	if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
	if (typeof value === 'string') return cleanText(value);
	if (typeof value === 'object' && depth >= MAX_JSON_DEPTH) return `(nested deeper than ${MAX_JSON_DEPTH} levels)`;
	if (Array.isArray(value)) return value.map(item => cleanJson(item, depth + 1));
	if (typeof value === 'object') {
		const out: {[key: string]: JsonValue} = {};
		// defineProperty, not `out[key] =`: a "__proto__" key would set the prototype (a hidden, inherited payload).
		for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
			Object.defineProperty(out, cleanText(key) ?? '', {
				value: cleanJson(item, depth + 1),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		return out;
	}
	// bigint, the one other value SQLite hands over.
	return cleanText(value);
}

/** A payload as JSON when it parses, else `{raw: text}`; every string escaped. */
export function parsePayload(value: unknown): JsonValue {
	if (value === null || value === undefined) return {};
	if (typeof value !== 'string') return cleanJson(value);
	try {
		return cleanJson(JSON.parse(value));
	} catch {
		return {raw: cleanText(value)};
	}
}

export function expiredAt(expires: Stamp, now: number): boolean {
	return expires.ms !== null && expires.ms <= now;
}

export function toSession(row: Row, c: Convert = PLAIN): SessionRow {
	return {
		rowid: Number(row[SESSION.rowid]),
		sessionId: requiredText(c, row[SESSION.session_id], '(no id)'),
		sessionUuid: c.text(row[SESSION.session_uuid]),
		machineUuid: c.text(row[SESSION.machine_uuid]),
		hostname: c.text(row[SESSION.hostname]),
		vendor: c.text(row[SESSION.llm_vendor]),
		model: c.text(row[SESSION.llm_model]),
		projectId: c.text(row[SESSION.project_id]),
		tty: c.text(row[SESSION.tty]),
		cwd: c.text(row[SESSION.cwd]),
		pid: integer(row[SESSION.pid]),
		status: requiredText(c, row[SESSION.status], 'active'),
		registeredAt: stamp(c, row[SESSION.registered_at]),
		lastHeartbeat: stamp(c, row[SESSION.last_heartbeat]),
		metadata: row[SESSION.metadata] === null || row[SESSION.metadata] === undefined ? null : parsePayload(row[SESSION.metadata]),
	};
}

/** The key column of each hold table, and what stands in for a missing key. */
const HOLD_KEY = {claim: '(no id)', lock: '(no path)'} as const;

export function toHold(kind: HoldKind, row: Row, now: number, c: Convert = PLAIN): Hold {
	const expiresAt = stamp(c, row[HOLD.expires_at]);
	return {
		kind,
		rowid: Number(row[HOLD.rowid]),
		key: requiredText(c, row[HOLD.key], HOLD_KEY[kind]),
		sessionId: requiredText(c, row[HOLD.session_id], '(no session)'),
		type: requiredText(c, row[HOLD.type], 'exclusive'),
		since: stamp(c, row[HOLD.since]),
		expiresAt,
		expired: expiredAt(expiresAt, now),
	};
}

export function toMessage(row: Row, c: Convert = PLAIN): MessageRow {
	return {
		id: Number(row[MESSAGE.id]),
		senderId: requiredText(c, row[MESSAGE.sender_id], '(unknown)'),
		channel: requiredText(c, row[MESSAGE.channel], '(none)'),
		payload: parsePayload(row[MESSAGE.payload]),
		createdAt: stamp(c, row[MESSAGE.created_at]),
		recipientId: c.text(row[MESSAGE.recipient_id]),
		messageType: c.text(row[MESSAGE.message_type]),
		priority: integer(row[MESSAGE.priority]) ?? 1,
		status: requiredText(c, row[MESSAGE.status], 'pending'),
		projectId: c.text(row[MESSAGE.project_id]),
		taskId: c.text(row[MESSAGE.task_id]),
		activity: c.text(row[MESSAGE.activity]),
		replyTo: integer(row[MESSAGE.reply_to]),
		expiresAt: stamp(c, row[MESSAGE.expires_at]),
		deliveredAt: stamp(c, row[MESSAGE.delivered_at]),
		readAt: stamp(c, row[MESSAGE.read_at]),
	};
}

/** When an open message expires: at its expires_at, or at created_at + ttl_seconds, whichever comes first; null: never. */
export function expiryOf(expiresAt: unknown, createdAt: unknown, ttlSeconds: unknown, c: Convert = PLAIN): number | null {
	const expires = c.timestamp(expiresAt);
	const ttl = integer(ttlSeconds);
	const created = ttl !== null && ttl > 0 ? c.timestamp(createdAt) : null;
	const lapses = created === null ? null : created + ttl! * 1000;
	return expires === null ? lapses : lapses === null ? expires : Math.min(expires, lapses);
}

/** An open message past its expires_at, or past created_at + ttl_seconds, is no longer unread. */
export function messageExpired(expiresAt: unknown, createdAt: unknown, ttlSeconds: unknown, now: number, c: Convert = PLAIN): boolean {
	const expiry = expiryOf(expiresAt, createdAt, ttlSeconds, c);
	return expiry !== null && expiry <= now;
}

/** The whole-history counts: legacy, and v2 by status, 'read' being what the total leaves (see statusCounts in statements.ts). */
export function toCounts(legacy: number, rows: Array<Record<string, unknown>> | null, total: number | null, now: number): MessageCounts {
	const byStatus: Record<string, number> = {};
	let v2 = 0;
	const statuses = [...(rows ?? [])];
	if (total !== null) {
		const read = total - legacy - statuses.reduce((sum, row) => sum + Number(row['n']), 0);
		if (read > 0) {
			const at = statuses.findIndex(row => row['before_read'] === 0);
			statuses.splice(at < 0 ? statuses.length : at, 0, {status: 'read', n: read});
		}
	}
	for (const row of statuses) {
		const key = cleanText(row['status']) ?? '(null)';
		const n = Number(row['n']);
		byStatus[key] = (byStatus[key] ?? 0) + n;
		v2 += n;
	}
	return {legacy, v2, byStatus, countedAt: now};
}

/**
 * The history counts with their open statuses as counted now: those move with every
 * delivery and acknowledgement, cheaply counted at every read; the rest moves only with
 * the history, counted now and then (`countedAt`).
 */
export function withOpenStatuses(counts: MessageCounts, open: Record<string, number>): MessageCounts {
	const byStatus = {...counts.byStatus};
	let v2 = counts.v2;
	for (const status of OPEN_STATUSES) {
		const now = open[status] ?? 0;
		v2 += now - (byStatus[status] ?? 0);
		if (now > 0) byStatus[status] = now;
		else delete byStatus[status];
	}
	return {...counts, v2, byStatus};
}
