import Database from 'better-sqlite3';
import {liveSessionIds} from '../build-bus.js';
import {openReader} from '../../source/bus/open.js';
import {introspect} from '../../source/bus/schema.js';
import {SnapshotReader} from '../../source/bus/reader.js';
import {snapshotSql} from '../../source/bus/statements.js';
import {BusMonitor} from '../../source/monitor/monitor.js';
import {type Config, STALE_MS} from '../lib/config.js';
import type {RefreshFigures} from '../lib/figures.js';
import {median, round, stats} from '../lib/stats.js';
import {msSince, nowNs, timeAfter, timeAfterAsync} from '../lib/time.js';
import {heartbeatStatement, messageExchange} from '../lib/writes.js';

const COUNT_KEYS = new Set(['legacyCount', 'statusCounts', 'totalCount']);

/** The writes made before each sample, each its own commit through a connection of its own. */
function benchWrites(writer: Database.Database) {
	const activeIds = liveSessionIds(writer);
	const heartbeat = heartbeatStatement(writer);
	let touches = 0;
	const touch = () => heartbeat.run(new Date().toISOString(), activeIds[touches++ % activeIds.length]);
	const exchange = messageExchange(writer, activeIds);
	const touchHold = (table: string) => writer.prepare(`UPDATE ${table} SET expires_at = ? WHERE rowid = (SELECT min(rowid) FROM ${table})`);
	const [touchLock, touchClaim] = [touchHold('file_locks'), touchHold('task_claims')];
	const touchMessage = writer.transaction(() => {
		touch();
		exchange(touches, new Date().toISOString());
	});
	const touchEverything = writer.transaction(() => {
		touchMessage();
		const expires = new Date(Date.now() + 3_600_000 + touches).toISOString();
		touchLock.run(expires);
		touchClaim.run(expires);
	});
	return {touch, touchMessage, touchEverything};
}

/** The floor: the snapshot's statements run with `.all()` in one transaction, nothing done with the rows. */
function floorOf(db: Database.Database) {
	const sql = snapshotSql(introspect(db));
	const statements = Object.entries(sql)
		.filter((entry): entry is [string, string] => entry[1] !== null)
		// Row statements in raw mode (arrays), as the snapshot reads them: the cheapest way to get the rows.
		.map(([key, text]) => ({key, statement: COUNT_KEYS.has(key) ? db.prepare(text) : db.prepare(text).raw(true)}));
	const floor = db.transaction((withCounts: boolean) => {
		let rows = 0;
		for (const {key, statement} of statements) if (withCounts || !COUNT_KEYS.has(key)) rows += statement.all().length;
		return rows;
	});
	/** Each statement timed on its own, in one transaction. */
	const byStatement = db.transaction((into: Record<string, number[]>) => {
		for (const {key, statement} of statements) {
			const started = nowNs();
			statement.all();
			(into[key] ??= []).push(msSince(started));
		}
	});
	return {floor, byStatement};
}

/** Refresh after a commit beside the floor, with and without the history counts and after each kind of write; the full BusMonitor.read. */
export async function measureRefresh(bus: string, config: Config): Promise<RefreshFigures> {
	const writer = new Database(bus);
	writer.pragma('busy_timeout = 2000');
	const {touch, touchMessage, touchEverything} = benchWrites(writer);

	const reader = new SnapshotReader(openReader(bus), bus);
	const read = (countHistory: boolean) => reader.read({now: Date.now(), staleTimeoutMs: STALE_MS, countHistory});
	const floorDb = openReader(bus);
	const {floor, byStatement} = floorOf(floorDb);

	const time = (f: () => unknown, write: () => unknown = touch) => timeAfter(write, f);
	for (let i = 0; i < 3; i++) {
		time(() => read(false));
		time(() => floor(false));
		time(() => read(true));
		time(() => floor(true));
	}
	const samples = {
		refresh: [] as number[],
		floor: [] as number[],
		refreshCounts: [] as number[],
		floorCounts: [] as number[],
		refreshMessage: [] as number[],
		refreshEverything: [] as number[],
	};
	for (let i = 0; i < config.refreshSamples; i++) {
		samples.refresh.push(time(() => read(false)));
		samples.floor.push(time(() => floor(false)));
		samples.refreshCounts.push(time(() => read(true)));
		samples.floorCounts.push(time(() => floor(true)));
	}
	// Each kind of write in a run of its own, after one to warm up (see docs/benchmark.md).
	for (const [write, list] of [
		[touchMessage, samples.refreshMessage],
		[touchEverything, samples.refreshEverything],
	] as const) {
		time(() => read(false), write);
		for (let i = 0; i < config.refreshSamples; i++) list.push(time(() => read(false), write));
	}
	const snapshot = read(false);
	const floorRows = floor(true);
	const statementMs: Record<string, number[]> = {};
	for (let i = 0; i < Math.min(10, config.refreshSamples); i++) {
		touch();
		byStatement(statementMs);
	}

	// The full read the dashboard does: snapshot + liveness + analysis.
	const monitor = new BusMonitor({dbPath: bus, staleTimeoutMs: STALE_MS, sessionId: null, machineUuid: null});
	for (let i = 0; i < 2; i++) {
		touch();
		await monitor.read({countHistory: false});
	}
	const monitorSamples: number[] = [];
	for (let i = 0; i < config.refreshSamples; i++)
		monitorSamples.push(await timeAfterAsync(touch, () => monitor.read({countHistory: false})));
	const reading = await monitor.read({countHistory: false});
	const analyseSamples: number[] = [];
	for (let i = 0; i < 10; i++)
		analyseSamples.push(
			await timeAfterAsync(
				() => {},
				() => monitor.analyse(reading.snapshot),
			),
		);
	monitor.close();
	writer.close();
	reader.db.close();
	floorDb.close();

	return {
		refresh: stats(samples.refresh),
		floor: stats(samples.floor),
		floor_by_statement_ms: Object.fromEntries(Object.entries(statementMs).map(([key, values]) => [key, round(median(values))])),
		ratio: round(median(samples.refresh) / median(samples.floor)),
		refresh_after_message: stats(samples.refreshMessage),
		refresh_after_every_table: stats(samples.refreshEverything),
		ratio_every_table: round(median(samples.refreshEverything) / median(samples.floor)),
		refresh_with_counts: stats(samples.refreshCounts),
		floor_with_counts: stats(samples.floorCounts),
		ratio_with_counts: round(median(samples.refreshCounts) / median(samples.floorCounts)),
		monitor_read: stats(monitorSamples),
		analyse_only: stats(analyseSamples),
		snapshot_rows: {
			sessions: snapshot.sessions.length,
			locks: snapshot.locks.length,
			claims: snapshot.claims.length,
			alerts: snapshot.alerts.length,
			unread: snapshot.unread.length,
			lifecycle: snapshot.lifecycle.length,
			floor_rows_with_counts: floorRows,
		},
	};
}
