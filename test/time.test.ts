import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {formatDuration, formatIso, formatRelative, parseTimestamp} from '../source/bus/time.js';
import {seededRandom} from './helpers/fixtures.js';

const T = Date.UTC(2026, 1, 11, 0, 31, 37);

describe('parseTimestamp', () => {
	it('reads every ISO form of the contract, zone-less as UTC', () => {
		const forms: Array<[string, number]> = [
			['2026-02-11T00:31:37Z', T],
			['2026-02-11 00:31:37', T],
			['2026-02-11T00:31:37', T],
			['2026-02-11 00:31:37Z', T],
			['2026-02-11T00:31:37.250Z', T + 250],
			['2026-02-11T00:31:37.123456', T + 123],
			['2026-02-11T00:31:37.123456+00:00', T + 123],
			['2026-02-11T02:31:37+02:00', T],
			['2026-02-10T19:31:37-0500', T],
			['2026-02-11T05:31:37+05', T],
			['  2026-02-11T00:31:37Z ', T],
			['2026-02-11', Date.UTC(2026, 1, 11)],
		];
		for (const [text, ms] of forms) assert.equal(parseTimestamp(text), ms, text);
	});

	it('reads the usual form exactly as the general parser does (a leading space takes the general path)', () => {
		const random = seededRandom(7);
		const pad = (value: number, width: number) => String(value).padStart(width, '0');
		const pieces = ['', 'Z', 'z', '+00:00', '-05:30', '+0200', '+05', ' ', 'Q'];
		for (let i = 0; i < 20_000; i++) {
			const fraction = random(4) === 0 ? '' : `.${pad(random(10 ** 6), 1 + random(6))}`;
			const text =
				`${pad(random(3) === 0 ? random(10_000) : 1990 + random(60), 4)}-${pad(random(14), 2)}-${pad(random(33), 2)}` +
				`${random(5) === 0 ? ' ' : 'T'}${pad(random(26), 2)}:${pad(random(61), 2)}:${pad(random(62), 2)}${fraction}${pieces[random(pieces.length)]}`;
			assert.equal(parseTimestamp(text), parseTimestamp(` ${text}`), text);
		}
	});

	it('reads the ECMAScript form (read natively) exactly as its own parser reads the same with a space', () => {
		const random = seededRandom(11);
		const pad = (value: number, width: number) => String(value).padStart(width, '0');
		const zones = ['Z', '+00:00', '-05:30', '+14:00', '+24:00', '-23:59'];
		let read = 0;
		for (let i = 0; i < 20_000; i++) {
			const year = [2026, 2000, 2100, 1000, 999, 9999, random(10_000)][random(7)];
			const fraction = random(3) === 0 ? '' : `.${pad(random(1000), 3)}`;
			const date = `${pad(year, 4)}-${pad(random(14), 2)}-${pad(random(33), 2)}`;
			const time = `${pad(random(26), 2)}:${pad(random(62), 2)}:${pad(random(62), 2)}${fraction}${zones[random(zones.length)]}`;
			const ms = parseTimestamp(`${date}T${time}`);
			assert.equal(ms, parseTimestamp(`${date} ${time}`), `${date}T${time}`);
			if (ms !== null) read++;
		}
		// Enough of them valid for the comparison to mean something.
		assert.ok(read > 5000, String(read));
	});

	it('reads epoch seconds as INTEGER, REAL and digit text', () => {
		assert.equal(parseTimestamp(1795643261), 1795643261000);
		assert.equal(parseTimestamp(1795643261.02741), 1795643261027);
		assert.equal(parseTimestamp('1795643261.02741'), 1795643261027);
		assert.equal(parseTimestamp('1795643261'), 1795643261000);
		assert.equal(parseTimestamp(BigInt(1795643261)), 1795643261000);
		// milliseconds, as some writers store them
		assert.equal(parseTimestamp(1795643261027), 1795643261027);
	});

	it('answers null for what cannot be read, and never throws', () => {
		for (const bad of [
			'',
			'yesterday',
			'2026-13-01T00:00:00Z',
			'2026-02-31 10:00:00',
			'2026-02-11T25:00:00',
			'NaN',
			{},
			[],
			Buffer.from('x'),
			Number.NaN,
			Infinity,
			'9'.repeat(400),
			null,
			undefined,
		]) {
			assert.equal(parseTimestamp(bad), null, JSON.stringify(bad) ?? 'undefined');
		}
	});
});

describe('formatting', () => {
	it('prints ISO seconds the way the old command did', () => {
		assert.equal(formatIso(T + 999), '2026-02-11T00:31:37Z');
	});

	it('says relative times both ways and admits unknown ones', () => {
		assert.equal(formatRelative(T - 90_000, T), '1m ago');
		assert.equal(formatRelative(T + 90_000, T), 'in 1m');
		assert.equal(formatRelative(null, T), 'unknown time');
	});
});

describe('formatDuration', () => {
	it('formats like ps etime in words', () => {
		const cases: Array<[number, string]> = [
			[-1, '0s'],
			[Number.NaN, '0s'],
			[0, '0s'],
			[999, '0s'],
			[45_000, '45s'],
			[59_999, '59s'],
			[60_000, '1m'],
			[12 * 60_000 + 30_000, '12m'],
			[59 * 60_000 + 59_000, '59m'],
			[3_600_000, '1h 0m'],
			[2 * 3_600_000 + 15 * 60_000, '2h 15m'],
			[23 * 3_600_000 + 59 * 60_000, '23h 59m'],
			[86_400_000, '1d 0h'],
			[3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '3d 4h'],
			[400 * 86_400_000, '400d 0h'],
		];
		for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
	});
});
