/**
 * How much of each list the printed dashboard and the log entry show: a fixed number of
 * items, then how many were left out and where to see them all, so that an entry stays a
 * few tens of KB on any bus. Their sections (`--alerts`, `--sessions`, ...) and `--json`
 * list everything. Sentences that name sessions or holds (Observations, Statistics) are
 * bounded the same way wherever they appear.
 */
export const PRINTED = {
	/** The most urgent open alerts. */
	alerts: 20,
	/** Session detail blocks (the current session first). */
	sessionBlocks: 20,
	/** Locks, and claims, inside one detail block. */
	holdsPerBlock: 10,
	/** Names inside one sentence. */
	names: 10,
	/** Notes on what the run did (each release). */
	notes: 20,
} as const;

/** The first `limit` items, and how many were left out. */
export function firstOf<T>(items: readonly T[], limit: number): {shown: T[]; more: number} {
	return items.length <= limit ? {shown: [...items], more: 0} : {shown: items.slice(0, limit), more: items.length - limit};
}

/** `a, b, c and 37 more`: the first `limit` items, each put in words by `format`, then how many were left out. */
export function listText<T>(items: readonly T[], format: (item: T) => string, limit: number = PRINTED.names, separator = ', '): string {
	const shown = items.slice(0, limit).map(format).join(separator);
	return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}
