/**
 * Meanings of the bus contract that several places test, each written once, in SQL and
 * in code alike: which messages are open, which may have expired, and which priority is critical.
 */

/** The statuses of a message not yet acknowledged. */
export const OPEN_STATUSES = ['pending', 'delivered'] as const;

/** SQL: the status of an open message (the contract's partial indexes test the same). */
export const OPEN_STATUS_SQL = `status IN ('pending','delivered')`;

/** SQL: an open v2 message; legacy rows (no message_type) are never open, whatever their status says. */
export const OPEN_MESSAGE_SQL = `${OPEN_STATUS_SQL} AND message_type IS NOT NULL`;

/** In code, the status test of OPEN_STATUS_SQL. */
export function isOpenStatus(status: string): boolean {
	return status === 'pending' || status === 'delivered';
}

/**
 * SQL: a message that carries no expiry (`lasting`: no expires_at, no positive ttl_seconds),
 * which SQL may count without a clock, and the rest (`expiring`), which are fetched and judged
 * in code (messageExpired), never with SQLite's date functions. A column the table lacks is NULL.
 * The two always split the rows between them.
 */
export function expirySql(columns: {expiresAt: boolean; ttlSeconds: boolean}): {lasting: string; expiring: string} {
	const expires = columns.expiresAt ? 'expires_at' : 'NULL';
	const ttl = columns.ttlSeconds ? 'ttl_seconds' : 'NULL';
	return {
		lasting: `${expires} IS NULL AND (${ttl} IS NULL OR ${ttl} <= 0)`,
		expiring: `(${expires} IS NOT NULL OR ${ttl} > 0)`,
	};
}

/** Priority 3 and above: critical (exit code 8, the bell, the status line's red). */
export const CRITICAL_PRIORITY = 3;

export function isCritical(priority: number): boolean {
	return priority >= CRITICAL_PRIORITY;
}
