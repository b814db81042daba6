import os from 'node:os';
import type Database from 'better-sqlite3';
import {readStatus} from '../bus/status.js';
import {CLOCK_SKEW_TOLERANCE_MS, judgeState} from '../analysis/analyze.js';
import {plural} from '../text/plural.js';
import {isThisHost, judge, pidExists} from '../processes/liveness.js';

/**
 * What a status line counts of one bus, judged by the rules of the dashboard with a
 * signal-0 probe per local PID (no process scan); shared by `--status-line` and `serve`.
 */

export type StatusCounts = {sessions: number; dead: number; stale: number; alerts: number; critical: number; unread: number};

export function summarise(counts: StatusCounts): {text: string; severity: 'ok' | 'warn' | 'bad'} {
	const parts = [plural(counts.sessions, 'session')];
	if (counts.dead > 0) parts.push(`${counts.dead} dead`);
	if (counts.stale > 0) parts.push(`${counts.stale} stale`);
	parts.push(`${plural(counts.alerts, 'alert')}${counts.critical > 0 ? ` (${counts.critical} critical)` : ''}`);
	parts.push(`${counts.unread} unread`);
	const severity = counts.critical > 0 || counts.dead > 0 ? 'bad' : counts.alerts > 0 || counts.stale > 0 ? 'warn' : 'ok';
	return {text: parts.join(' · '), severity};
}

/** The status line's counts: the bus's (bus/status.ts), its sessions judged by the rules of analysis/analyze.ts; null: not a bus. */
export function countBus(
	db: Database.Database,
	config: {sessionId: string | null; machineUuid: string | null; staleTimeoutMs: number},
	now: number,
): StatusCounts | null {
	const reading = readStatus(db, config.sessionId, now);
	if (reading === null) return null;
	const counts: StatusCounts = {sessions: 0, dead: 0, stale: 0, alerts: reading.alerts, critical: reading.critical, unread: reading.unread};
	const host = {hostname: os.hostname(), machineUuid: config.machineUuid};
	for (const row of reading.sessions) {
		const session = {...row, registeredAtMs: null};
		// Without a process scan there are no start times: PID reuse is the dashboard's to tell.
		const local = row.pid !== null && row.pid > 0 && isThisHost(session, host);
		const liveness = judge(session, host, {exists: local && pidExists(row.pid!), startedAt: null});
		const heartbeat = row.heartbeatMs;
		const clockAhead = heartbeat !== null && heartbeat - now > CLOCK_SKEW_TOLERANCE_MS;
		const age = heartbeat === null ? null : clockAhead ? 0 : Math.max(0, now - heartbeat);
		const state = judgeState({status: 'active'}, liveness, age, clockAhead, config.staleTimeoutMs);
		if (state === 'stale') counts.stale++;
		else {
			counts.sessions++;
			if (liveness.state === 'dead' || liveness.state === 'reused') counts.dead++;
		}
	}
	return counts;
}
