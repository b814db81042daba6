/**
 * The plain, serialisable picture of the bus that one read transaction yields.
 * Every string in it has already been through `escapeControls`: nothing here can
 * drive a terminal. Rows carry SQLite's `rowid` so writes address the exact row
 * without needing the (possibly escaped) text key back.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue};

/** A timestamp as stored (escaped text) and as parsed (epoch ms, null when unparseable or NULL). */
export type Stamp = {
	text: string | null;
	ms: number | null;
};

export type SessionRow = {
	rowid: number;
	sessionId: string;
	sessionUuid: string | null;
	machineUuid: string | null;
	hostname: string | null;
	vendor: string | null;
	model: string | null;
	projectId: string | null;
	tty: string | null;
	cwd: string | null;
	/** As stored; NULL, 0, negative or out-of-range values are kept so views can say so. */
	pid: number | null;
	status: string;
	registeredAt: Stamp;
	lastHeartbeat: Stamp;
	metadata: JsonValue;
};

/** A file lock or a task claim: the two tables have the same shape. */
export type HoldKind = 'lock' | 'claim';

export type Hold = {
	kind: HoldKind;
	rowid: number;
	/** The lock's file path, or the claim's task id. */
	key: string;
	sessionId: string;
	/** exclusive | shared (as stored). */
	type: string;
	/** locked_at or claimed_at. */
	since: Stamp;
	expiresAt: Stamp;
	/** expires_at has passed: no longer held. */
	expired: boolean;
};

/** pending | delivered | read | expired, or whatever else a writer stored. */
export type MessageStatus = string;

export type MessageRow = {
	id: number;
	senderId: string;
	channel: string;
	/** Parsed JSON (strings escaped); a payload that is not JSON becomes {raw: text}. */
	payload: JsonValue;
	createdAt: Stamp;
	recipientId: string | null;
	messageType: string | null;
	priority: number;
	status: MessageStatus;
	projectId: string | null;
	taskId: string | null;
	activity: string | null;
	replyTo: number | null;
	expiresAt: Stamp;
	deliveredAt: Stamp;
	readAt: Stamp;
};

export type UnreadSummary = {
	recipientId: string;
	count: number;
	byChannel: Array<{channel: string; count: number}>;
	maxPriority: number;
};

export type MessageCounts = {
	legacy: number;
	v2: number;
	byStatus: Record<string, number>;
	/** When these whole-history counts were taken (they may be older than the snapshot). */
	countedAt: number;
};

export type SchemaReport = {
	/** Tables or columns the database lacks, in words: "table file_locks", "v2 columns of session_messages". */
	missing: string[];
	hasV2Messages: boolean;
	/** Holds the registry or the messages: a message bus, however old (see isBus). */
	isBus: boolean;
};

export type BusSnapshot = {
	takenAt: number;
	database: {
		path: string;
		sizeBytes: number;
		journalMode: string;
		schema: SchemaReport;
	};
	staleTimeoutMs: number;
	sessions: SessionRow[];
	claims: Hold[];
	locks: Hold[];
	/** Open operator alerts (pending or delivered), highest priority first, bounded. */
	alerts: MessageRow[];
	/** Open directed messages, highest priority first, bounded. */
	unread: MessageRow[];
	/** Exact per-recipient unread counts (not bounded by `unread`). */
	unreadByRecipient: UnreadSummary[];
	/** Lifecycle events, newest first, bounded. */
	lifecycle: MessageRow[];
	counts: MessageCounts | null;
};
