// A quick look at one figure of the benchmark: SnapshotReader.read after a heartbeat
// committed by another connection, on a cached bench bus (npm run bench builds them).
// node --import tsx bench/refresh-probe.ts bench/cache/bus-v3-1000000-<host>.db
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {openReader} from '../source/bus/open.js';
import {SnapshotReader} from '../source/bus/reader.js';

const source = process.argv[2];
if (!source) throw new Error('usage: refresh-probe.ts BUS.db');
const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'refresh-probe-')), 'messaging.db');
fs.copyFileSync(source, copy);
const writer = new Database(copy);
writer.pragma('journal_mode = WAL');
const ids = writer.prepare(`SELECT session_id FROM session_registry WHERE status = 'active'`).pluck().all() as string[];
const heartbeat = writer.prepare(`UPDATE session_registry SET last_heartbeat = ? WHERE session_id = ?`);
const reader = new SnapshotReader(openReader(copy), copy);
const samples: number[] = [];
for (let i = 0; i < 45; i++) {
	heartbeat.run(new Date().toISOString(), ids[i % ids.length]);
	const started = performance.now();
	reader.read({now: Date.now(), staleTimeoutMs: 300_000, countHistory: false});
	if (i >= 5) samples.push(performance.now() - started);
}
samples.sort((a, b) => a - b);
console.log(
	`refresh after a heartbeat: median ${samples[samples.length >> 1].toFixed(1)} ms, p95 ${samples[Math.floor(samples.length * 0.95)].toFixed(1)} ms (${samples.length} samples)`,
);
fs.rmSync(path.dirname(copy), {recursive: true, force: true});
