import {triageOrder} from '../analysis/triage.js';
import {formatIso} from '../bus/time.js';
import type {MachineState} from '../fleet/types.js';
import type {Reading} from '../monitor/monitor.js';
import {TABS, type TabId} from '../tab-ids.js';
import {buildTab, tabBadges} from './tabs/index.js';
import {type Badge, type Column, MAX_HEADER_LINES, type Row, type TabView, type Tone} from './tabs/types.js';

/**
 * The fleet's machines as one view: each machine's rows are built from its own reading by
 * the tab modules, as for one bus, and merged. A machine's rows are kept until its reading,
 * the tab or the options change, so a busy or idle machine never makes the others' rows be
 * built again. With one machine the view is the tab module's own, unchanged.
 */

export type Badges = Record<TabId, Badge | null>;
export type FleetModelView = {view: TabView | null; badges: Badges | null};
export type FleetViewOptions = {showEnded: boolean; countsNote: (machine: string) => string};

/** A machine whose link is down (connecting, reconnecting, failed): its rows are its last, dimmed, never current. */
export function linkLost(state: MachineState): boolean {
	return state.link.kind !== 'local' && state.link.kind !== 'live';
}

/** Machines whose rows are shown: all but the duplicates of another. */
export function shownMachines(machines: readonly MachineState[]): MachineState[] {
	return machines.filter(machine => machine.link.kind !== 'duplicate');
}

/** The time of a machine's last reading (local clock, UTC), as its lost rows are marked. */
export function readingTime(state: MachineState): string {
	return state.readAt === null ? 'never' : formatIso(state.readAt).slice(11, 16);
}

/** Each machine's short tag for a narrow pane: the shortest prefix of 3 or 4 characters that tells the names apart, else its number. */
export function machineTags(names: readonly string[]): Map<string, string> {
	for (let length = 3; length <= 4; length++) {
		const tags = names.map(name => Array.from(name).slice(0, length).join(''));
		if (new Set(tags).size === tags.length) return new Map(names.map((name, index) => [name, tags[index]]));
	}
	return new Map(names.map((name, index) => [name, `#${index + 1}`]));
}

const TONE_RANK: Tone[] = ['muted', 'normal', 'good', 'accent', 'warn', 'bad', 'critical'];

/** The tab bar's count over several machines: summed, `of` and `+` if any machine has them, the worst tone, attention if any. */
export function sumBadges(badges: ReadonlyArray<Badge | null>): Badge | null {
	const present = badges.filter((badge): badge is Badge => badge !== null);
	if (present.length === 0) return null;
	const sum: Badge = {
		count: present.reduce((total, badge) => total + badge.count, 0),
		tone: present.reduce<Tone>((worst, badge) => (TONE_RANK.indexOf(badge.tone) > TONE_RANK.indexOf(worst) ? badge.tone : worst), 'muted'),
	};
	if (present.some(badge => badge.of !== undefined)) sum.of = present.reduce((total, badge) => total + (badge.of ?? badge.count), 0);
	if (present.some(badge => badge.atLeast)) sum.atLeast = true;
	if (present.some(badge => badge.attention)) sum.attention = true;
	return sum;
}

const badgesOf = new WeakMap<Reading, Badges>();

function readingBadges(reading: Reading): Badges {
	let badges = badgesOf.get(reading);
	if (!badges) {
		badges = tabBadges(reading);
		badgesOf.set(reading, badges);
	}
	return badges;
}

// ---- one machine's rows ------------------------------------------------------------

/** What one machine's built view depends on: built again only when one of these changes. */
type MachineKey = {
	reading: Reading;
	tab: TabId;
	showEnded: boolean;
	countsNote: string;
	multiple: boolean;
	lost: boolean;
	readAt: number | null;
	offset: number;
	tag: string;
};

type Built = {key: MachineKey; view: TabView};

function sameKey(a: MachineKey, b: MachineKey): boolean {
	return (Object.keys(a) as Array<keyof MachineKey>).every(field => a[field] === b[field]);
}

/** A machine's row as the fleet shows it: keyed by (machine, key), with its MACHINE cell; dimmed and frozen when its link is down. */
function fleetRow(row: Row, state: MachineState, key: MachineKey): Row {
	const {name} = state;
	const {multiple, lost, offset} = key;
	const changesAt = lost || row.changesAt === undefined ? undefined : row.changesAt + offset;
	const tone: Tone = lost ? 'muted' : row.tone;
	if (!multiple) return {...row, tone, changesAt};
	const machine = lost ? `${name} ${readingTime(state)}` : name;
	return {
		...row,
		key: `${name}/${row.key}`,
		machine: name,
		cells: {...row.cells, machine, machineTag: key.tag},
		sort: {...row.sort, machine: name},
		search: `${row.search} ${name}`,
		tone,
		changesAt,
		detail: payload => [`Machine: ${name}${lost ? ` (its link is down; last reading ${readingTime(state)})` : ''}`, ...row.detail(payload)],
	};
}

/** The Stats tab of several machines: a section per machine, titled with its name. */
function statsSection(view: TabView | null, state: MachineState, key: MachineKey | null): Row[] {
	const {name} = state;
	const lost = linkLost(state);
	const title = `${name}${state.hostname && state.hostname !== name ? ` (${state.hostname})` : ''}${lost ? ` — link down, ${state.readAt === null ? 'never read' : `last reading ${readingTime(state)}`}` : ''}`;
	const heading: Row = {
		key: `${name}/stats-title`,
		machine: name,
		cells: {text: title},
		tone: 'accent',
		sort: {order: -1},
		search: name,
		copy: name,
		detail: () => [title],
	};
	const rows = view && key ? view.rows.map(row => fleetRow(row, state, key)) : [];
	const none: Row[] = view ? [] : [{...heading, key: `${name}/stats-none`, cells: {text: '  No reading yet.'}, tone: 'muted'}];
	return [heading, ...rows, ...none];
}

// ---- merging ---------------------------------------------------------------------

type Item = {row: Row; machine: number; own: number; offset: number; lost: boolean};

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const num = (value: string | number | undefined): number => (typeof value === 'number' ? value : 0);
const str = (value: string | number | undefined): string => String(value ?? '');
const tie = (a: Item, b: Item): number => a.machine - b.machine || a.own - b.own;

/** Sessions: the attention-first order of analysis/triage.ts across machines (heartbeats in local time), ties in machine order; the ended ones after, by machine. */
function mergeSessions(items: Item[]): Item[] {
	const ended = (item: Item) => item.row.agents?.[0]?.session?.state === 'ended';
	const open = items
		.filter(item => !ended(item))
		.map(item => {
			const view = item.row.agents?.[0]?.session;
			const ms = view?.row.lastHeartbeat.ms ?? null;
			return {
				item,
				need: view?.need ?? null,
				isCurrent: view?.isCurrent ?? false,
				row: {
					sessionId: view?.row.sessionId ?? '',
					projectId: view?.row.projectId ?? null,
					lastHeartbeat: {ms: ms === null ? null : ms + item.offset},
				},
			};
		});
	// The items come in machine order, and the sort is stable: equal sessions stay in machine order.
	return [...triageOrder(open, {lost: entry => entry.item.lost}).map(entry => entry.item), ...items.filter(ended)];
}

/**
 * The other tabs: by the tab's own order where it means the same on every machine, then machine order.
 * Alerts: open first, grouped by type (the group with the highest priority first), by priority within;
 * Unread: the operator's own first, then by recipient and priority; Locks and Claims: by when taken;
 * Lifecycle: newest first (times in local time).
 */
function mergeOthers(tab: TabId, items: Item[]): Item[] {
	if (tab === 'alerts') {
		const read = (item: Item) => item.row.sort.status === 'read';
		const group = (item: Item) => `${read(item) ? 'read' : 'open'} ${str(item.row.sort.type)}`;
		const groupMax = new Map<string, number>();
		for (const item of items) groupMax.set(group(item), Math.max(groupMax.get(group(item)) ?? -Infinity, num(item.row.sort.priority)));
		return [...items].sort(
			(a, b) =>
				Number(read(a)) - Number(read(b)) ||
				groupMax.get(group(b))! - groupMax.get(group(a))! ||
				byCodeUnits(str(a.row.sort.type), str(b.row.sort.type)) ||
				num(b.row.sort.priority) - num(a.row.sort.priority) ||
				tie(a, b),
		);
	}
	if (tab === 'unread') {
		const mine = (item: Item) => Number(item.row.readIds !== undefined);
		return [...items].sort(
			(a, b) =>
				mine(b) - mine(a) ||
				byCodeUnits(str(a.row.sort.recipient), str(b.row.sort.recipient)) ||
				num(b.row.sort.priority) - num(a.row.sort.priority) ||
				tie(a, b),
		);
	}
	if (tab === 'locks' || tab === 'claims') {
		return [...items].sort((a, b) => num(a.row.sort.age) + a.offset - (num(b.row.sort.age) + b.offset) || tie(a, b));
	}
	if (tab === 'lifecycle') {
		return [...items].sort((a, b) => num(b.row.sort.time) + b.offset - (num(a.row.sort.time) + a.offset) || tie(a, b));
	}
	return items;
}

// The MACHINE column, as wide as the machines' tags at the least; one array per tag width, so a tab's columns keep their identity.
const machineColumns = new Map<number, Column>();

function machineColumn(tagWidth: number): Column {
	let column = machineColumns.get(tagWidth);
	if (!column) {
		column = {id: 'machine', priority: 2, title: 'MACHINE', width: Math.max(3, tagWidth), max: 24, sortable: true, short: 'machineTag'};
		machineColumns.set(tagWidth, column);
	}
	return column;
}

/** Builds the fleet's view of a tab; one per dashboard, holding each machine's last built rows. */
export class FleetView {
	private readonly built = new Map<string, Built>();
	private merged: {parts: Array<TabView | null>; machines: readonly MachineState[]; result: FleetModelView} | null = null;
	private summed: {parts: Badges[]; badges: Badges} | null = null;

	build(machines: readonly MachineState[], tab: TabId, options: FleetViewOptions): FleetModelView {
		const shown = shownMachines(machines);
		const multiple = machines.length > 1;
		const tags = machineTags(shown.map(machine => machine.name));
		const parts = shown.map(state => this.machineView(state, tab, options, multiple, tags.get(state.name) ?? ''));
		for (const name of this.built.keys()) if (!shown.some(state => state.name === name)) this.built.delete(name);
		if (
			this.merged &&
			this.merged.machines.length === shown.length &&
			this.merged.parts.every((part, index) => part === parts[index]) &&
			this.merged.machines.every((state, index) => state === shown[index])
		) {
			return this.merged.result;
		}
		const result = multiple ? this.merge(shown, parts, tab, tags) : {view: parts[0] ?? null, badges: this.badgesOf(shown)};
		this.merged = {parts, machines: shown, result};
		return result;
	}

	private machineView(state: MachineState, tab: TabId, options: FleetViewOptions, multiple: boolean, tag: string): TabView | null {
		const {reading} = state;
		if (!reading) {
			this.built.delete(state.name);
			return null;
		}
		const key: MachineKey = {
			reading,
			tab,
			showEnded: options.showEnded,
			countsNote: options.countsNote(state.name),
			multiple,
			lost: linkLost(state),
			readAt: state.readAt,
			offset: state.clockOffsetMs,
			tag,
		};
		const last = this.built.get(state.name);
		if (last && sameKey(last.key, key)) return last.view;
		const view = buildTab(reading, tab, {showEnded: key.showEnded, countsNote: key.countsNote}, readingBadges(reading));
		// The local bus, as it is: the tab module's own rows.
		const plain = !multiple && !key.lost && key.offset === 0;
		// Several machines' Stats are sections, made in the merge.
		const shown = plain || (multiple && tab === 'stats') ? view : {...view, rows: view.rows.map(row => fleetRow(row, state, key))};
		this.built.set(state.name, {key, view: shown});
		return shown;
	}

	private badgesOf(shown: readonly MachineState[]): Badges | null {
		const parts = shown.flatMap(state => (state.reading ? [readingBadges(state.reading)] : []));
		if (parts.length === 0) return null;
		if (parts.length === 1) return parts[0];
		if (this.summed && this.summed.parts.length === parts.length && this.summed.parts.every((part, index) => part === parts[index])) {
			return this.summed.badges;
		}
		const badges = Object.fromEntries(TABS.map(({id}) => [id, sumBadges(parts.map(part => part[id]))])) as Badges;
		this.summed = {parts, badges};
		return badges;
	}

	private merge(shown: readonly MachineState[], parts: Array<TabView | null>, tab: TabId, tags: Map<string, string>): FleetModelView {
		const badges = this.badgesOf(shown);
		const first = parts.find((part): part is TabView => part !== null);
		if (!first || !badges) return {view: null, badges};
		// Each line names its machines; a line several machines share (the same missing table) is said once.
		const lines = new Map<string, string[]>();
		shown.forEach((state, index) => {
			for (const line of parts[index]?.header ?? []) lines.set(line, [...(lines.get(line) ?? []), state.name]);
		});
		const header = [...lines].map(([line, names]) => `${names.join(', ')}: ${line}`);
		const headerShown =
			header.length <= MAX_HEADER_LINES
				? header
				: [...header.slice(0, MAX_HEADER_LINES - 1), `+${header.length - MAX_HEADER_LINES + 1} more lines from the machines`];
		let rows: Row[];
		if (first.layout === 'text') {
			rows = shown.flatMap((state, index) => statsSection(parts[index], state, this.built.get(state.name)?.key ?? null));
		} else {
			const items = shown.flatMap((state, machine) =>
				(parts[machine]?.rows ?? []).map((row, own) => ({row, machine, own, offset: state.clockOffsetMs, lost: linkLost(state)})),
			);
			rows = (tab === 'sessions' ? mergeSessions(items) : mergeOthers(tab, items)).map(item => item.row);
		}
		const total = parts.reduce((sum, part) => sum + (part ? (part.total ?? part.rows.length) : 0), 0);
		const tagWidth = Math.max(0, ...[...tags.values()].map(value => value.length));
		return {
			badges,
			view: {
				...first,
				badge: badges[tab],
				columns: first.layout === 'text' ? first.columns : [machineColumn(tagWidth), ...first.columns],
				rows,
				header: headerShown,
				total: total > rows.length && first.layout === 'table' ? total : null,
			},
		};
	}
}
