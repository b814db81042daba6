/**
 * Every timestamp form the bus contract allows, to epoch milliseconds:
 * ISO 8601 with `T` or a space, `Z`, an offset or no zone (= UTC), any fraction;
 * or unix epoch seconds as INTEGER, REAL or digit text. Never throws.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^-?\d+(?:\.\d+)?$/;

// Epoch values above this are milliseconds (year 5138 in seconds).
const EPOCH_MS_THRESHOLD = 1e11;

/** The times a Date can hold (±100,000,000 days from the epoch): anything beyond is no time. */
export const MAX_TIME_MS = 8.64e15;

/** An epoch-ms time as given (another machine's), or null when it is not one a Date can hold. */
export function epochMs(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_TIME_MS ? Math.round(value) : null;
}

function fromEpoch(value: number): number | null {
	if (!Number.isFinite(value)) return null;
	const ms = Math.abs(value) >= EPOCH_MS_THRESHOLD ? value : value * 1000;
	return epochMs(ms);
}

export function parseTimestamp(value: unknown): number | null {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return fromEpoch(value);
	if (typeof value === 'bigint') return fromEpoch(Number(value));
	if (typeof value !== 'string') return null;
	if (ES_DATE_TIME.test(value)) {
		const ms = Date.parse(value);
		if (!Number.isNaN(ms)) return ms;
	}
	return parseCanonical(value) ?? parseAnyForm(value);
}

/**
 * ECMAScript's own date-time format with a zone, a year from 1000 and a day that every
 * month has: Date.parse reads it exactly as parseCanonical does, and natively. Days
 * 29-31 go the long way (Date.parse rolls 30 February over), as do hour 24 and second
 * 60 (which it rejects).
 */
const ES_DATE_TIME = /^[1-9]\d{3}-\d{2}-(?:0[1-9]|1\d|2[0-8])T\d{2}:\d{2}:\d{2}(?:\.\d{3})?(?:Z|[+-]\d{2}:\d{2})$/;

const digit = (text: string, at: number): number => {
	const code = text.charCodeAt(at) - 48;
	return code >= 0 && code <= 9 ? code : Number.NaN;
};
const two = (text: string, at: number): number => digit(text, at) * 10 + digit(text, at + 1);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DD[T ]HH:MM:SS[.f...][Z|+hh:mm]`, what writers almost always store, where
 * Date.parse cannot answer (a space, no zone, more or fewer fraction digits, days
 * 29-31), read without a regular expression or a Date. Anything else (or anything
 * odd) is left to the general parser.
 */
function parseCanonical(text: string): number | null {
	const length = text.length;
	if (length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
		return null;
	const separator = text.charCodeAt(10);
	if (separator !== 84 && separator !== 32) return null;
	const year = two(text, 0) * 100 + two(text, 2);
	const month = two(text, 5);
	const day = two(text, 8);
	const hour = two(text, 11);
	const minute = two(text, 14);
	const second = two(text, 17);
	let at = 19;
	let ms = 0;
	if (text.charCodeAt(at) === 46) {
		let scale = 100;
		for (at++; at < length; at++, scale /= 10) {
			const d = digit(text, at);
			if (Number.isNaN(d)) break;
			if (scale >= 1) ms += d * scale;
		}
		if (scale === 100) return null;
	}
	let offsetMinutes = 0;
	if (at < length) {
		const zone = text.charCodeAt(at);
		if (zone === 90 && at + 1 === length) offsetMinutes = 0;
		else if ((zone === 43 || zone === 45) && at + 6 === length && text.charCodeAt(at + 3) === 58) {
			offsetMinutes = (zone === 45 ? -1 : 1) * (two(text, at + 1) * 60 + two(text, at + 4));
		} else return null;
	}
	if (
		!(month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59) ||
		Number.isNaN(year + offsetMinutes) ||
		year < 100
	)
		return null;
	const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return null;
	return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}

function parseAnyForm(value: string): number | null {
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
