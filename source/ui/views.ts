import type {JsonValue, MessageRow} from '../bus/types.js';
import type {ReleaseTarget} from '../bus/delivery.js';
import {formatDuration, formatIso} from '../bus/time.js';
import {type HoldView, type SessionView} from '../analysis/analyze.js';
import {alertResources, alertSessions, groupAlerts, isOpen, payloadString, priorityLabel} from '../analysis/alerts.js';
import type {Reading} from '../monitor/monitor.js';
import {alertLines, heartbeatText, lifecycleLine, lifecycleProject, lifecycleSession, messageSummary, pidText, stampText, vendorText} from '../report/describe.js';
import {sessionBlock, statsBullets} from '../report/dashboard.js';
import {valueFormat} from '../report/format.js';
import {wrapText} from '../text/fit.js';
import {observations} from '../report/observations.js';

/**
 * Pure: a reading -> the rows of every tab, as plain strings. Times are shown
 * at a coarse resolution (minutes; "<1m") so that, with nothing committed, the
 * rows stay equal from one tick to the next and nothing re-renders.
 */

export type TabId = 'sessions' | 'locks' | 'claims' | 'alerts' | 'unread' | 'lifecycle' | 'stats';

export const TABS: Array<{id: TabId; title: string; short: string}> = [
	{id: 'sessions', title: 'Sessions', short: 'Ses'},
	{id: 'locks', title: 'Locks', short: 'Lck'},
	{id: 'claims', title: 'Claims', short: 'Clm'},
	{id: 'alerts', title: 'Alerts', short: 'Alr'},
	{id: 'unread', title: 'Unread', short: 'Unr'},
	{id: 'lifecycle', title: 'Lifecycle', short: 'Lfc'},
	{id: 'stats', title: 'Stats', short: 'Sta'},
];

export type Tone = 'normal' | 'muted' | 'good' | 'warn' | 'bad' | 'critical' | 'accent';

export type Column = {
	id: string;
	title: string;
	/** Narrowest useful width; the widest column of `grow` takes what is left. */
	width: number;
	grow?: boolean;
	/** Kept in a narrow pane. */
	compact?: boolean;
	sortable?: boolean;
};

export type Row = {
	key: string;
	cells: Record<string, string>;
	tone: Tone;
	/** Sort values by column id (numbers sort numerically). */
	sort: Record<string, string | number>;
	/** What `/` matches: the row's text. */
	search: string;
	/** What `y` copies: the full id or path. */
	copy: string;
	/** Alert ids `a` acknowledges. */
	alertIds?: number[];
	/** Message ids that count as shown once this row is on screen. */
	shownIds?: number[];
	release?: ReleaseTarget;
	/** Why `x` is refused for this row, when it is. */
	releaseRefusal?: string;
	/** The detail view's lines, built only when opened. */
	detail: () => string[];
	/** When a cell next reads differently with the clock alone (epoch ms); absent: never. */
	changesAt?: number;
};

export type TabView = {
	id: TabId;
	title: string;
	count: number;
	badgeTone: Tone;
	columns: Column[];
	rows: Row[];
	/** Lines shown above the rows. */
	header: string[];
	empty: string;
};

const f = valueFormat('terminal');

/** Minutes resolution: `<1m`, `12m`, `2h 15m`, `3d 4h`. */
export function coarseAge(ms: number | null): string {
	if (ms === null) return '?';
	// Past a minute formatDuration already drops the seconds.
	return ms < 60_000 ? '<1m' : formatDuration(ms);
}

/** How long until coarseAge(ms) reads differently, as ms grows. */
export function coarseAgeChangesIn(ms: number): number {
	if (ms < 60_000) return 60_000 - ms;
	return ms < 86_400_000 ? 60_000 - (ms % 60_000) : 3_600_000 - (ms % 3_600_000);
}

/** Hours resolution, for uptimes: `<1h`, `5h`, `3d 4h`. */
export function hoursAge(ms: number): string {
	if (ms < 3_600_000) return '<1h';
	const hours = Math.floor(ms / 3_600_000);
	return hours < 24 ? `${hours}h` : `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** How long until hoursAge(ms) reads differently: at the next whole hour. */
export function hoursAgeChangesIn(ms: number): number {
	return 3_600_000 - (ms % 3_600_000);
}

/**
 * A heartbeat within the stale timeout is just `ok` (its exact age is in the
 * detail): a screen of healthy sessions then never changes while the bus is
 * idle. Late or stale heartbeats show their age.
 */
export function heartbeatCell(view: SessionView, staleTimeoutMs: number): string {
	if (view.heartbeatAgeMs === null) return '?';
	if (view.heartbeatAgeMs <= staleTimeoutMs && !view.clockAhead) return 'ok';
	return `${view.clockAhead ? 'ahead ' : ''}${coarseAge(view.heartbeatAgeMs)}`;
}

/** How long until heartbeatCell reads differently. */
function heartbeatCellChangesIn(view: SessionView, staleTimeoutMs: number): number {
	if (view.heartbeatAgeMs === null) return Infinity;
	if (view.heartbeatAgeMs <= staleTimeoutMs && !view.clockAhead) return staleTimeoutMs - view.heartbeatAgeMs + 1;
	return coarseAgeChangesIn(view.heartbeatAgeMs);
}

function since(ms: number | null, now: number): string {
	return ms === null ? '?' : coarseAge(Math.max(0, now - ms));
}

function sinceChangesIn(ms: number | null, now: number): number {
	return ms === null ? Infinity : coarseAgeChangesIn(Math.max(0, now - ms));
}

export function countdown(expires: {ms: number | null; text: string | null}, expired: boolean, now: number): string {
	if (expires.ms === null) return expires.text === null ? '—' : '?';
	if (expired) return 'expired';
	return `in ${coarseAge(expires.ms - now)}`;
}

/** How long until countdown reads differently: its minutes (hours past a day) count down, `<1m` lasts until expiry. */
export function countdownChangesIn(expires: {ms: number | null}, expired: boolean, now: number): number {
	if (expires.ms === null || expired) return Infinity;
	const left = expires.ms - now;
	// Past its expiry it reads `<1m` until a reading marks it expired: nothing the clock changes.
	if (left <= 0) return Infinity;
	if (left < 60_000) return left;
	return (left < 86_400_000 ? left % 60_000 : left % 3_600_000) + 1;
}

function sessionStateWord(view: SessionView): string {
	if (view.state === 'ended') return 'ended';
	if (view.state === 'stale') return view.row.status === 'stale' ? 'stale' : `stale/${livenessWord(view)}`;
	if (view.state === 'late') return 'late';
	return livenessWord(view);
}

function livenessWord(view: SessionView): string {
	switch (view.liveness.state) {
		case 'no-pid':
			return 'no pid';
		default:
			return view.liveness.state;
	}
}

function sessionTone(view: SessionView): Tone {
	if (view.state === 'ended') return 'muted';
	if (view.state === 'stale' || view.liveness.state === 'dead' || view.liveness.state === 'reused') return 'bad';
	if (view.state === 'late' || view.clockAhead) return 'warn';
	if (view.isCurrent) return 'accent';
	return 'normal';
}

function plainLines(lines: string[]): string[] {
	return lines.map(line => line.replace(/\*\*/g, ''));
}

function sessionRows(reading: Reading, showEnded: boolean): Row[] {
	const {analysis} = reading;
	const now = analysis.now;
	return analysis.sessions
		.filter(view => showEnded || view.state !== 'ended')
		.map(view => {
			const state = sessionStateWord(view);
			const release: ReleaseTarget | undefined =
				view.releaseReason && view.row.status === 'active'
					? {
							kind: 'session',
							rowid: view.row.rowid,
							sessionId: view.row.sessionId,
							heartbeatText: view.row.lastHeartbeat.text,
							reason: `released from the dashboard: ${view.releaseReason}`,
						}
					: undefined;
			const cells = {
				id: `${view.isCurrent ? '▶ ' : ''}${view.row.sessionId}`,
				vendor: vendorText(view),
				project: view.row.projectId ?? '(not set)',
				state,
				uptime: view.uptimeMs === null ? '—' : hoursAge(view.uptimeMs),
				heartbeat: heartbeatCell(view, reading.snapshot.staleTimeoutMs),
				claims: String(view.claims.length),
				locks: String(view.locks.length),
				unread: String(view.unread),
			};
			return {
				key: `session:${view.row.rowid}`,
				cells,
				changesAt:
					now +
					Math.min(
						view.uptimeMs === null ? Infinity : hoursAgeChangesIn(view.uptimeMs),
						heartbeatCellChangesIn(view, reading.snapshot.staleTimeoutMs),
					),
				tone: sessionTone(view),
				sort: {
					id: view.row.sessionId,
					vendor: cells.vendor,
					project: cells.project,
					state,
					// Sort by instants, not ages: ages grow every tick and would make equal rows look changed.
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
				release,
				releaseRefusal: release
					? undefined
					: view.row.status !== 'active'
						? `${view.row.sessionId} is already ${view.row.status}`
						: `${view.row.sessionId} is ${view.liveness.state === 'alive' ? 'alive' : 'not stale'}: only dead or stale sessions can be released`,
				detail: () => [
					...plainLines(sessionBlock(view, f, now, true)),
					`- State: ${state}`,
					`- Heartbeat: ${heartbeatText(view)}`,
					`- PID check: ${pidText(view, now)}`,
					...(view.row.metadata === null ? [] : ['- Metadata:', ...prettyJson(view.row.metadata).map(line => `    ${line}`)]),
				],
			};
		})
		.sort((a, b) => Number(b.key === currentKey(reading)) - Number(a.key === currentKey(reading)));
}

function currentKey(reading: Reading): string | null {
	return reading.analysis.current ? `session:${reading.analysis.current.row.rowid}` : null;
}

function holdRows(holds: Array<HoldView>, kind: 'lock' | 'claim', now: number): Row[] {
	return holds.map(hold => {
		const {row} = hold;
		const {key, type, since: sinceStamp} = row;
		const holder = hold.orphanReason ? `${row.sessionId} (${hold.orphanReason.replace('holder ', '')})` : row.sessionId;
		const cells = {key, holder, type, age: since(sinceStamp.ms, now), expires: countdown(row.expiresAt, row.expired, now)};
		return {
			key: `${kind}:${row.rowid}`,
			cells,
			changesAt: now + Math.min(sinceChangesIn(sinceStamp.ms, now), countdownChangesIn(row.expiresAt, row.expired, now)),
			tone: row.expired ? 'muted' : hold.orphaned ? 'bad' : 'normal',
			sort: {key, holder, type, age: sinceStamp.ms ?? 0, expires: row.expiresAt.ms ?? Number.MAX_SAFE_INTEGER},
			search: [key, holder, type].join(' '),
			copy: key,
			release:
				hold.orphaned || row.expired
					? {kind, rowid: row.rowid, key, sessionId: row.sessionId, reason: hold.orphanReason ?? 'expired'}
					: undefined,
			releaseRefusal: `the holder ${row.sessionId} is alive: only a ${kind} held by a dead or stale session can be released`,
			detail: () => [
				`${kind === 'lock' ? 'File lock' : 'Task claim'}: ${key}`,
				`- Holder: ${holder}`,
				`- Type: ${type}`,
				`- Since: ${stampText(sinceStamp)}`,
				`- Expires: ${stampText(row.expiresAt)}${row.expired ? ' (expired)' : ''}`,
				...(hold.holder ? ['', ...plainLines(sessionBlock(hold.holder, f, now, false))] : ['- The holder is not registered on the bus']),
			],
		} satisfies Row;
	});
}

export function prettyJson(value: JsonValue): string[] {
	return JSON.stringify(value, null, 2).split('\n');
}

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

function messageDetail(message: MessageRow, reading: Reading, head: string[]): string[] {
	return [
		...head,
		'',
		`Message #${message.id} on ${message.channel} from ${message.senderId}`,
		'Payload:',
		...prettyJson(message.payload).map(line => `  ${line}`),
		...thread(message, reading),
	];
}

const PRIORITY_TONE: Tone[] = ['muted', 'normal', 'warn', 'critical'];

export function priorityTone(priority: number): Tone {
	return PRIORITY_TONE[Math.max(0, Math.min(3, priority))]!;
}

function alertRows(reading: Reading): Row[] {
	const {snapshot, analysis} = reading;
	const now = analysis.now;
	// Open alerts grouped by type (highest priority first), then the recently acknowledged.
	const open = analysis.alertGroups.flatMap(group => group.alerts);
	const read = groupAlerts(snapshot.alerts.filter(alert => alert.status === 'read')).flatMap(group => group.alerts);
	return [...open, ...read].map((alert, order) => {
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
			shownIds: alert.status === 'pending' ? [alert.id] : undefined,
			detail: () => messageDetail(alert, reading, alertLines(alert, f, true)),
		} satisfies Row;
	});
}

function unreadRows(reading: Reading): Row[] {
	const {snapshot, analysis} = reading;
	const now = analysis.now;
	const current = analysis.current?.row.sessionId ?? null;
	return [...snapshot.unread]
		.sort(
			(a, b) =>
				Number(b.recipientId === current) - Number(a.recipientId === current) ||
				(a.recipientId ?? '').localeCompare(b.recipientId ?? '') ||
				b.priority - a.priority ||
				b.id - a.id,
		)
		.map((message, order) => {
			const cells = {
				recipient: message.recipientId ?? '(all)',
				priority: priorityLabel(message.priority),
				channel: message.channel,
				from: message.senderId,
				age: since(message.createdAt.ms, now),
				summary: messageSummary(message),
			};
			const mine = current !== null && message.recipientId === current;
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
				// Only the recipient's own view delivers a message.
				shownIds: mine && message.status === 'pending' ? [message.id] : undefined,
				detail: () =>
					messageDetail(message, reading, [
						`[${priorityLabel(message.priority).toUpperCase()}] ${message.messageType ?? '(untyped)'} — ${stampText(message.createdAt)}`,
						`To: ${cells.recipient}`,
						`Status: ${message.status}`,
						...(message.taskId ? [`Task: ${message.taskId}`] : []),
						...(message.projectId ? [`Project: ${message.projectId}`] : []),
					]),
			} satisfies Row;
		});
}

function lifecycleRows(reading: Reading): Row[] {
	const now = reading.analysis.now;
	return reading.snapshot.lifecycle.map((event, order) => {
		const cells = {
			time: event.createdAt.ms === null ? stampText(event.createdAt) : formatIso(event.createdAt.ms).slice(5, 16).replace('T', ' '),
			event: event.messageType ?? '(untyped)',
			session: lifecycleSession(event),
			project: lifecycleProject(event) ?? '—',
			where: [payloadString(event.payload, 'cwd'), payloadString(event.payload, 'reason') && `(${payloadString(event.payload, 'reason')})`]
				.filter(Boolean)
				.join(' '),
		};
		return {
			key: `event:${event.id}`,
			cells,
			tone: event.messageType === 'ended' ? 'muted' : event.messageType === 'started' ? 'good' : 'normal',
			sort: {order, time: event.createdAt.ms ?? 0, event: cells.event, session: cells.session, project: cells.project, where: cells.where},
			search: Object.values(cells).join(' '),
			copy: cells.session,
			detail: () => messageDetail(event, reading, [lifecycleLine(event, f), `Age: ${since(event.createdAt.ms, now)}`]),
		} satisfies Row;
	});
}

function statsRows(reading: Reading, countsNote: string): Row[] {
	const {snapshot, analysis} = reading;
	const lines = [
		'Bus Statistics',
		...statsBullets(snapshot, analysis, f, false).map(line => line.replace(/^- /, '  ')),
		`  ${countsNote}`,
		'',
		'Observations',
		...observations(snapshot, analysis, f).map(line => `  ${line}`),
	];
	return lines.map((line, index) => ({
		key: `stat:${index}`,
		cells: {text: line},
		// Observations give ages to the second: always due.
		changesAt: analysis.now,
		tone: index === 0 || line === 'Observations' ? 'accent' : 'normal',
		sort: {order: index},
		search: line,
		copy: line.trim(),
		detail: () => [line],
	}));
}

const SESSION_COLUMNS: Column[] = [
	// At 80 columns nothing grows: the id column must still hold `▶ claude-29583`.
	{id: 'id', title: 'SESSION', width: 16, grow: true, compact: true, sortable: true},
	{id: 'vendor', title: 'VENDOR', width: 13, sortable: true},
	{id: 'project', title: 'PROJECT', width: 9, sortable: true},
	{id: 'state', title: 'STATE', width: 12, compact: true, sortable: true},
	{id: 'uptime', title: 'UP', width: 7, sortable: true},
	{id: 'heartbeat', title: 'BEAT', width: 6, compact: true, sortable: true},
	{id: 'claims', title: 'CLM', width: 3, sortable: true},
	{id: 'locks', title: 'LCK', width: 3, sortable: true},
	{id: 'unread', title: 'UNR', width: 3, sortable: true},
];

const HOLD_COLUMNS = (keyTitle: string): Column[] => [
	{id: 'key', title: keyTitle, width: 14, grow: true, compact: true, sortable: true},
	{id: 'holder', title: 'HOLDER', width: 18, compact: true, sortable: true},
	{id: 'type', title: 'TYPE', width: 9, sortable: true},
	{id: 'age', title: 'AGE', width: 7, sortable: true},
	{id: 'expires', title: 'EXPIRES', width: 9, sortable: true},
];

const ALERT_COLUMNS: Column[] = [
	{id: 'priority', title: 'PRIO', width: 8, compact: true, sortable: true},
	{id: 'type', title: 'TYPE', width: 16, compact: true, sortable: true},
	{id: 'sessions', title: 'SESSIONS', width: 16, grow: true, sortable: true},
	{id: 'resource', title: 'RESOURCE', width: 14, grow: true, sortable: true},
	{id: 'status', title: 'STATUS', width: 9, compact: true, sortable: true},
	{id: 'age', title: 'AGE', width: 6, sortable: true},
];

const UNREAD_COLUMNS: Column[] = [
	{id: 'recipient', title: 'TO', width: 14, compact: true, sortable: true},
	{id: 'priority', title: 'PRIO', width: 8, sortable: true},
	{id: 'channel', title: 'CHANNEL', width: 12, sortable: true},
	{id: 'from', title: 'FROM', width: 14, sortable: true},
	{id: 'age', title: 'AGE', width: 6, sortable: true},
	{id: 'summary', title: 'MESSAGE', width: 12, grow: true, compact: true, sortable: true},
];

const LIFECYCLE_COLUMNS: Column[] = [
	{id: 'time', title: 'TIME (UTC)', width: 11, compact: true, sortable: true},
	{id: 'event', title: 'EVENT', width: 8, compact: true, sortable: true},
	{id: 'session', title: 'SESSION', width: 14, compact: true, sortable: true},
	{id: 'project', title: 'PROJECT', width: 10, sortable: true},
	{id: 'where', title: 'CWD / REASON', width: 12, grow: true, sortable: true},
];

const STATS_COLUMNS: Column[] = [{id: 'text', title: '', width: 10, grow: true, compact: true}];

function maxTone(priority: number | null): Tone {
	return priority === null ? 'normal' : priorityTone(priority);
}

export const MAX_HEADER_LINES = 3;

/** Rows whose one cell is a sentence, wrapped to `width` (continuation rows indented under the text). */
export function wrapRows(rows: Row[], cell: string, width: number): Row[] {
	return rows.flatMap(row => {
		const text = row.cells[cell] ?? '';
		const indent = ' '.repeat(Math.min(8, text.length - text.trimStart().length + 2));
		return wrapText(text, width, indent).map((line, index) =>
			index === 0
				? {...row, cells: {...row.cells, [cell]: line}}
				: {...row, key: `${row.key}:${index}`, cells: {...row.cells, [cell]: line}},
		);
	});
}

export type ViewOptions = {showEnded: boolean; countsNote: string};

export type Badge = {count: number; tone: Tone};

/** The tab bar's counts and colours: from the analysis alone, without building any rows. */
export function tabBadges(reading: Reading): Record<TabId, Badge> {
	const {analysis, snapshot} = reading;
	const maxPriority = analysis.openAlerts.reduce<number | null>(
		(max, alert) => (max === null ? alert.priority : Math.max(max, alert.priority)),
		null,
	);
	const problems = analysis.sessions.some(view => view.state !== 'ended' && sessionTone(view) === 'bad');
	return {
		sessions: {count: analysis.active.length, tone: problems ? 'bad' : 'normal'},
		locks: {
			count: analysis.locks.filter(lock => !lock.row.expired).length,
			tone: analysis.locks.some(lock => lock.orphaned) ? 'bad' : 'normal',
		},
		claims: {
			count: analysis.claims.filter(claim => !claim.row.expired).length,
			tone: analysis.claims.some(claim => claim.orphaned) ? 'bad' : 'normal',
		},
		alerts: {count: analysis.openAlerts.length, tone: maxTone(maxPriority)},
		unread: {count: analysis.unreadTotal, tone: 'normal'},
		lifecycle: {count: snapshot.lifecycle.length, tone: 'normal'},
		stats: {count: analysis.sessions.length, tone: snapshot.database.schema.missing.length > 0 ? 'warn' : 'normal'},
	};
}

function unreadHeader(reading: Reading): string[] {
	const current = reading.analysis.current?.row.sessionId ?? null;
	const recipients = [...reading.snapshot.unreadByRecipient]
		.sort((a, b) => Number(b.recipientId === current) - Number(a.recipientId === current))
		.map(entry => `${entry.recipientId}: ${entry.count} (${entry.byChannel.map(item => `${item.count} ${item.channel}`).join(', ')})`);
	// At most three lines above the rows; say how many recipients did not fit.
	return recipients.length <= MAX_HEADER_LINES
		? recipients
		: [
				...recipients.slice(0, MAX_HEADER_LINES - 1),
				`+${recipients.length - MAX_HEADER_LINES + 1} more recipients (the TO column lists them)`,
			];
}

type TabContent = Pick<TabView, 'columns' | 'rows' | 'header' | 'empty'>;

const noV2 = (reading: Reading, what: string) =>
	reading.snapshot.database.schema.hasV2Messages ? `No ${what}.` : `This database has no v2 message columns: no ${what}.`;
const noTable = (reading: Reading, table: string, what: string) =>
	reading.snapshot.database.schema.missing.includes(`table ${table}`) ? `This database has no ${table} table.` : `No ${what}.`;

/** Each tab's rows, built only for the tab on screen. */
const TAB_CONTENT: Record<TabId, (reading: Reading, options: ViewOptions) => TabContent> = {
	sessions: (reading, options) => ({
		columns: SESSION_COLUMNS,
		rows: sessionRows(reading, options.showEnded),
		header: [],
		empty: 'No LLM sessions are currently registered. Run /session-register in an agent session to register it.',
	}),
	locks: reading => ({
		columns: HOLD_COLUMNS('FILE'),
		rows: holdRows(reading.analysis.locks, 'lock', reading.analysis.now),
		header: [],
		empty: noTable(reading, 'file_locks', 'file locks'),
	}),
	claims: reading => ({
		columns: HOLD_COLUMNS('TASK'),
		rows: holdRows(reading.analysis.claims, 'claim', reading.analysis.now),
		header: [],
		empty: noTable(reading, 'task_claims', 'task claims'),
	}),
	alerts: reading => ({columns: ALERT_COLUMNS, rows: alertRows(reading), header: [], empty: noV2(reading, 'operator alerts')}),
	unread: reading => ({
		columns: UNREAD_COLUMNS,
		rows: unreadRows(reading),
		header: unreadHeader(reading),
		empty: noV2(reading, 'unread messages'),
	}),
	lifecycle: reading => ({columns: LIFECYCLE_COLUMNS, rows: lifecycleRows(reading), header: [], empty: 'No lifecycle events.'}),
	stats: (reading, options) => ({columns: STATS_COLUMNS, rows: statsRows(reading, options.countsNote), header: [], empty: ''}),
};

export function buildTab(reading: Reading, id: TabId, options: ViewOptions, badges = tabBadges(reading)): TabView {
	const title = TABS.find(tab => tab.id === id)!.title;
	return {id, title, count: badges[id].count, badgeTone: badges[id].tone, ...TAB_CONTENT[id](reading, options)};
}

/** Every tab at once (the tests check them all); the live dashboard builds only the one on screen. */
export function buildTabs(reading: Reading, options: ViewOptions): Record<TabId, TabView> {
	const badges = tabBadges(reading);
	return Object.fromEntries(TABS.map(({id}) => [id, buildTab(reading, id, options, badges)])) as Record<TabId, TabView>;
}
