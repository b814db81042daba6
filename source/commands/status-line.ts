import fs from 'node:fs';
import {openReader} from '../bus/open.js';
import {NOT_A_BUS} from '../bus/schema.js';
import {UsageError} from '../exit-codes.js';
import {type StatusCounts, countBus, summarise} from '../monitor/status-counts.js';
import type {RemoteMachine} from '../fleet/remote.js';
import {type Config, type Flags, defaultConfig, resolveConfig} from '../settings.js';

/**
 * One line for a status bar: `4 sessions · 1 dead · 2 alerts (1 critical) · 3 unread`.
 * A status bar asks every few seconds, so this reads only what the line needs
 * (active sessions, open alerts, open directed messages), judges sessions by the
 * same rules as the dashboard with a signal-0 probe per local PID (no process
 * scan), writes nothing, loads no UI code, and never fails loudly. Each remote is asked
 * for its counts only (its own serve judges its sessions), all at once, within 2 s each.
 */

export type StatusFormat = Config['format'];

// Readable on tmux's default status bar (black on green) and on a dark one: the line's own
// background says how bad things are; a good line takes the bar's own colours.
const TMUX_STYLE = {ok: '', warn: '#[fg=black,bg=yellow]', bad: '#[fg=white,bg=red,bold]'} as const;

/** tmux expands `#` sequences in a status line: a name is shown with each one doubled, so tmux interprets nothing. */
const forTmux = (text: string): string => text.replaceAll('#', '##');

export function formatStatus(summary: {text: string; severity: 'ok' | 'warn' | 'bad'}, format: StatusFormat): string {
	return format === 'tmux' ? `${TMUX_STYLE[summary.severity]}${forTmux(summary.text)}#[default]` : summary.text;
}

/** `bus: no database`, in the bar's own colours: the line when there are no counts to show. */
function quiet(text: string, format: StatusFormat): string {
	return format === 'tmux' ? `${forTmux(text)}#[default]` : text;
}

/** The local bus's counts, or why there are none (`no database`, `unavailable`, not a bus). */
function localCounts(config: Config): StatusCounts | string {
	if (!fs.existsSync(config.dbPath)) return 'no database';
	let db;
	try {
		db = openReader(config.dbPath);
	} catch {
		return 'unavailable';
	}
	try {
		return countBus(db, config, Date.now()) ?? NOT_A_BUS;
	} catch {
		return 'unavailable';
	} finally {
		db.close();
	}
}

export function statusLine(config: Config, format: StatusFormat): string {
	const counts = localCounts(config);
	return typeof counts === 'string' ? quiet(`bus: ${counts}`, format) : formatStatus(summarise(counts), format);
}

/** How long the status line waits for each remote's counts (all asked at once). */
const REMOTE_COUNTS_MS = 2000;

/** A remote's counts within REMOTE_COUNTS_MS, or null. */
async function remoteCounts(remote: RemoteMachine): Promise<StatusCounts | 'duplicate' | null> {
	const deadline = Date.now() + REMOTE_COUNTS_MS;
	const link = await remote.settled(REMOTE_COUNTS_MS);
	if (link.kind === 'duplicate') return 'duplicate';
	if (link.kind !== 'live') return null;
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<null>(resolve => (timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()))));
	try {
		return await Promise.race([remote.counts(), late]);
	} catch {
		return null;
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The line of a fleet: the counts of every machine read, summed, then each machine that
 * could not be read (`build: unreachable`); a remote reading the same bus as another machine is counted once.
 */
export async function fleetStatusLine(config: Config, format: StatusFormat): Promise<string> {
	const {remotesFor} = await import('../fleet/connect.js');
	const remotes = remotesFor(config, {subscribe: false});
	for (const remote of remotes) remote.start();
	try {
		const all: StatusCounts[] = [];
		const problems: string[] = [];
		if (!config.noLocal) {
			const counts = localCounts(config);
			if (typeof counts === 'string') problems.push(`bus: ${counts}`);
			else all.push(counts);
		}
		const answers = await Promise.all(remotes.map(remoteCounts));
		answers.forEach((counts, index) => {
			if (counts === null) problems.push(`${remotes[index]?.name ?? 'remote'}: unreachable`);
			else if (counts !== 'duplicate') all.push(counts);
		});
		if (all.length === 0) return quiet(problems.join(' · ') || 'no machine', format);
		const summary = summarise(sumCounts(all));
		const severity = problems.length > 0 && summary.severity === 'ok' ? 'warn' : summary.severity;
		return formatStatus({text: [summary.text, ...problems].join(' · '), severity}, format);
	} finally {
		for (const remote of remotes) remote.stop();
	}
}

function sumCounts(all: StatusCounts[]): StatusCounts {
	const total: StatusCounts = {sessions: 0, dead: 0, stale: 0, alerts: 0, critical: 0, unread: 0};
	for (const counts of all) for (const key of Object.keys(total) as Array<keyof StatusCounts>) total[key] += counts[key];
	return total;
}

/**
 * `--status-line`: prints the line; other flags are ignored (bad values were usage errors
 * when parsed). A status bar shows whatever we print: bad keys in the config file go
 * unreported, and a config file that cannot be read is `bus: bad config`, exit 0.
 */
export async function printStatusLine(flags: Flags): Promise<void> {
	let line: string;
	try {
		const config = resolveConfig(flags, () => undefined);
		const fleet = config.noLocal || config.remotes.length > 0;
		line = fleet ? await fleetStatusLine(config, config.format) : statusLine(config, config.format);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		line = quiet('bus: bad config', flags.format ?? defaultConfig({}).format);
	}
	process.stdout.write(`${line}\n`);
}
