import type {ReleaseTarget} from '../bus/delivery.js';
import type {SendRequest} from '../bus/send.js';
import type {BusSnapshot, Hold, JsonValue, MessageRow, SessionRow, UnreadSummary} from '../bus/types.js';
import type {Liveness} from '../processes/liveness.js';

/**
 * The `serve` protocol: newline-delimited JSON on a transport's standard input and
 * output, at most MAX_LINE_BYTES a line. `serve` speaks first (a hello); the viewer
 * subscribes, and `serve` sends a full reading, then only what changed, per table.
 * Every request carries an id and gets one response: done, or an error saying why.
 * The major version changes when either side could misread the other.
 */

export const PROTOCOL_VERSION = {major: 1, minor: 0} as const;
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** The viewer pings this often; `serve` exits after SERVE_IDLE_EXIT_MS without any line from it. */
export const PING_INTERVAL_MS = 10_000;
export const SERVE_IDLE_EXIT_MS = 60_000;

export const CAPABILITIES = [
	'reading',
	'acknowledge',
	'release',
	'deliver',
	'send',
	'payload',
	'counts',
	'refresh',
	'ping',
	'ended',
] as const;

export type Hello = {
	type: 'hello';
	protocol: {major: number; minor: number};
	version: string;
	capabilities: string[];
	hostname: string;
	machineUuid: string | null;
	database: string;
	readOnly: boolean;
	/** The remote's clock, epoch ms. */
	now: number;
};

/** What the remote judged of its own sessions: the viewer analyses with these and never probes a remote PID. */
export type Judgement = {
	liveness: Array<[rowid: number, liveness: Liveness]>;
	heartbeatFirstSeen: Array<[rowid: number, at: number]>;
	operator: string;
};

/** The snapshot's lists, sent row by row (the unread counts by recipient); every other field of the snapshot is sent whole when it changes. */
export const TABLES = ['sessions', 'locks', 'claims', 'alerts', 'unread', 'lifecycle', 'unreadByRecipient'] as const;
export type TableName = (typeof TABLES)[number];
export type TableRow<T extends TableName> = BusSnapshot[T][number];
export const SCALARS = ['takenAt', 'database', 'staleTimeoutMs', 'sessionCounts', 'alertCounts', 'counts'] as const;
export type ScalarName = (typeof SCALARS)[number];

/** One table's change: rows added or changed, keys removed, and the whole order when it changed. */
export type TableChange = {put: unknown[]; remove: string[]; order?: string[]};

export type ReadingMessage = {
	type: 'reading';
	/** Every table and scalar whole: the first reading, and after the viewer falls behind. */
	full: boolean;
	now: number;
	tables: Partial<Record<TableName, TableChange>>;
	scalars: Partial<Record<ScalarName, unknown>>;
	judgement?: Judgement;
};

export type BusErrorMessage = {type: 'bus-error'; now: number; message: string};
export type Response =
	{type: 'response'; id: number; ok: true; result: JsonValue} | {type: 'response'; id: number; ok: false; error: string};
/** A line `serve` could not take: malformed, oversized, or a request it does not know. */
export type ProtocolError = {type: 'error'; message: string};

export type ServeMessage = Hello | ReadingMessage | BusErrorMessage | Response | ProtocolError;

export type Request =
	| {type: 'subscribe'; id: number; endedSessions?: number}
	| {type: 'ping'; id: number}
	| {type: 'acknowledge'; id: number; ids: number[]}
	| {type: 'release'; id: number; target: ReleaseTarget}
	| {type: 'deliver'; id: number; ids: number[]}
	| {type: 'send'; id: number; request: SendRequest}
	| {type: 'payload'; id: number; message: number}
	| {type: 'counts'; id: number}
	| {type: 'refresh'; id: number; exact?: boolean}
	| {type: 'ended'; id: number; count: number};

/** A row's key within its table: what `remove` and `order` name. */
export function rowKey(table: TableName, row: SessionRow | Hold | MessageRow | UnreadSummary): string {
	if (table === 'unreadByRecipient') return (row as UnreadSummary).recipientId;
	if (table === 'sessions') return String((row as SessionRow).rowid);
	if (table === 'locks' || table === 'claims') return String((row as Hold).rowid);
	return String((row as MessageRow).id);
}

/** A machine's bus, as a hello names it: its host (in any case) and the database's path there. */
export const busKey = (hostname: string, database: string): string => `${hostname.toLowerCase()}\u0000${database}`;

export type PayloadBounds = {string: number; items: number; depth: number; total: number};

/** Messages travel with bounded payloads: strings cut, lists and objects shortened, nesting limited, and all their text together bounded. */
export const PAYLOAD_BOUNDS: PayloadBounds = {string: 4096, items: 100, depth: 8, total: 16_384};

/**
 * A payload asked for whole (the detail view) is bounded too, far above any preview and
 * well inside a line (MAX_LINE_BYTES, which would drop the link): what is cut is marked.
 */
export const WHOLE_PAYLOAD_BOUNDS: PayloadBounds = {string: 262_144, items: 10_000, depth: 32, total: 1_048_576};

/** A payload within `bounds`, and whether anything was cut (the detail view fetches the whole one). */
export function boundPayload(value: JsonValue, bounds: PayloadBounds = PAYLOAD_BOUNDS): {value: JsonValue; cut: boolean} {
	let cut = false;
	let budget: number = bounds.total;
	const walk = (item: JsonValue, depth: number): JsonValue => {
		if (typeof item === 'string') {
			const keep = Math.min(bounds.string, Math.max(0, budget));
			budget -= Math.min(item.length, keep);
			if (item.length <= keep) return item;
			cut = true;
			return `${item.slice(0, keep)}…`;
		}
		if (item === null || typeof item !== 'object') return item;
		if (depth >= bounds.depth) {
			cut = true;
			return Array.isArray(item) ? [] : {};
		}
		if (Array.isArray(item)) {
			if (item.length > bounds.items) cut = true;
			return item.slice(0, bounds.items).map(child => walk(child, depth + 1));
		}
		const entries = Object.entries(item);
		budget -= entries.reduce((total, [key]) => total + key.length, 0);
		if (entries.length > bounds.items) cut = true;
		return Object.fromEntries(entries.slice(0, bounds.items).map(([key, child]) => [key, walk(child, depth + 1)]));
	};
	return {value: walk(value, 0), cut};
}

/**
 * Splits a byte stream into lines of at most MAX_LINE_BYTES. A longer line is dropped
 * whole, reported once, and reading goes on at the next newline: memory stays bounded
 * whatever the other side sends.
 */
export class LineSplitter {
	private chunks: Buffer[] = [];
	private size = 0;
	private skipping = false;

	constructor(
		private readonly onLine: (line: string) => void,
		private readonly onOversized: (bytes: number) => void,
		private readonly maxBytes = MAX_LINE_BYTES,
	) {}

	push(data: Buffer): void {
		let start = 0;
		for (let newline = data.indexOf(10, start); newline !== -1; newline = data.indexOf(10, start)) {
			this.take(data.subarray(start, newline));
			const line = this.skipping ? null : Buffer.concat(this.chunks, this.size).toString('utf8');
			if (this.skipping) this.onOversized(this.size);
			this.chunks = [];
			this.size = 0;
			this.skipping = false;
			if (line !== null) this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
			start = newline + 1;
		}
		this.take(data.subarray(start));
	}

	private take(part: Buffer): void {
		if (part.length === 0) return;
		this.size += part.length;
		if (this.skipping) return;
		if (this.size > this.maxBytes) {
			this.skipping = true;
			this.chunks = [];
			return;
		}
		this.chunks.push(part);
	}
}

/** One message as a line. */
export function encode(message: ServeMessage | Request): string {
	return `${JSON.stringify(message)}\n`;
}
