import {formatDuration} from '../../bus/time.js';
import type {Tone} from './types.js';

/**
 * Cell texts that follow the clock, at a coarse resolution (minutes; `<1m`) so that,
 * with nothing committed, rows stay equal from one tick to the next and nothing is
 * drawn again; and, for each, when it next reads differently.
 */

/** Minutes resolution: `<1m`, `12m`, `2h 15m`, `3d 4h`. */
export function coarseAge(ms: number | null): string {
	if (ms === null) return '?';
	// Past a minute formatDuration already drops the seconds.
	return ms < 60_000 ? '<1m' : formatDuration(ms);
}

/** How long until coarseAge(ms) reads differently, as ms grows. */
export function coarseAgeChangesIn(ms: number): number {
	if (ms < 60_000) return 60_000 - ms;
	return ms < 86_400_000 ? 60_000 - (ms % 60_000) : 3_600_000 - (ms % 3_600_000);
}

export function since(ms: number | null, now: number): string {
	return ms === null ? '?' : coarseAge(Math.max(0, now - ms));
}

export function sinceChangesIn(ms: number | null, now: number): number {
	return ms === null ? Infinity : coarseAgeChangesIn(Math.max(0, now - ms));
}

export function countdown(expires: {ms: number | null; text: string | null}, expired: boolean, now: number): string {
	if (expires.ms === null) return expires.text === null ? '—' : '?';
	if (expired) return 'expired';
	return `in ${coarseAge(expires.ms - now)}`;
}

/** How long until countdown reads differently: its minutes (hours past a day) count down, `<1m` lasts until expiry. */
export function countdownChangesIn(expires: {ms: number | null}, expired: boolean, now: number): number {
	if (expires.ms === null || expired) return Infinity;
	const left = expires.ms - now;
	// Past its expiry it reads `<1m` until a reading marks it expired: nothing the clock changes.
	if (left <= 0) return Infinity;
	if (left < 60_000) return left;
	return (left < 86_400_000 ? left % 60_000 : left % 3_600_000) + 1;
}

const PRIORITY_TONE: Tone[] = ['muted', 'normal', 'warn', 'critical'];

export function priorityTone(priority: number): Tone {
	return PRIORITY_TONE[Math.max(0, Math.min(3, priority))];
}
