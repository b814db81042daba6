import type {ReleaseTarget} from '../../bus/delivery.js';
import type {JsonValue} from '../../bus/types.js';
import type {SessionView} from '../../analysis/analyze.js';
import type {Reading} from '../../monitor/monitor.js';
import type {TabId, TabInfo} from '../../tab-ids.js';

/** What every tab module provides: its columns, how a reading becomes its rows, its badge, its empty text. */

export type Tone = 'normal' | 'muted' | 'good' | 'warn' | 'bad' | 'critical' | 'accent';

export type Column = {
	id: string;
	title: string;
	/** Narrowest useful width; the column may be given more when its content is wider. */
	width: number;
	/** At most this wide, however wide its content (default: unbounded for `grow`, else 40). */
	max?: number;
	/** Takes the width left over once every column has what its content needs. */
	grow?: boolean;
	/**
	 * How long it stays in a narrowing pane: 1 (what the row is about: never dropped, moved to
	 * a second line of the row if it must) to 5 (the first to give way).
	 */
	priority: 1 | 2 | 3 | 4 | 5;
	sortable?: boolean;
	/** A cell id holding a short form of this column's cell, shown when the column is narrower than its content (the MACHINE tag). */
	short?: string;
};

/** A message's payload fetched whole for the detail view, its row holding a preview: on its way, here (`cut`: bounded all the same), or not to be had. */
export type WholePayload = {state: 'fetching'} | {state: 'whole'; value: JsonValue; cut: boolean} | {state: 'failed'; why: string};

/** A session a row is about, for `o` and `m`: by id, with its view when it is registered. */
export type AgentRef = {sessionId: string; session: SessionView | null};

export type Row = {
	key: string;
	/** The machine the row came from, when the fleet has several (absent: its only machine); requests go there. */
	machine?: string;
	cells: Record<string, string>;
	tone: Tone;
	/** Sort values by column id (numbers sort numerically). */
	sort: Record<string, string | number>;
	/** What `/` matches: the row's text. */
	search: string;
	/** What `y` copies: the full id or path. */
	copy: string;
	/** Alert ids `a` acknowledges. */
	alertIds?: number[];
	/** The operator's own mail: message ids `a` marks read. */
	readIds?: number[];
	/** The sessions `o` jumps to and `m` messages (an alert may name several: the operator chooses). */
	agents?: AgentRef[];
	/** A message `m` replies to: its sender gets the reply. */
	reply?: {messageId: number; senderId: string};
	/** Message ids that count as shown once this row is on screen. */
	shownIds?: number[];
	release?: ReleaseTarget;
	/** Why `x` is refused for this row, when it is. */
	releaseRefusal?: string;
	/** The id of the message whose payload the row holds as a preview (a remote's): the detail view fetches it whole. */
	cutPayload?: number;
	/** The detail view's lines, built only when opened; with the whole payload once fetched (see cutPayload). */
	detail: (payload?: WholePayload) => string[];
	/** When a cell next reads differently with the clock alone (epoch ms); absent: never. */
	changesAt?: number;
};

/** The tab bar's count for a tab (`of`: out of how many, when that says what the count counts). */
export type Badge = {
	count: number;
	of?: number;
	/** The count of a bounded list that is full: there may be more (shown `50+`). */
	atLeast?: boolean;
	tone: Tone;
	/** The tab holds a row that needs the operator (the tab bar's `!`). */
	attention?: boolean;
};

export type ViewOptions = {showEnded: boolean; countsNote: string};

/** `table`: rows under column titles, one selected; `text`: sentences wrapped to the width, nothing selected. */
export type Layout = 'table' | 'text';

export type TabModule<K extends TabId = TabId> = Extract<TabInfo, {id: K}> & {
	layout: Layout;
	columns: Column[];
	rows: (reading: Reading, options: ViewOptions) => Row[];
	/** The count in the tab bar; null: none shown. */
	badge: (reading: Reading) => Badge | null;
	/** What the tab says when it has no rows. */
	empty: (reading: Reading) => string;
	/** Lines above the rows (at most MAX_HEADER_LINES). */
	header?: (reading: Reading, options: ViewOptions) => string[];
	/** How many items the rows are some of, when they list only part of them (a bounded list); absent: all. */
	total?: (reading: Reading, options: ViewOptions) => number;
};

/** One tab built from one reading: what the frame draws. */
export type TabView = {
	id: TabId;
	title: string;
	layout: Layout;
	badge: Badge | null;
	columns: Column[];
	rows: Row[];
	header: string[];
	/** How many items the rows are some of, when more than they list (counted); null: the rows are all. */
	total: number | null;
	empty: string;
};

export const MAX_HEADER_LINES = 3;
