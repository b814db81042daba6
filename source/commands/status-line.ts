import fs from 'node:fs';
import os from 'node:os';
import {openReader} from '../bus/open.js';
import {SnapshotReader} from '../bus/snapshot.js';
import {type Analysis, analyze, plural} from '../analysis/analyze.js';
import {type Liveness, isThisHost, judge, pidExists} from '../processes/liveness.js';
import type {Config} from '../config.js';

/**
 * One line for a status bar: `4 sessions · 1 dead · 2 alerts (1 critical) · 3 unread`.
 * It writes nothing, runs no process scan (a signal-0 probe per local PID only),
 * loads no UI code, and never fails loudly: a status bar asks every few seconds.
 */

export type StatusFormat = 'plain' | 'tmux';

export function summarise(analysis: Analysis): {text: string; severity: 'ok' | 'warn' | 'bad'} {
	const dead = analysis.active.filter(view => view.liveness.state === 'dead' || view.liveness.state === 'reused').length;
	const stale = analysis.sessions.filter(view => view.state === 'stale' && view.row.status === 'active').length;
	const critical = analysis.openAlerts.filter(alert => alert.priority >= 3).length;
	const unread = analysis.current ? analysis.current.unread : analysis.unreadTotal;
	const parts = [plural(analysis.active.length, 'session')];
	if (dead > 0) parts.push(`${dead} dead`);
	if (stale > 0) parts.push(`${stale} stale`);
	parts.push(`${plural(analysis.openAlerts.length, 'alert')}${critical > 0 ? ` (${critical} critical)` : ''}`);
	parts.push(`${unread} unread`);
	const severity = critical > 0 || dead > 0 ? 'bad' : analysis.openAlerts.length > 0 || stale > 0 ? 'warn' : 'ok';
	return {text: parts.join(' · '), severity};
}

const TMUX_STYLE = {ok: '#[fg=green]', warn: '#[fg=yellow]', bad: '#[fg=red,bold]'} as const;

export function formatStatus(summary: {text: string; severity: 'ok' | 'warn' | 'bad'}, format: StatusFormat): string {
	// The text holds only numbers and fixed words: nothing for tmux to interpret.
	return format === 'tmux' ? `${TMUX_STYLE[summary.severity]}${summary.text}#[default]` : summary.text;
}

export function statusLine(config: Config, format: StatusFormat): string {
	if (!fs.existsSync(config.dbPath)) return format === 'tmux' ? '#[fg=colour244]bus: no database#[default]' : 'bus: no database';
	let db;
	try {
		db = openReader(config.dbPath);
	} catch {
		return format === 'tmux' ? '#[fg=colour244]bus: unavailable#[default]' : 'bus: unavailable';
	}
	try {
		const now = Date.now();
		const snapshot = new SnapshotReader(db, config.dbPath).read({now, staleTimeoutMs: config.staleTimeoutMs, countHistory: false});
		const host = {hostname: os.hostname(), machineUuid: config.machineUuid};
		const liveness = new Map<number, Liveness>();
		for (const row of snapshot.sessions) {
			const session = {rowid: row.rowid, pid: row.pid, hostname: row.hostname, machineUuid: row.machineUuid, registeredAtMs: row.registeredAt.ms};
			const local = row.pid !== null && row.pid > 0 && isThisHost(session, host);
			liveness.set(row.rowid, judge(session, host, {exists: local && pidExists(row.pid!), startedAt: null}));
		}
		const current = config.sessionId === null ? null : (snapshot.sessions.find(row => row.sessionId === config.sessionId)?.rowid ?? null);
		return formatStatus(summarise(analyze(snapshot, {now, liveness, currentRowid: current})), format);
	} catch {
		return format === 'tmux' ? '#[fg=colour244]bus: unavailable#[default]' : 'bus: unavailable';
	} finally {
		db.close();
	}
}
