import type {HoldView} from '../../analysis/analyze.js';
import type {HoldKind} from '../../bus/types.js';
import type {Reading} from '../../monitor/monitor.js';
import {stampText} from '../../report/describe.js';
import {tabInfo} from '../../tab-ids.js';
import {countdown, countdownChangesIn, since, sinceChangesIn} from './cells.js';
import {sessionDetail} from './sessions.js';
import type {Column, Row, TabModule} from './types.js';

/** Locks and Claims: the same table over each kind of hold; held by a dead or stale session stands out. */

function holdRow(hold: HoldView, now: number): Row {
	const {row} = hold;
	const {kind, key, type} = row;
	const holder = hold.orphanReason ? `${row.sessionId} (${hold.orphanReason.replace('holder ', '')})` : row.sessionId;
	const cells = {key, holder, type, age: since(row.since.ms, now), expires: countdown(row.expiresAt, row.expired, now)};
	return {
		key: `${kind}:${row.rowid}`,
		cells,
		changesAt: now + Math.min(sinceChangesIn(row.since.ms, now), countdownChangesIn(row.expiresAt, row.expired, now)),
		tone: row.expired ? 'muted' : hold.orphaned ? 'bad' : 'normal',
		sort: {key, holder, type, age: row.since.ms ?? 0, expires: row.expiresAt.ms ?? Number.MAX_SAFE_INTEGER},
		search: [key, holder, type].join(' '),
		copy: key,
		agents: [{sessionId: row.sessionId, session: hold.holder}],
		release:
			hold.orphaned || row.expired
				? {kind, rowid: row.rowid, key, sessionId: row.sessionId, reason: hold.orphanReason ?? 'expired'}
				: undefined,
		releaseRefusal: `the holder ${row.sessionId} is alive: only a ${kind} held by a dead or stale session can be released`,
		detail: () => [
			`${kind === 'lock' ? 'File lock' : 'Task claim'}: ${key}`,
			`  Holder: ${holder}`,
			`  Type: ${type}`,
			`  Since: ${stampText(row.since)}`,
			`  Expires: ${stampText(row.expiresAt)}${row.expired ? ' (expired)' : ''}`,
			'',
			...(hold.holder ? sessionDetail(hold.holder, now) : ['The holder is not registered on the bus.']),
		],
	};
}

const columns = (keyTitle: string): Column[] => [
	{id: 'key', priority: 1, title: keyTitle, width: 14, grow: true, sortable: true},
	{id: 'holder', priority: 1, title: 'HOLDER', width: 18, sortable: true},
	{id: 'type', priority: 3, title: 'TYPE', width: 9, sortable: true},
	{id: 'age', priority: 4, title: 'AGE', width: 7, sortable: true},
	{id: 'expires', priority: 2, title: 'EXPIRES', width: 9, sortable: true},
];

const TABLES = {lock: 'file_locks', claim: 'task_claims'} as const;

function holdsTab<K extends 'locks' | 'claims'>(id: K, kind: HoldKind): TabModule<K> {
	const holds = (reading: Reading) => (kind === 'lock' ? reading.analysis.locks : reading.analysis.claims);
	const what = kind === 'lock' ? 'file locks' : 'task claims';
	return {
		...tabInfo(id),
		layout: 'table',
		columns: columns(kind === 'lock' ? 'FILE' : 'TASK'),
		rows: reading => holds(reading).map(hold => holdRow(hold, reading.analysis.now)),
		badge: reading => {
			// Held by a dead or stale session: the operator's to release.
			const orphaned = holds(reading).some(hold => hold.orphaned);
			return {count: holds(reading).filter(hold => !hold.row.expired).length, tone: orphaned ? 'bad' : 'normal', attention: orphaned};
		},
		empty: reading =>
			reading.snapshot.database.schema.missing.includes(`table ${TABLES[kind]}`)
				? `This database has no ${TABLES[kind]} table.`
				: `No ${what}.`,
	};
}

export const locksTab = holdsTab('locks', 'lock');
export const claimsTab = holdsTab('claims', 'claim');
