/**
 * The shapes of bus the benchmark measures (docs/benchmark.md, "The buses"). Every shape
 * comes in the same sizes (10k / 100k / 1M messages, all history but the open ones); the
 * two twins exist for a ratio each and are derived from their shape's bus, so that they
 * differ from it in one thing only.
 */

export const SHAPE_NAMES = ['fresh', 'neglected', 'long-lived', 'neglected-1k-open', 'long-lived-no-history'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** Open messages by kind: directed coordination mail, lifecycle events, operator alerts. */
export type OpenMix = {coordination: number; lifecycle: number; alert: number};

export type Shape = {
	name: ShapeName;
	/** One line for the table and results.json. */
	summary: string;
	/** Sessions in rowid order: `live` heartbeating, then `stale` (still 'active', heartbeats hours old), then `ended`. */
	live: number;
	stale: number;
	ended: number;
	/** Registration times spread over this many days before now. */
	registeredWithinDays: number;
	locks: number;
	claims: number;
	open: OpenMix;
	/** Share of project_conflict alerts that are critical (priority 3); the other alerts are high. */
	criticalProjectConflicts: number;
	/** Open messages may take any row, whatever kind it was drawn as: where they are most of the bus. */
	openRowsTakeAnyKind: boolean;
	/** A twin: built from `of`'s bus by one change (see build-bus.ts), for the ratio `of` / twin. */
	twin?: {of: ShapeName; change: 'keep-every-tenth-open' | 'drop-ended-sessions'};
};

const FRESH: Shape = {
	name: 'fresh',
	summary: "today's bus: 1,000 sessions, 900 heartbeating on 7 machines, 100 ended; 5,000 locks; 2,000 claims; 1,000 open messages",
	live: 900,
	stale: 0,
	ended: 100,
	registeredWithinDays: 3,
	locks: 5000,
	claims: 2000,
	open: {coordination: 700, lifecycle: 200, alert: 100},
	criticalProjectConflicts: 0.5,
	openRowsTakeAnyKind: false,
};

const NEGLECTED: Shape = {
	name: 'neglected',
	summary:
		'1,000 sessions, 900 of them stale for hours (dead or remote PIDs), none released; 5,000 locks; 2,000 claims; 10,000 open messages: about 6,000 unread directed, 530 open alerts (about 125 critical)',
	live: 100,
	stale: 900,
	ended: 0,
	registeredWithinDays: 3,
	locks: 5000,
	claims: 2000,
	open: {coordination: 6200, lifecycle: 3270, alert: 530},
	criticalProjectConflicts: 0.95,
	openRowsTakeAnyKind: true,
};

/** Today's messages, with the sessions of months of use. */
const LONG_LIVED: Shape = {
	...FRESH,
	name: 'long-lived',
	summary: "months of use: 60,000 ended sessions and 10 heartbeating; 50 locks; 20 claims; today's messages (1,000 open)",
	live: 10,
	ended: 60_000,
	registeredWithinDays: 180,
	locks: 50,
	claims: 20,
};

export const SHAPES: Record<ShapeName, Shape> = {
	fresh: FRESH,
	neglected: NEGLECTED,
	'long-lived': LONG_LIVED,
	'neglected-1k-open': {
		...NEGLECTED,
		name: 'neglected-1k-open',
		summary: 'neglected, with nine in ten of its open messages read: 1,000 open',
		open: {coordination: 620, lifecycle: 327, alert: 53},
		twin: {of: 'neglected', change: 'keep-every-tenth-open'},
	},
	'long-lived-no-history': {
		...LONG_LIVED,
		name: 'long-lived-no-history',
		summary: 'long-lived without its ended sessions: the same 10 sessions, messages, locks and claims',
		ended: 0,
		twin: {of: 'long-lived', change: 'drop-ended-sessions'},
	},
};

/** Every open message of a shape. */
export const openCount = (shape: Shape) => shape.open.coordination + shape.open.lifecycle + shape.open.alert;
