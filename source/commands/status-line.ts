import fs from 'node:fs';
import {openReader} from '../bus/open.js';
import {NOT_A_BUS} from '../bus/schema.js';
import {UsageError} from '../exit-codes.js';
import {countBus, summarise} from '../monitor/status-counts.js';
import {type Config, type Flags, defaultConfig, resolveConfig} from '../settings.js';

/**
 * One line for a status bar: `4 sessions · 1 dead · 2 alerts (1 critical) · 3 unread`.
 * A status bar asks every few seconds, so this reads only what the line needs
 * (active sessions, open alerts, open directed messages), judges sessions by the
 * same rules as the dashboard with a signal-0 probe per local PID (no process
 * scan), writes nothing, loads no UI code, and never fails loudly.
 */

export type StatusFormat = Config['format'];

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
