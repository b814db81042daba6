import type {BusSnapshot, Hold, MessageRow, SessionRow} from '../bus/types.js';
import type {Liveness} from '../processes/liveness.js';
import {type AlertGroup, groupAlerts, isOpen} from './alerts.js';
import {groupBy} from './group-by.js';
import {type Need, criticalSessionIds, mailTo, needOf} from './triage.js';

/**
 * Pure: snapshot + liveness -> what the views show. No SQL, no processes, no
 * terminal: everything here is tested directly.
 */

export type SessionState = 'active' | 'late' | 'stale' | 'ended';

export type SessionView = {
	row: SessionRow;
	liveness: Liveness;
	state: SessionState;
	isCurrent: boolean;
	/** now - last heartbeat; for a heartbeat from the future, the time we have seen it unchanged. */
	heartbeatAgeMs: number | null;
	/** The writer's clock is ahead of ours: its heartbeat lies in the future. */
	clockAhead: boolean;
	claims: Hold[];
	locks: Hold[];
	unread: number;
	/** How long the process has run (from its start time), when alive. */
	uptimeMs: number | null;
	/** Why this session may be released (stale or dead), or null when it must be kept. */
	releaseReason: string | null;
	/** Open messages it addressed to the operator. */
	mailForOperator: number;
	/** Its most urgent reason to need the operator (the Sessions view's order), or null. */
	need: Need | null;
};

export type HoldView = {
	row: Hold;
	holder: SessionView | null;
	/** Held by a session that is dead, reused, stale, ended, or not registered at all. */
	orphaned: boolean;
	orphanReason: string | null;
};

export type LockConflict = {first: Hold; second: Hold; reason: string};

export type Analysis = {
	now: number;
	sessions: SessionView[];
	/** Active and late sessions (late = heartbeat expired, PID alive here). */
	active: SessionView[];
	current: SessionView | null;
	/** Whose mail is the operator's own: the current session's id, else the `operator` setting. */
	operatorId: string;
	/** Sessions by id (the newest registration when an id repeats). */
	bySessionId: Map<string, SessionView>;
	locks: HoldView[];
	claims: HoldView[];
	lockConflicts: LockConflict[];
	openAlerts: MessageRow[];
	alertGroups: AlertGroup[];
	/**
	 * Stale sessions still marked active in the database: the ones `--once` releases. One on
	 * another machine only past the stale timeout plus REMOTE_CLOCK_ALLOWANCE_MS: no PID can
	 * veto it, and that machine's clock may differ from ours.
	 */
	toRelease: SessionView[];
	unreadTotal: number;
	/** The lifecycle events read, newest first by their time (the id breaks ties; unreadable times last). */
	lifecycle: MessageRow[];
	/**
	 * When the passing of time alone next changes a session's state (a heartbeat crossing
	 * the stale timeout, a clock-ahead heartbeat caught up or watched too long); null when
	 * nothing will. Until then, with the same rows and liveness, judging again gives the same
	 * states: only the ages grow.
	 */
	nextStateChangeAt: number | null;
};

export type AnalysisContext = {
	now: number;
	liveness: Map<number, Liveness>;
	/** rowid of the session that launched us, if known. */
	currentRowid: number | null;
	/**
	 * When each session's current heartbeat value was first seen (rowid -> ms).
	 * A heartbeat from the future counts as fresh only for the stale timeout after
	 * we first saw it; without history, "first seen" is now.
	 */
	heartbeatFirstSeen?: Map<number, number>;
	/** The operator's id when no current session is known (default `operator`). */
	operator?: string;
};

// A heartbeat this far ahead of our clock means the writer's clock is ahead.
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

/** How far another machine's clock may be behind ours before its fresh heartbeats look stale. */
export const REMOTE_CLOCK_ALLOWANCE_MS = 10 * 60_000;

function releasable(view: SessionView, staleTimeoutMs: number): boolean {
	if (view.state !== 'stale' || view.row.status !== 'active' || view.releaseReason === null) return false;
	if (view.liveness.state !== 'remote') return true;
	return view.heartbeatAgeMs === null || view.heartbeatAgeMs > staleTimeoutMs + REMOTE_CLOCK_ALLOWANCE_MS;
}

const UNKNOWN_LIVENESS: Liveness = {state: 'no-pid', processStartedAt: null};

/** A session's state from its status, liveness and heartbeat age (shared with the status line). */
export function judgeState(
	row: {status: string},
	liveness: Liveness,
	ageMs: number | null,
	clockAhead: boolean,
	staleTimeoutMs: number,
): SessionState {
	if (row.status === 'ended') return 'ended';
	if (row.status === 'stale') return 'stale';
	// A heartbeat from the future proves nothing when the process is gone.
	const processGone = liveness.state === 'dead' || liveness.state === 'reused';
	const expired = ageMs === null || ageMs > staleTimeoutMs || (clockAhead && processGone);
	if (!expired) return 'active';
	return liveness.state === 'alive' ? 'late' : 'stale';
}

function releaseReasonFor(state: SessionState, liveness: Liveness): string | null {
	if (state === 'ended') return null;
	if (liveness.state === 'alive') return null;
	if (state === 'stale') return 'heartbeat expired';
	if (liveness.state === 'dead') return 'process dead';
	if (liveness.state === 'reused') return 'PID reused by another process';
	return null;
}

/**
 * The first instant after `now` at which judgeState would judge this heartbeat
 * differently with nothing but the clock moving, or null. Ages are whole ms, and a
 * heartbeat is expired once its age is *more* than the timeout: hence the + 1.
 */
export function nextHeartbeatChange(heartbeatMs: number | null, firstSeenMs: number, now: number, staleTimeoutMs: number): number | null {
	if (heartbeatMs === null) return null;
	// Clock ahead until the heartbeat is within the tolerance; meanwhile its age counts from first seen.
	if (heartbeatMs - now > CLOCK_SKEW_TOLERANCE_MS) {
		const caughtUp = heartbeatMs - CLOCK_SKEW_TOLERANCE_MS;
		const watchedTooLong = firstSeenMs + staleTimeoutMs + 1;
		return watchedTooLong > now ? Math.min(caughtUp, watchedTooLong) : caughtUp;
	}
	const expires = heartbeatMs + staleTimeoutMs + 1;
	return expires > now ? expires : null;
}

// An absolute path with no empty, '.' or '..' segment and no trailing slash is already normal.
const NEEDS_NORMALISING = /\/\/|\/\.\.?(?:\/|$)|\/$/;

function normalisePath(filePath: string, cwd: string | null): string {
	if (filePath.startsWith('/') && !NEEDS_NORMALISING.test(filePath)) return filePath;
	const absolute = filePath.startsWith('/') || !cwd ? filePath : `${cwd.replace(/\/+$/, '')}/${filePath}`;
	const parts: string[] = [];
	for (const part of absolute.split('/')) {
		if (part === '' || part === '.') continue;
		if (part === '..') parts.pop();
		else parts.push(part);
	}
	return `${absolute.startsWith('/') ? '/' : ''}${parts.join('/')}`;
}

/**
 * Locks of different sessions on the same file: the table's key is the path as
 * written, so one session's relative path and another's absolute path, or a
 * directory lock and a file inside it, can cover the same file.
 */
export function findLockConflicts(locks: HoldView[]): LockConflict[] {
	const held = locks.filter(lock => !lock.row.expired);
	const resolved = held.map(lock => ({lock: lock.row, path: normalisePath(lock.row.key, lock.holder?.row.cwd ?? null)}));
	// Only pairs with equal paths, or where one path is a directory prefix of the other, can
	// conflict: find those through a path -> indexes map and each path's ancestors (O(n * depth),
	// not every pair: 5,000 locks took seconds), then judge them in the order of the full pair loop.
	const byPath = new Map<string, number[]>();
	resolved.forEach(({path}, index) => {
		const list = byPath.get(path);
		if (list) list.push(index);
		else byPath.set(path, [index]);
	});
	const pairs: Array<[number, number]> = [];
	for (const list of byPath.values()) {
		for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) pairs.push([list[x], list[y]]);
	}
	resolved.forEach(({path}, index) => {
		// b.startsWith(`${a}/`) exactly when a is the text before one of b's slashes.
		for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
			for (const other of byPath.get(path.slice(0, slash)) ?? []) pairs.push(other < index ? [other, index] : [index, other]);
		}
	});
	pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
	const conflicts: LockConflict[] = [];
	for (const [i, j] of pairs) {
		const a = resolved[i];
		const b = resolved[j];
		if (a.lock.sessionId === b.lock.sessionId) continue;
		if (a.lock.type === 'shared' && b.lock.type === 'shared') continue;
		if (a.path === b.path) conflicts.push({first: a.lock, second: b.lock, reason: `both lock ${a.path}`});
		else if (b.path.startsWith(`${a.path}/`)) conflicts.push({first: a.lock, second: b.lock, reason: `${b.path} is inside ${a.path}`});
		else if (a.path.startsWith(`${b.path}/`)) conflicts.push({first: b.lock, second: a.lock, reason: `${a.path} is inside ${b.path}`});
	}
	return conflicts;
}

function holdView(row: Hold, bySessionId: Map<string, SessionView>): HoldView {
	const holder = bySessionId.get(row.sessionId) ?? null;
	let orphanReason: string | null = null;
	if (!holder) orphanReason = 'holder not registered';
	else if (holder.state === 'ended') orphanReason = 'holder ended';
	else if (holder.state === 'stale') orphanReason = 'holder stale';
	else if (holder.liveness.state === 'dead') orphanReason = 'holder dead';
	else if (holder.liveness.state === 'reused') orphanReason = 'holder PID reused';
	return {row, holder, orphaned: orphanReason !== null && !row.expired, orphanReason};
}

// Lock conflicts depend only on the lock rows and, for relative paths, their holders' cwd;
// not on time or liveness. The snapshot reader hands back the same locks array while the
// rows are unchanged, so re-judging and heartbeat-only refreshes reuse the conflicts after
// checking those cwds.
const conflictCache = new WeakMap<Hold[], {cwds: Map<string, string | null>; conflicts: LockConflict[]}>();

function conflictsOf(rows: Hold[], locks: HoldView[]): LockConflict[] {
	const cached = conflictCache.get(rows);
	const cwdOf = (lock: HoldView) => lock.holder?.row.cwd ?? null;
	const holders = new Map(locks.filter(lock => !lock.row.key.startsWith('/')).map(lock => [lock.row.sessionId, cwdOf(lock)]));
	if (cached && cached.cwds.size === holders.size && [...holders].every(([sessionId, cwd]) => cached.cwds.get(sessionId) === cwd))
		return cached.conflicts;
	const conflicts = findLockConflicts(locks);
	conflictCache.set(rows, {cwds: holders, conflicts});
	return conflicts;
}

// Holds by holder, for each list of holds the snapshot reader hands back (the same array while its rows are unchanged).
const heldByCache = new WeakMap<Hold[], Map<string, Hold[]>>();

function heldBy(holds: Hold[]): Map<string, Hold[]> {
	let map = heldByCache.get(holds);
	if (!map) {
		map = groupBy(
			holds.filter(hold => !hold.expired),
			hold => hold.sessionId,
		);
		heldByCache.set(holds, map);
	}
	return map;
}

/** Events stored with their own times: the order of the ids is not the order of the times. */
function byTimeNewestFirst(events: MessageRow[]): MessageRow[] {
	const time = (event: MessageRow) => event.createdAt.ms ?? -Infinity;
	return [...events].sort((a, b) => time(b) - time(a) || b.id - a.id);
}

export function analyze(snapshot: BusSnapshot, context: AnalysisContext): Analysis {
	const {now} = context;
	const unreadBy = new Map(snapshot.unreadByRecipient.map(entry => [entry.recipientId, entry.count]));
	const claimsBy = heldBy(snapshot.claims);
	const locksBy = heldBy(snapshot.locks);
	const operatorId = snapshot.sessions.find(row => row.rowid === context.currentRowid)?.sessionId ?? context.operator ?? 'operator';
	const critical = criticalSessionIds(snapshot.alerts);
	const mail = mailTo(operatorId, snapshot.unread);
	let nextStateChangeAt: number | null = null;

	const sessions: SessionView[] = snapshot.sessions.map(row => {
		const liveness = context.liveness.get(row.rowid) ?? UNKNOWN_LIVENESS;
		const heartbeat = row.lastHeartbeat.ms;
		const firstSeen = context.heartbeatFirstSeen?.get(row.rowid) ?? now;
		const clockAhead = heartbeat !== null && heartbeat - now > CLOCK_SKEW_TOLERANCE_MS;
		const heartbeatAgeMs = heartbeat === null ? null : clockAhead ? now - firstSeen : Math.max(0, now - heartbeat);
		const state = judgeState(row, liveness, heartbeatAgeMs, clockAhead, snapshot.staleTimeoutMs);
		if (row.status !== 'ended' && row.status !== 'stale') {
			const change = nextHeartbeatChange(heartbeat, firstSeen, now, snapshot.staleTimeoutMs);
			if (change !== null && (nextStateChangeAt === null || change < nextStateChangeAt)) nextStateChangeAt = change;
		}
		const claims = claimsBy.get(row.sessionId) ?? [];
		const locks = locksBy.get(row.sessionId) ?? [];
		const mailForOperator = mail.get(row.sessionId) ?? 0;
		return {
			row,
			liveness,
			state,
			isCurrent: row.rowid === context.currentRowid,
			heartbeatAgeMs,
			clockAhead,
			claims,
			locks,
			unread: unreadBy.get(row.sessionId) ?? 0,
			uptimeMs: liveness.state === 'alive' && liveness.processStartedAt !== null ? Math.max(0, now - liveness.processStartedAt) : null,
			releaseReason: releaseReasonFor(state, liveness),
			mailForOperator,
			need: needOf(state, liveness, claims.length + locks.length > 0, critical.has(row.sessionId), mailForOperator),
		};
	});

	// Newest registration wins when a session_id repeats across machines' copies.
	const bySessionId = new Map<string, SessionView>();
	for (const view of [...sessions].sort((a, b) => (a.row.registeredAt.ms ?? 0) - (b.row.registeredAt.ms ?? 0)))
		bySessionId.set(view.row.sessionId, view);

	const locks = snapshot.locks.map(row => holdView(row, bySessionId));
	const claims = snapshot.claims.map(row => holdView(row, bySessionId));
	const openAlerts = snapshot.alerts.filter(isOpen);
	const active = sessions.filter(view => view.state === 'active' || view.state === 'late');

	return {
		now,
		sessions,
		active,
		current: sessions.find(view => view.isCurrent) ?? null,
		operatorId,
		bySessionId,
		locks,
		claims,
		lockConflicts: conflictsOf(snapshot.locks, locks),
		openAlerts,
		alertGroups: groupAlerts(openAlerts),
		toRelease: sessions.filter(view => releasable(view, snapshot.staleTimeoutMs)),
		unreadTotal: snapshot.unreadByRecipient.reduce((sum, entry) => sum + entry.count, 0),
		lifecycle: byTimeNewestFirst(snapshot.lifecycle),
		nextStateChangeAt,
	};
}
