import Database from 'better-sqlite3';
import type {Setup} from '../lib/config.js';
import type {CountFigures} from '../lib/figures.js';
import {capture} from '../lib/processes.js';

type JsonCounts = {counts?: {historicalSessions?: number; openAlerts?: number}};

/**
 * Counts `--json` gives beside the same counts made here in SQL: every session the registry
 * holds, and the open operator alerts (the bench's alerts carry no expiry, so a COUNT is exact).
 */
export function measureCounts(bus: string, setup: Setup): CountFigures {
	const result = capture([setup.launcher, '--json', '--db', bus]);
	if (result.status !== 0) throw new Error(`--json exited ${result.status}: ${result.stderr}`);
	const {counts} = JSON.parse(result.stdout.toString('utf8')) as JsonCounts;
	const db = new Database(bus, {readonly: true});
	const count = (sql: string) => db.prepare(sql).pluck().get() as number;
	const historical = count(`SELECT COUNT(*) FROM session_registry`);
	const openAlerts = count(
		`SELECT COUNT(*) FROM session_messages WHERE channel = 'operator_alerts' AND status IN ('pending', 'delivered') AND message_type IS NOT NULL`,
	);
	db.close();
	const fromJson = {historical: counts?.historicalSessions ?? null, openAlerts: counts?.openAlerts ?? null};
	return {
		counts: {
			historical_json: fromJson.historical,
			historical_sql: historical,
			open_alerts_json: fromJson.openAlerts,
			open_alerts_sql: openAlerts,
			exact: fromJson.historical === historical && fromJson.openAlerts === openAlerts,
		},
	};
}
