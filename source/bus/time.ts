/**
 * Every timestamp form the bus contract allows, to epoch milliseconds:
 * ISO 8601 with `T` or a space, `Z`, an offset or no zone (= UTC), any fraction;
 * or unix epoch seconds as INTEGER, REAL or digit text. Never throws.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^-?\d+(?:\.\d+)?$/;

// Epoch values above this are milliseconds (year 5138 in seconds).
const EPOCH_MS_THRESHOLD = 1e11;

function fromEpoch(value: number): number | null {
	if (!Number.isFinite(value)) return null;
	const ms = Math.abs(value) >= EPOCH_MS_THRESHOLD ? value : value * 1000;
	return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? Math.round(ms) : null;
}

export function parseTimestamp(value: unknown): number | null {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return fromEpoch(value);
	if (typeof value === 'bigint') return fromEpoch(Number(value));
	if (typeof value !== 'string') return null;
	const text = value.trim();
	if (EPOCH.test(text)) return fromEpoch(Number(text));
	const match = ISO.exec(text);
	if (!match) return null;
	const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
	const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
	const ms = Number((fraction + '000').slice(0, 3));
	let epoch = Date.UTC(y, mo - 1, d, h, mi, s, ms);
	// Reject 31 February and friends rather than rolling them over.
	if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null;
	if (zone && zone !== 'Z' && zone !== 'z') {
		const sign = zone.startsWith('-') ? -1 : 1;
		const digits = zone.slice(1).replace(':', '');
		const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
		epoch -= sign * offsetMinutes * 60_000;
	}
	return Number.isFinite(epoch) ? epoch : null;
}

/** `2026-02-11T00:31:37Z`: the form the old command printed. */
export function formatIso(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** With milliseconds, for values we write. */
export function isoNow(now = Date.now()): string {
	return new Date(now).toISOString();
}

/** A compact duration: `45s`, `12m`, `2h 15m`, `3d 4h`. */
export function formatDuration(ms: number): string {
	const seconds = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return `${hours}h ${minutes % 60}m`;
	return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `3m ago`, `in 5m`, or `unparseable` for a timestamp the bus held but we could not read. */
export function formatRelative(ms: number | null, now: number): string {
	if (ms === null) return 'unknown time';
	const delta = now - ms;
	return delta >= 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}
