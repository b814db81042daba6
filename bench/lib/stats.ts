/** The q-quantile (0..1) of `values`, interpolated between the nearest ranks; NaN when empty. */
export function quantile(values: number[], q: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const position = (sorted.length - 1) * q;
	const low = Math.floor(position);
	const high = Math.ceil(position);
	return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}
export const median = (values: number[]) => quantile(values, 0.5);
export const p95 = (values: number[]) => quantile(values, 0.95);

/** `value` to `digits` decimals; null for NaN and infinities (JSON has no NaN). */
export const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

export type Stats = {median: number | null; p95: number | null; min: number | null; max: number | null; samples: number};

/** Median, p95, min and max of `values`, rounded, with the sample count. */
export function stats(values: number[], digits = 2): Stats {
	return {
		median: round(median(values), digits),
		p95: round(p95(values), digits),
		min: round(Math.min(...values), digits),
		max: round(Math.max(...values), digits),
		samples: values.length,
	};
}
