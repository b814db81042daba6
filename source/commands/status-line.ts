import fs from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import {openReader} from '../bus/open.js';
import {messageExpired} from '../bus/rows.js';
import {NOT_A_BUS, hasColumn, hasV2Messages, introspect, isBus, selectList} from '../bus/schema.js';
import {parseTimestamp} from '../bus/time.js';
import {OPEN_MESSAGE_SQL, isCritical} from '../bus/rules.js';
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

/** The status line's counts, by the rules of analysis/analyze.ts, from three small queries. */
export function countBus(db: Database.Database, config: Config, now: number): StatusCounts {
	const schema = introspect(db);
	const counts: StatusCounts = {sessions: 0, dead: 0, stale: 0, alerts: 0, critical: 0, unread: 0};
	const host = {hostname: os.hostname(), machineUuid: config.machineUuid};
	if (schema.columns.has('session_registry')) {
		const sessions = db
			.prepare(
				`SELECT rowid, ${selectList(schema, 'session_registry', ['pid', 'hostname', 'machine_uuid', 'last_heartbeat'])} FROM session_registry WHERE ${hasColumn(schema, 'session_registry', 'status') ? "status = 'active' OR status IS NULL" : '1'}`,
			)
			.all() as Array<Record<string, unknown>>;
		for (const row of sessions) {
			const pid = typeof row['pid'] === 'number' ? row['pid'] : typeof row['pid'] === 'bigint' ? Number(row['pid']) : null;
			const session = {
				rowid: Number(row['rowid']),
				pid,
				hostname: typeof row['hostname'] === 'string' ? row['hostname'] : null,
				machineUuid: typeof row['machine_uuid'] === 'string' ? row['machine_uuid'] : null,
				registeredAtMs: null,
			};
			// Without a process scan there are no start times: PID reuse is the dashboard's to tell.
			const local = pid !== null && pid > 0 && isThisHost(session, host);
			const liveness = judge(session, host, {exists: local && pidExists(pid), startedAt: null});
			const heartbeat = parseTimestamp(row['last_heartbeat']);
			const clockAhead = heartbeat !== null && heartbeat - now > CLOCK_SKEW_TOLERANCE_MS;
			const age = heartbeat === null ? null : clockAhead ? 0 : Math.max(0, now - heartbeat);
			const state = judgeState({status: 'active'}, liveness, age, clockAhead, config.staleTimeoutMs);
			if (state === 'stale') counts.stale++;
			else {
				counts.sessions++;
				if (liveness.state === 'dead' || liveness.state === 'reused') counts.dead++;
			}
		}
	}
	if (hasV2Messages(schema)) {
		const expiry = selectList(schema, 'session_messages', ['created_at', 'ttl_seconds', 'expires_at']);
		const open = OPEN_MESSAGE_SQL;
		const alerts = db
			.prepare(`SELECT priority, ${expiry} FROM session_messages WHERE channel = 'operator_alerts' AND ${open}`)
			.all() as Array<Record<string, unknown>>;
		for (const alert of alerts.filter(row => !messageExpired(row['expires_at'], row['created_at'], row['ttl_seconds'], now))) {
			counts.alerts++;
			if (isCritical(Number(alert['priority']))) counts.critical++;
		}
		const mine = config.sessionId === null ? '' : ' AND recipient_id = ?';
		const unread = db.prepare(`SELECT ${expiry} FROM session_messages WHERE recipient_id IS NOT NULL AND ${open}${mine}`);
		const rows = (config.sessionId === null ? unread.all() : unread.all(config.sessionId)) as Array<Record<string, unknown>>;
		counts.unread = rows.filter(row => !messageExpired(row['expires_at'], row['created_at'], row['ttl_seconds'], now)).length;
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
		if (!isBus(introspect(db))) return quiet(`bus: ${NOT_A_BUS}`, format);
		return formatStatus(summarise(countBus(db, config, Date.now())), format);
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
