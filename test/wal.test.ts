import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {execFileSync, spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {BusWriter} from '../source/bus/writer.js';
import {openReader} from '../source/bus/open.js';
import {SnapshotReader} from '../source/bus/reader.js';
import {WalWatch, walPathOf} from '../source/bus/wal.js';
import type {BusSnapshot} from '../source/bus/types.js';
import {tempDir} from './helpers/fixtures.js';

/**
 * Pages committed since the last read, from the write-ahead log: what WalWatch
 * reports against what SQLite says the pages of each table are (dbstat), and a
 * reader that trusts it against one reading everything, under a writer process
 * committing while it reads.
 */

/** python3 -c PAD_WRITER DB SQL...: each SQL (statements split at ';') one transaction, synced, psow=0. */
const PAD_WRITER = `
import sqlite3, sys
c = sqlite3.connect('file:' + sys.argv[1] + '?psow=0', uri=True, isolation_level=None)
c.execute('PRAGMA synchronous = FULL')
c.execute('PRAGMA wal_autocheckpoint = 0')
for sql in sys.argv[2:]:
    c.execute('BEGIN IMMEDIATE')
    for statement in sql.split(';'):
        if statement.strip(): c.execute(statement)
    c.execute('COMMIT')
`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function bus(): {writer: BusWriter; dbPath: string} {
	const dbPath = path.join(tempDir('session-status-wal-'), 'messaging.db');
	const writer = new BusWriter(dbPath);
	writer.db.pragma('wal_autocheckpoint = 0');
	writer.register({sessionId: 'a', hostname: 'h', pid: null});
	return {writer, dbPath};
}

/**
 * A heartbeat that always writes a page: SQLite writes nothing for an UPDATE that leaves a
 * row as it was, which two heartbeats in one millisecond would.
 */
let beats = 0;
const beat = (writer: BusWriter): void => writer.heartbeat('a', Date.now() + ++beats);

/** A new bus, a reader of it and a WalWatch of its log; close() closes both handles. */
function watchedBus(): {writer: BusWriter; dbPath: string; reader: Database.Database; watch: WalWatch; close: () => void} {
	const {writer, dbPath} = bus();
	const reader = openReader(dbPath);
	return {writer, dbPath, reader, watch: new WalWatch(`${dbPath}-wal`), close: () => (writer.close(), reader.close())};
}

/** One read's worth of watching, with a read transaction in between as the reader has. */
function watchRead(watch: WalWatch, reader: Database.Database): Set<number> | null {
	watch.beforeSnapshot();
	return reader.transaction(() => {
		reader.pragma('schema_version');
		const pages = watch.afterSnapshot();
		watch.readDone();
		return pages;
	})();
}

const pagesOf = (db: Database.Database, table: string) =>
	new Set(db.prepare(`SELECT pageno FROM dbstat WHERE name = ?`).pluck().all(table) as number[]);
const overlaps = (pages: Set<number> | null, of: Set<number>) => [...(pages ?? [])].some(page => of.has(page));

describe('WalWatch', () => {
	it('knows nothing at first, then reports the pages of each commit: a lock commits pages of file_locks, not of task_claims', () => {
		const {writer, reader, watch, close} = watchedBus();
		assert.equal(watchRead(watch, reader), null, 'the first read has nothing to compare with');
		writer.lock('src/x.ts', 'a');
		const afterLock = watchRead(watch, reader);
		assert.ok(overlaps(afterLock, pagesOf(writer.db, 'file_locks')), 'pages of file_locks');
		assert.ok(!overlaps(afterLock, pagesOf(writer.db, 'task_claims')), 'no page of task_claims');
		writer.claim('T.1', 'a');
		const afterClaim = watchRead(watch, reader);
		assert.ok(overlaps(afterClaim, pagesOf(writer.db, 'task_claims')));
		// The last commit of a scan is read again by the next (it may not have been in the snapshot), nothing before it.
		const nothingNew = watchRead(watch, reader);
		assert.ok(
			overlaps(nothingNew, pagesOf(writer.db, 'task_claims')) && !overlaps(nothingNew, pagesOf(writer.db, 'file_locks')),
			'the claim again, not the lock',
		);
		beat(writer);
		beat(writer);
		const heartbeats = watchRead(watch, reader);
		assert.ok(overlaps(heartbeats, pagesOf(writer.db, 'session_registry')));
		assert.ok(!overlaps(watchRead(watch, reader), pagesOf(writer.db, 'task_claims')), 'a commit followed by another is not read again');
		close();
	});

	it('a commit between the first scan and the snapshot is reported; one after the snapshot is reported again by the next read', () => {
		const {writer, reader, watch, close} = watchedBus();
		watchRead(watch, reader);
		beat(writer);
		watchRead(watch, reader);
		const locks = () => pagesOf(writer.db, 'file_locks');
		// Before the snapshot: the snapshot holds the lock, the first scan did not see it.
		watch.beforeSnapshot();
		writer.lock('src/x.ts', 'a');
		const before = reader.transaction(() => {
			assert.equal(reader.prepare(`SELECT count(*) FROM file_locks`).pluck().get(), 1);
			return watch.afterSnapshot();
		})();
		watch.readDone();
		assert.ok(overlaps(before, locks()), 'in the snapshot, so reported');
		beat(writer);
		beat(writer);
		watchRead(watch, reader);
		// After the snapshot: not in it; reported now (more than needed) and again at the next read, which sees it.
		watch.beforeSnapshot();
		const after = reader.transaction(() => {
			reader.pragma('schema_version');
			writer.unlock('src/x.ts');
			beat(writer);
			assert.equal(reader.prepare(`SELECT count(*) FROM file_locks`).pluck().get(), 1, 'the snapshot predates the unlock');
			return watch.afterSnapshot();
		})();
		watch.readDone();
		assert.ok(overlaps(after, locks()));
		assert.ok(overlaps(watchRead(watch, reader), locks()), 'the next read reports the unlock');
		close();
	});

	it('a tracked table with no b-tree of its own (a virtual table) is never taken as not written', () => {
		const dbPath = path.join(tempDir('session-status-wal-virtual-'), 'messaging.db');
		const writer = new Database(dbPath);
		writer.pragma('journal_mode = WAL');
		writer.exec(
			`CREATE VIRTUAL TABLE session_registry USING fts5(session_id, status, last_heartbeat); INSERT INTO session_registry VALUES ('a', 'active', '2026-01-01T00:00:00Z')`,
		);
		const reader = new SnapshotReader(openReader(dbPath), dbPath);
		const heartbeat = () => reader.read({now: Date.now(), staleTimeoutMs: 10_000, countHistory: false}).sessions[0].lastHeartbeat.text;
		heartbeat();
		for (const at of ['2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z', '2026-01-01T00:00:03Z']) {
			writer.prepare(`UPDATE session_registry SET last_heartbeat = ?`).run(at);
			assert.equal(heartbeat(), at);
		}
		writer.close();
		reader.db.close();
	});

	it('follows the log beside the file a symbolic link leads to, as SQLite does', () => {
		const {writer, dbPath} = bus();
		const link = path.join(tempDir('session-status-wal-link-'), 'messaging.db');
		fs.symlinkSync(dbPath, link);
		assert.equal(walPathOf(link), `${fs.realpathSync(dbPath)}-wal`);
		const reader = openReader(link);
		const watch = new WalWatch(walPathOf(link));
		watchRead(watch, reader);
		writer.lock('src/x.ts', 'a');
		assert.ok(overlaps(watchRead(watch, reader), pagesOf(writer.db, 'file_locks')));
		writer.close();
		reader.close();
	});

	it('copies padding a synced commit to the sector (powersafe overwrite off) do not pass for a later transaction', () => {
		const dbPath = path.join(tempDir('session-status-wal-pad-'), 'pad.db');
		// better-sqlite3 takes no URI parameters: Python's sqlite3 writes, with psow=0 and a sync at every commit.
		const write = (...transactions: string[]) =>
			execFileSync('python3', ['-c', PAD_WRITER, dbPath, ...transactions], {stdio: ['ignore', 'ignore', 'inherit']});
		// Small pages, so that whole padding frames fit before the next 4 KB sector boundary.
		execFileSync('python3', [
			'-c',
			`import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript("PRAGMA page_size = 1024; PRAGMA journal_mode = WAL; CREATE TABLE file_locks (file_path TEXT PRIMARY KEY, session_id TEXT); CREATE TABLE other (x); INSERT INTO other VALUES (1);")`,
			dbPath,
		]);
		const reader = openReader(dbPath);
		const watch = new WalWatch(`${dbPath}-wal`);
		const frameBytes = 24 + 1024;
		write('UPDATE other SET x = 0');
		// Where the next commit's padding leaves room for a whole frame.
		for (let i = 1; (fs.statSync(`${dbPath}-wal`).size + 5 * frameBytes) % 4096 > 4096 - 2 * frameBytes - 100; i++)
			write(`UPDATE other SET x = ${i}`);
		watchRead(watch, reader);
		watchRead(watch, reader);
		const locks = new Set([...pagesOf(reader, 'file_locks'), ...pagesOf(reader, 'sqlite_autoindex_file_locks_1')]);
		reader.transaction(() => {
			reader.pragma('schema_version');
			// Committed after the snapshot (as when it is not yet published when the snapshot is taken), seen by both scans.
			write(`INSERT INTO file_locks VALUES ('src/x.ts', 'a'); INSERT INTO other SELECT randomblob(900) FROM (SELECT 1 UNION ALL SELECT 2)`);
			watch.beforeSnapshot();
			watch.afterSnapshot();
			watch.readDone();
		})();
		assert.ok(overlaps(watchRead(watch, reader), locks), 'the next read, whose snapshot holds the lock, reports its pages');
		reader.close();
	});

	for (const [what, change] of [
		[
			'restarted by the next writer',
			(writer: BusWriter) => writer.send({senderId: 'a', recipientId: 'b', channel: 'direct', payload: {text: 'x'.repeat(40_000)}}),
		],
		['truncated to nothing', (writer: BusWriter) => writer.db.pragma('wal_checkpoint(TRUNCATE)')],
	] as const) {
		it(`a log ${what} while the second scan reads it: unknown, not "nothing written"`, () => {
			const {writer, reader, watch, close} = watchedBus();
			writer.db.pragma('wal_checkpoint(TRUNCATE)');
			beat(writer);
			watchRead(watch, reader);
			beat(writer);
			watchRead(watch, reader);
			watch.beforeSnapshot();
			// After the first scan and before the snapshot: a lock, checkpointed into the database file.
			writer.lock('src/x.ts', 'a');
			writer.db.pragma('wal_checkpoint(PASSIVE)');
			const readSync = fs.readSync;
			let changed = false;
			// Once the second scan has read the log header, the log changes under the frames it is about to read.
			fs.readSync = ((fd: number, buffer: NodeJS.ArrayBufferView, offset: number, length: number, position: number) => {
				const got = readSync(fd, buffer, offset, length, position);
				if (!changed && length === 32 && position === 0) {
					changed = true;
					change(writer);
				}
				return got;
			}) as typeof fs.readSync;
			try {
				const pages = reader.transaction(() => {
					assert.equal(reader.prepare(`SELECT count(*) FROM file_locks`).pluck().get(), 1, 'the snapshot holds the lock');
					return watch.afterSnapshot();
				})();
				assert.ok(changed);
				assert.equal(pages, null);
			} finally {
				fs.readSync = readSync;
			}
			close();
		});
	}

	it('a log restarted or truncated by a checkpoint, or gone, makes one read unknown', () => {
		const {writer, dbPath, reader, watch, close} = watchedBus();
		watchRead(watch, reader);
		for (const mode of ['RESTART', 'TRUNCATE']) {
			writer.lock(`src/${mode}.ts`, 'a');
			writer.db.pragma(`wal_checkpoint(${mode})`);
			beat(writer);
			assert.equal(watchRead(watch, reader), null, mode);
			beat(writer);
			assert.ok(watchRead(watch, reader) !== null, `${mode}: known again at the next read`);
		}
		writer.db.pragma('wal_checkpoint(TRUNCATE)');
		assert.equal(fs.statSync(`${dbPath}-wal`).size, 0);
		assert.equal(watchRead(watch, reader), null, 'an empty log');
		close();
	});

	it('frames that fail the checksum or carry old salts count for nothing, commit frame or not', () => {
		const {writer, dbPath, reader, watch, close} = watchedBus();
		writer.lock('src/x.ts', 'a');
		watchRead(watch, reader);
		watchRead(watch, reader);
		const wal = fs.readFileSync(`${dbPath}-wal`);
		const pageSize = wal.readUInt32BE(8);
		const frameBytes = 24 + pageSize;
		const lastFrame = wal.subarray(wal.length - frameBytes);
		assert.notEqual(lastFrame.readUInt32BE(4), 0, 'the last frame ends a commit');
		// A copy of the last commit frame, for page 99, its data torn: the checksum fails.
		const torn = Buffer.from(lastFrame);
		torn.writeUInt32BE(99, 0);
		torn[24 + 100] ^= 0xff;
		// With the salts of another generation.
		const stale = Buffer.from(lastFrame);
		stale.writeUInt32BE(98, 0);
		stale.writeUInt32BE((stale.readUInt32BE(8) ^ 1) >>> 0, 8);
		for (const frame of [torn, stale]) {
			fs.appendFileSync(`${dbPath}-wal`, frame);
			const pages = watchRead(watch, reader);
			assert.ok(pages !== null && !pages.has(99) && !pages.has(98), `not counted: ${[...(pages ?? [])].join(', ')}`);
			fs.truncateSync(`${dbPath}-wal`, wal.length);
		}
		close();
	});

	it('a last commit never published and overwritten by the next writer: the commit that overwrote it is reported', () => {
		const {writer, dbPath, reader, watch, close} = watchedBus();
		for (let i = 0; i < 3; i++) {
			beat(writer);
			watchRead(watch, reader);
		}
		// A writer that wrote its commit frame and died before publishing it: a valid frame the wal-index does not count.
		const wal = fs.readFileSync(`${dbPath}-wal`);
		const pageSize = wal.readUInt32BE(8);
		const last = wal.subarray(wal.length - 24 - pageSize);
		const word = (bytes: Buffer, at: number) => ((wal.readUInt32BE(0) & 1) === 0 ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
		const unpublished = Buffer.from(last);
		let [s0, s1] = [last.readUInt32BE(16), last.readUInt32BE(20)];
		for (const [from, to] of [
			[0, 8],
			[24, 24 + pageSize],
		] as const) {
			for (let at = from; at < to; at += 8) {
				s0 = (s0 + word(unpublished, at) + s1) >>> 0;
				s1 = (s1 + word(unpublished, at + 4) + s0) >>> 0;
			}
		}
		unpublished.writeUInt32BE(s0, 16);
		unpublished.writeUInt32BE(s1, 20);
		fs.appendFileSync(`${dbPath}-wal`, unpublished);
		watch.beforeSnapshot();
		// The next writer starts where the wal-index ends: over the unpublished frame.
		writer.lock('src/x.ts', 'a');
		const pages = reader.transaction(() => {
			assert.equal(reader.prepare(`SELECT count(*) FROM file_locks`).pluck().get(), 1, 'the snapshot holds the lock');
			return watch.afterSnapshot();
		})();
		watch.readDone();
		assert.ok(
			pages === null || overlaps(pages, pagesOf(writer.db, 'file_locks')),
			`reported or unknown: ${pages ? [...pages].join(', ') : 'unknown'}`,
		);
		close();
	});

	it('more new frames at once than a scan may read leave the log unknown until it restarts, then known', () => {
		const {writer, dbPath} = bus();
		const reader = openReader(dbPath);
		const watch = new WalWatch(`${dbPath}-wal`, {maxBytes: 8 * (24 + 4096)});
		watchRead(watch, reader);
		for (let i = 0; i < 12; i++) writer.lock(`src/${i}.ts`, 'a');
		assert.deepEqual([watchRead(watch, reader), watchRead(watch, reader)], [null, null]);
		writer.db.pragma('wal_checkpoint(RESTART)');
		beat(writer);
		assert.equal(watchRead(watch, reader), null, 'the new generation: the first read takes its position');
		beat(writer);
		assert.ok(overlaps(watchRead(watch, reader), pagesOf(writer.db, 'session_registry')));
		writer.close();
		reader.close();
	});
});

describe('a reader trusting the log', () => {
	const read = (reader: SnapshotReader, now: number) => reader.read({now, staleTimeoutMs: 10_000, countHistory: false});
	const comparable = (snapshot: BusSnapshot) => {
		const {takenAt: _takenAt, database: _database, counts: _counts, ...rest} = snapshot;
		return structuredClone(rest);
	};

	it('reads what a fresh reader reads, after bursts of commits by another process made while it read', {timeout: 120_000}, async t => {
		const {writer, dbPath} = bus();
		writer.close();
		const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'wal-writer.ts'), dbPath], {
			cwd: ROOT,
			stdio: ['pipe', 'pipe', 'inherit'],
		});
		const lines = readline.createInterface({input: child.stdout})[Symbol.asyncIterator]();
		const next = async () => (await lines.next()).value as string;
		try {
			assert.equal(await next(), 'ready');
			const live = new SnapshotReader(openReader(dbPath), dbPath);
			// How many reads the log answered (the rest read everything): the test must exercise both.
			// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its receiver
			const afterSnapshot = WalWatch.prototype.afterSnapshot;
			let answered = 0;
			WalWatch.prototype.afterSnapshot = function (this: WalWatch) {
				const pages = afterSnapshot.call(this);
				if (pages !== null) answered++;
				return pages;
			};
			t.after(() => (WalWatch.prototype.afterSnapshot = afterSnapshot));
			let reads = 0;
			for (let burst = 1; burst <= 150; burst++) {
				child.stdin.write(`${burst} ${1 + (burst % 7)}\n`);
				const done = next();
				let finished = false;
				void done.then(() => (finished = true));
				// Read as fast as possible while the writer commits.
				while (!finished) {
					read(live, Date.now());
					reads++;
					await new Promise(resolve => setImmediate(resolve));
				}
				const now = Date.now();
				reads++;
				const fresh = new SnapshotReader(openReader(dbPath), dbPath, {reuseRows: false});
				assert.deepEqual(comparable(read(live, now)), comparable(read(fresh, now)), `after burst ${burst}`);
				fresh.db.close();
			}
			assert.ok(answered > reads / 4 && answered < reads, `${answered} of ${reads} reads answered by the log`);
			live.db.close();
		} finally {
			child.stdin.end();
			child.kill();
		}
	});
});
