import fs from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import {openReader} from '../bus/open.js';
import {readStatus} from '../bus/status.js';
import {NOT_A_BUS} from '../bus/schema.js';
import {CLOCK_SKEW_TOLERANCE_MS, judgeState} from '../analysis/analyze.js';
import {plural} from '../text/plural.js';
import {isThisHost, judge, pidExists} from '../processes/liveness.js';
import {UsageError} from '../exit-codes.js';
import {type Config, type Flags, defaultConfig, resolveConfig} from '../settings.js';

/**
 * One line for a status bar: `4 sessions · 1 dead · 2 alerts (1 critical) · 3 unread`.
 * A status bar asks every few seconds, so this reads only what the line needs
 * (active sessions, open alerts, open directed messages), judges sessions by the
 * same rules as the dashboard with a signal-0 probe per local PID (no process
 * scan), writes nothing, loads no UI code, and never fails loudly.
 */

export type StatusFormat = Config['format'];

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
export function countBus(db: Database.Database, config: Config, now: number): StatusCounts | null {
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

// Readable on tmux's default status bar (black on green) and on a dark one: the line's own
// background says how bad things are; a good line takes the bar's own colours.
const TMUX_STYLE = {ok: '', warn: '#[fg=black,bg=yellow]', bad: '#[fg=white,bg=red,bold]'} as const;

export function formatStatus(summary: {text: string; severity: 'ok' | 'warn' | 'bad'}, format: StatusFormat): string {
	// The text holds only numbers and fixed words: nothing for tmux to interpret.
	return format === 'tmux' ? `${TMUX_STYLE[summary.severity]}${summary.text}#[default]` : summary.text;
}

/** `bus: no database`, in the bar's own colours: the line when there are no counts to show. */
function quiet(text: string, format: StatusFormat): string {
	return format === 'tmux' ? `${text}#[default]` : text;
}

export function statusLine(config: Config, format: StatusFormat): string {
	if (!fs.existsSync(config.dbPath)) return quiet('bus: no database', format);
	let db;
	try {
		db = openReader(config.dbPath);
	} catch {
		return quiet('bus: unavailable', format);
	}
	try {
		const counts = countBus(db, config, Date.now());
		return counts === null ? quiet(`bus: ${NOT_A_BUS}`, format) : formatStatus(summarise(counts), format);
	} catch {
		return quiet('bus: unavailable', format);
	} finally {
		db.close();
	}
}

/**
 * `--status-line`: prints the line; other flags are ignored (bad values were usage errors
 * when parsed). A status bar shows whatever we print: bad keys in the config file go
 * unreported, and a config file that cannot be read is `bus: bad config`, exit 0.
 */
export function printStatusLine(flags: Flags): void {
	let line: string;
	try {
		const config = resolveConfig(flags, () => undefined);
		line = statusLine(config, config.format);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		line = quiet('bus: bad config', flags.format ?? defaultConfig({}).format);
	}
	process.stdout.write(`${line}\n`);
}
