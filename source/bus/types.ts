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
	/** A remote's message whose payload is a preview, bounded for the wire (the detail view fetches the whole one). */
	payloadCut?: boolean;
};

export type UnreadSummary = {
	recipientId: string;
	count: number;
	byChannel: Array<{channel: string; count: number}>;
	maxPriority: number;
};

/** Open operator alerts of one type that have not expired. */
export type AlertTypeCount = {type: string; count: number; critical: number; maxPriority: number};

/** Open operator alerts that have not expired, counted (not the length of the bounded `alerts`); types most urgent first. */
export type AlertCounts = {open: number; critical: number; byType: AlertTypeCount[]};

/** Registered sessions, counted: every row ("historical"), and the ended ones among them. */
export type SessionCounts = {total: number; ended: number};

export type MessageCounts = {
	legacy: number;
	v2: number;
	byStatus: Record<string, number>;
	/** When the whole-history counts were taken (they may be older than the snapshot); the open statuses are counted at every read. */
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
	/**
	 * The sessions not ended, by rowid, with the ended ones that still hold a lock or a claim
	 * or are the current session; then the ended sessions asked for (SnapshotOptions), newest first.
	 */
	sessions: SessionRow[];
	sessionCounts: SessionCounts;
	claims: Hold[];
	locks: Hold[];
	/** Open operator alerts (pending or delivered), highest priority first, bounded; then the recently acknowledged. */
	alerts: MessageRow[];
	alertCounts: AlertCounts;
	/** Open directed messages, highest priority first, bounded. */
	unread: MessageRow[];
	/** Per-recipient unread counts, counted (not bounded by `unread`). */
	unreadByRecipient: UnreadSummary[];
	/** Lifecycle events, newest first, bounded. */
	lifecycle: MessageRow[];
	counts: MessageCounts | null;
};
