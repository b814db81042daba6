/**
 * Builds the benchmark buses, one per shape and size (bench/lib/shapes.ts): the canonical schema and indexes of BusWriter
 * (CANONICAL_SCHEMA; the finished file is opened once with BusWriter, which
 * leaves it in WAL mode with every table and index of the contract), filled with
 * raw SQL in one transaction through prepared statements, indexes created after the
 * rows (a 1M-message bus builds in about 25 s on the 2-core machine; BusWriter.send
 * row by row, one transaction each, would take many minutes).
 *
 * Every size of a shape holds the same sessions, locks and claims and exactly the
 * shape's open (pending or delivered) messages; the sizes differ only in history
 * ('read'). Legacy rows (message_type NULL) are stored as 'read' so that the open count
 * is exactly the same at every size (a real bus whose v2 columns came by ALTER TABLE
 * would show them as 'pending'; they are never unread either way). A twin shape is its
 * shape's bus with one change made (see `deriveTwin`).
 *
 * Files are cached in bench/cache/ under a name holding BUS_VERSION, the shape, the
 * size and this host's name (one of the 7 machines is this host), so a second run
 * starts at once. `prepareBus` copies a cached bus to a working file and makes it
 * current: heartbeats, PIDs (see there).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {CANONICAL_SCHEMA, OWN_INDEXES, introspect} from '../source/bus/schema.js';
import {BusWriter} from '../source/bus/writer.js';
import {SHAPES, type Shape, type ShapeName, openCount} from './lib/shapes.js';

export const BUS_VERSION = 'v3';
export const MACHINES = 7;

export const CACHE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cache');

const DAY = 86_400_000;
const VENDORS: Array<[string, string[]]> = [
	['claude', ['opus-4.6', 'sonnet-4.5', 'haiku-4.5']],
	['codex', ['o3', 'gpt-5-codex']],
	['gemini', ['gemini-2.5-pro', 'gemini-2.5-flash']],
];
const PROJECTS = [
	'PILOT',
	'CORE',
	'ROLLOUT',
	'DOCS',
	'INFRA',
	'WEB',
	'MOBILE',
	'DATA',
	'SEARCH',
	'BILLING',
	'AUTH',
	'INFRA-2',
	'OPS',
	'QA',
	'ML',
	'API',
	'CLI',
	'SDK',
	'UI',
	'EDGE',
];
const ALERT_TYPES = ['project_conflict', 'task_conflict', 'cwd_overlap', 'file_conflict'];
const ALERT_ACTIONS: Record<string, string> = {
	project_conflict: 'Coordinate task boundaries to avoid overlap',
	task_conflict: 'One session should release the task',
	cwd_overlap: 'One session should work in a subdirectory',
	file_conflict: 'Unlock the file before the other session edits it',
};
const COORDINATION_CHANNELS = ['direct', 'coordination', 'task_updates', 'handoff'];
const COORDINATION_TYPES = ['message', 'request', 'response', 'handoff', 'status'];
const LEGACY_CHANNELS = ['broadcast', 'general', 'sync'];

/** Deterministic PRNG (mulberry32): every build of a size is the same bus. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A session's place in its shape: heartbeating, stale (still 'active', heartbeats hours old), or ended. */
export type SessionState = 'live' | 'stale' | 'ended';

export type SessionPlan = {
	sessionId: string;
	state: SessionState;
	machine: number;
	hostname: string;
	cwd: string;
	projectId: string | null;
};

export function hostnames(): string[] {
	const local = os.hostname();
	const others = [
		'halcasteel.local',
		'build-01',
		'build-02',
		'mbp-anna.local',
		'devbox-7',
		'ci-runner-3',
		'workstation-12',
		'laptop-z',
	].filter(name => name !== local);
	return [local, ...others.slice(0, MACHINES - 1)];
}

function uuid(random: () => number): string {
	const hex = (n: number) => Array.from({length: n}, () => Math.floor(random() * 16).toString(16)).join('');
	return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

/** The cached file of a shape and size; today's shape keeps the name it had before there were shapes. */
export function busPath(shape: Shape, messages: number): string {
	const host = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
	const name = shape.name === 'fresh' ? '' : `${shape.name}-`;
	return path.join(CACHE_DIR, `bus-${BUS_VERSION}-${name}${messages}-${host}.db`);
}

/** Session i: live, then stale, then ended, by the shape's counts; machine i % 7, machine 0 = this host. */
export function sessionPlan(shape: Shape): SessionPlan[] {
	const random = prng(7);
	const hosts = hostnames();
	const plans: SessionPlan[] = [];
	for (let i = 0; i < shape.live + shape.stale + shape.ended; i++) {
		const [vendor] = VENDORS[i % VENDORS.length];
		const machine = i % MACHINES;
		const project = random() < 0.1 ? null : PROJECTS[Math.floor(random() * PROJECTS.length)];
		plans.push({
			// '{vendor}-{pid}': a plausible, unique pid-like suffix.
			sessionId: `${vendor}-${10_000 + i * 37}`,
			state: i < shape.live ? 'live' : i < shape.live + shape.stale ? 'stale' : 'ended',
			machine,
			hostname: hosts[machine],
			projectId: project,
			cwd: `/home/dev${machine}/projects/${(project ?? 'scratch').toLowerCase()}${random() < 0.3 ? `/submodules/core/pkg-${i % 13}` : ''}`,
		});
	}
	return plans;
}

export type BuildResult = {path: string; seconds: number; cached: boolean; bytes: number};

/** Returns the cached bus of this shape and size, building it (and, for a twin, its shape's bus) first if needed. */
export function ensureBus(shape: Shape, messages: number, log: (line: string) => void = () => {}): BuildResult {
	const target = busPath(shape, messages);
	if (fs.existsSync(target)) {
		withOwnIndexes(target, log);
		return {path: target, seconds: 0, cached: true, bytes: fs.statSync(target).size};
	}
	const base = shape.twin ? ensureBus(SHAPES[shape.twin.of], messages, log) : null;
	fs.mkdirSync(CACHE_DIR, {recursive: true});
	// Left over by an interrupted build.
	for (const name of fs.readdirSync(CACHE_DIR))
		if (name.startsWith(`${path.basename(target)}.building-`)) fs.rmSync(path.join(CACHE_DIR, name), {force: true});
	const temporary = `${target}.building-${process.pid}`;
	const started = performance.now();
	log(`building ${path.basename(target)} (${shape.name}, ${messages.toLocaleString('en-US')} messages)…`);
	if (base && shape.twin) deriveTwin(base.path, temporary, shape.twin.change);
	else build(temporary, shape, messages);
	fs.renameSync(temporary, target);
	const seconds = (performance.now() - started) / 1000;
	log(`built in ${seconds.toFixed(1)} s`);
	return {path: target, seconds, cached: false, bytes: fs.statSync(target).size};
}

/**
 * A bus cached before the project added an index of its own gets it as a user's bus would:
 * the project's writer, opened on it, creates what is missing.
 */
function withOwnIndexes(file: string, log: (line: string) => void): void {
	const db = new Database(file, {readonly: true});
	const present = introspect(db).ownIndexes;
	db.close();
	const missing = Object.keys(OWN_INDEXES).filter(name => !present.has(name as keyof typeof OWN_INDEXES));
	if (missing.length === 0) return;
	log(`adding ${missing.join(', ')} to ${path.basename(file)} (the project's writer, opened once)`);
	new BusWriter(file).close();
}

/** A twin: a copy of its shape's bus with one change, so that the two differ in that alone. */
function deriveTwin(base: string, file: string, change: NonNullable<Shape['twin']>['change']): void {
	fs.copyFileSync(base, file);
	const db = new Database(file);
	if (change === 'keep-every-tenth-open') {
		db.prepare(
			`UPDATE session_messages SET status = 'read', delivered_at = coalesce(delivered_at, created_at), read_at = created_at
			 WHERE status IN ('pending', 'delivered') AND id % 10 <> 0`,
		).run();
	} else {
		db.prepare(`DELETE FROM session_registry WHERE status = 'ended'`).run();
		db.exec('VACUUM');
	}
	db.exec('ANALYZE');
	db.close();
}

/** Seeds by shape, so that each shape's buses are their own and today's stay as they were. */
const SEEDS: Record<string, number> = {fresh: 0, neglected: 1 << 24, 'long-lived': 2 << 24};

function build(file: string, shape: Shape, messageCount: number): void {
	const random = prng(messageCount + (SEEDS[shape.name] ?? 3 << 24));
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
	const db = new Database(file);
	db.pragma('journal_mode = OFF');
	db.pragma('synchronous = OFF');
	db.pragma('cache_size = -1000000');
	db.pragma('temp_store = MEMORY');
	// Tables first; the indexes after the bulk insert (same statements, much faster).
	const statements = CANONICAL_SCHEMA.split(';')
		.map(s => s.trim())
		.filter(Boolean);
	for (const statement of statements.filter(s => s.startsWith('CREATE TABLE'))) db.exec(statement);

	const t0 = performance.now();
	const now = Date.now();
	const iso = (ms: number) => new Date(ms).toISOString();
	const plans = sessionPlan(shape);
	const machineUuids = Array.from({length: MACHINES}, () => uuid(random));
	// Registered as 'active': the live sessions and the stale ones, which were never released.
	const active = plans.filter(plan => plan.state !== 'ended');
	const ended = plans.filter(plan => plan.state === 'ended');
	// 97% of locks and claims are held by active sessions, 3% left behind by ended ones (orphaned).
	const holder = () =>
		random() < 0.97 || ended.length === 0 ? active[Math.floor(random() * active.length)] : ended[Math.floor(random() * ended.length)];

	const insertSession = db.prepare(
		`INSERT INTO session_registry (session_id, session_uuid, machine_uuid, hostname, llm_vendor, llm_model, project_id, tty, cwd, pid, status, registered_at, last_heartbeat, metadata)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	);
	const insertClaim = db.prepare(
		`INSERT INTO task_claims (task_id, session_id, claim_type, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
	);
	const insertLock = db.prepare(`INSERT INTO file_locks (file_path, session_id, lock_type, locked_at, expires_at) VALUES (?, ?, ?, ?, ?)`);
	const insertMessage = db.prepare(
		`INSERT INTO session_messages (sender_id, channel, payload, created_at, ttl_seconds, sender_session_uuid, recipient_id, message_type, priority, status, project_id, task_id, activity, reply_to, expires_at, delivered_at, read_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	);

	db.transaction(() => {
		let previousUuid = uuid(random);
		plans.forEach((plan, i) => {
			const [vendor, models] = VENDORS[i % VENDORS.length];
			// Every 12th session continues the previous one (/continue siblings share a UUID).
			const sessionUuid = i % 12 === 11 ? previousUuid : uuid(random);
			previousUuid = sessionUuid;
			const registered = now - Math.floor(random() * shape.registeredWithinDays * DAY) - 3_600_000;
			insertSession.run(
				plan.sessionId,
				sessionUuid,
				machineUuids[plan.machine],
				plan.hostname,
				vendor,
				random() < 0.1 ? null : pick(models),
				plan.projectId,
				random() < 0.5 ? `/dev/pts/${i % 40}` : null,
				plan.cwd,
				// Real PIDs are assigned by prepareBus (local sessions); remote ones keep these.
				100_000 + i,
				plan.state === 'ended' ? 'ended' : 'active',
				iso(registered),
				// Set by prepareBus before measuring: live ones within the last two minutes, stale ones hours ago.
				iso(plan.state === 'ended' ? registered + 3_600_000 : now),
				random() < 0.3 ? JSON.stringify({client: 'session_message_bus.py', version: '2.3.1'}) : null,
			);
		});

		for (let i = 0; i < shape.claims; i++) {
			const claimant = holder();
			const claimed = now - Math.floor(random() * 2 * DAY);
			const expiry = random();
			insertClaim.run(
				`${String.fromCharCode(65 + (i % 26))}.${Math.floor(i / 26)}.${i % 10}`,
				claimant.sessionId,
				random() < 0.85 ? 'exclusive' : 'shared',
				iso(claimed),
				expiry < 0.5 ? null : expiry < 0.9 ? iso(now + 3650 * DAY) : iso(claimed + 3_600_000),
			);
		}

		for (let i = 0; i < shape.locks; i++) {
			const locker = holder();
			const locked = now - Math.floor(random() * DAY);
			// Mostly absolute file paths, some repo-relative; every 250th lock is a whole directory
			// (which conflicts with the file locks inside it held by other sessions).
			const filePath =
				i % 250 === 0
					? `${locker.cwd}/src/module-${i / 250}`
					: i % 10 === 3
						? `src/module-${i % 40}/file-${i}.ts`
						: `${locker.cwd}/src/module-${i % 40}/file-${i}.ts`;
			const expiry = random();
			insertLock.run(
				filePath,
				locker.sessionId,
				random() < 0.9 ? 'exclusive' : 'shared',
				iso(locked),
				expiry < 0.6 ? null : expiry < 0.95 ? iso(now + 3650 * DAY) : iso(locked + 600_000),
			);
		}

		// Messages: kind by share, open ones chosen up front (exactly the shape's, all v2),
		// mostly among the newest rows, a fifth anywhere in the history.
		const kinds: Uint8Array = new Uint8Array(messageCount); // 0 coordination, 1 lifecycle, 2 legacy, 3 alert
		for (let i = 0; i < messageCount; i++) {
			const r = random();
			kinds[i] = r < 0.6 ? 0 : r < 0.8 ? 1 : r < 0.95 ? 2 : 3;
		}
		const wanted = [shape.open.coordination, shape.open.lifecycle, 0, shape.open.alert];
		const openTotal = openCount(shape);
		if (openTotal > messageCount) throw new Error(`${openTotal} open messages do not fit in ${messageCount}`);
		const open = new Map<number, 'pending' | 'delivered'>();
		const taken = [0, 0, 0, 0];
		const room = (kind: number) => wanted[kind] - taken[kind];
		const recentFrom = Math.max(0, messageCount - Math.max(5000, Math.floor(messageCount * 0.05)));
		let guard = 0;
		while (open.size < openTotal && guard++ < 50_000_000) {
			const index = random() < 0.8 ? recentFrom + Math.floor(random() * (messageCount - recentFrom)) : Math.floor(random() * messageCount);
			if (open.has(index)) continue;
			// Where the open messages are most of the bus, a row becomes the kind with the most room left.
			if (room(kinds[index]) <= 0 && shape.openRowsTakeAnyKind) kinds[index] = [0, 1, 3].reduce((a, b) => (room(b) > room(a) ? b : a));
			const kind = kinds[index];
			if (room(kind) <= 0) continue;
			taken[kind]++;
			open.set(index, random() < 0.7 ? 'pending' : 'delivered');
		}
		if (open.size !== openTotal) throw new Error(`could not place ${openTotal} open messages in ${messageCount}`);

		const span = 180 * DAY;
		const start = now - span;
		for (let i = 0; i < messageCount; i++) {
			const at = start + Math.floor((span * i) / messageCount);
			const created = iso(at);
			const kind = kinds[i];
			const openStatus = open.get(i);
			const status = openStatus ?? 'read';
			const sender = plans[Math.floor(random() * plans.length)];
			const delivered = status === 'pending' ? null : iso(at + 5000);
			const read = status === 'read' ? iso(at + 60_000) : null;
			if (kind === 0) {
				const recipient = active[Math.floor(random() * active.length)];
				const channel = pick(COORDINATION_CHANNELS);
				const task = random() < 0.5 ? `H.${i % 97}.${i % 7}` : null;
				// A few open ones carry a TTL that has run out: they are no longer unread.
				const ttl = openStatus && random() < 0.03 ? 60 : random() < 0.1 ? 86_400 : null;
				insertMessage.run(
					sender.sessionId,
					channel,
					JSON.stringify({
						text: `Coordinating on ${task ?? 'shared work'}: please hold edits to module-${i % 40} until the refactor lands (#${i}).`,
						files: [`src/module-${i % 40}/file-${i % 997}.ts`],
						step: i % 5,
					}),
					created,
					ttl,
					null,
					recipient.sessionId,
					pick(COORDINATION_TYPES),
					Math.floor(random() * 4),
					status,
					sender.projectId,
					task,
					random() < 0.3 ? 'editing' : null,
					random() < 0.2 && i > 0 ? i : null,
					null,
					delivered,
					read,
				);
			} else if (kind === 1) {
				const event = random() < 0.45 ? 'started' : random() < 0.8 ? 'ended' : 'resumed';
				insertMessage.run(
					sender.sessionId,
					'session_lifecycle',
					JSON.stringify({
						session_id: sender.sessionId,
						project_id: sender.projectId,
						cwd: sender.cwd,
						reason: event === 'ended' ? 'session ended normally' : null,
					}),
					created,
					null,
					null,
					null,
					event,
					1,
					status,
					sender.projectId,
					null,
					null,
					null,
					null,
					delivered,
					read,
				);
			} else if (kind === 2) {
				insertMessage.run(
					sender.sessionId,
					pick(LEGACY_CHANNELS),
					JSON.stringify({event: 'heartbeat-note', from: sender.sessionId, detail: `legacy v1 message #${i}`}),
					created,
					random() < 0.5 ? 3600 : null,
					null,
					null,
					null,
					1,
					'read',
					null,
					null,
					null,
					null,
					null,
					null,
					null,
				);
			} else {
				const type = pick(ALERT_TYPES);
				const other = active[Math.floor(random() * active.length)];
				const payload: Record<string, unknown> = {sessions: [sender.sessionId, other.sessionId], action: ALERT_ACTIONS[type]};
				if (type === 'project_conflict') payload['project_id'] = sender.projectId ?? 'PILOT';
				if (type === 'cwd_overlap') payload['cwd'] = sender.cwd;
				if (type === 'file_conflict') payload['file_path'] = `${sender.cwd}/src/module-${i % 40}/file-${i % 997}.ts`;
				if (type === 'task_conflict') payload['task_id'] = `H.${i % 97}.${i % 7}`;
				insertMessage.run(
					'conflict-detector',
					'operator_alerts',
					JSON.stringify(payload),
					created,
					null,
					null,
					null,
					type,
					type === 'project_conflict' && random() < shape.criticalProjectConflicts ? 3 : 2,
					status,
					payload['project_id'] ?? null,
					payload['task_id'] ?? null,
					null,
					null,
					null,
					delivered,
					read,
				);
			}
		}
	})();

	const t1 = performance.now();
	for (const statement of statements.filter(s => s.startsWith('CREATE INDEX'))) db.exec(statement);
	const t2 = performance.now();
	db.exec('ANALYZE');
	if (process.env['BENCH_DEBUG'])
		console.log(`rows ${(t1 - t0).toFixed(0)} ms, indexes ${(t2 - t1).toFixed(0)} ms, analyze ${(performance.now() - t2).toFixed(0)} ms`);
	db.close();
	// The project's writer opens it once: canonical schema (all IF NOT EXISTS) and WAL mode.
	new BusWriter(file).close();
}

/** A live session is an active one that heartbeated within the last hour; a stale one's heartbeat is hours old. */
const LIVE = `status = 'active' AND last_heartbeat >= strftime('%Y-%m-%dT%H:%M:%fZ', ? / 1000.0 - 3600, 'unixepoch')`;
/** A heartbeat `seconds` (an SQL expression) before `now` (ms), less 1.1 s per rowid modulo 100, so that ages differ as on a real bus. */
const BEFORE = (seconds: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ? / 1000.0 - (${seconds}) - (rowid % 100) * 1.1, 'unixepoch')`;

/** The live sessions' ids, the ones the bench's writes act for. */
export function liveSessionIds(db: Database.Database, now = Date.now()): string[] {
	return db.prepare(`SELECT session_id FROM session_registry WHERE ${LIVE} ORDER BY rowid`).pluck().all(now) as string[];
}

/**
 * The one UPDATE: every live session's last_heartbeat within the last two minutes
 * (spread over 0-109 s ago). Run before measuring; stale sessions stay as they are.
 */
export function freshenHeartbeats(file: string, now = Date.now()): void {
	const db = new Database(file);
	db.pragma('busy_timeout = 2000');
	db.prepare(`UPDATE session_registry SET last_heartbeat = ${BEFORE('0')} WHERE ${LIVE}`).run(now, now);
	db.close();
}

export type Prepared = {
	path: string;
	shape: Shape;
	/** Sessions on this host and what their PIDs are. */
	local: {alive: number; dead: number; self: number};
	/** Child processes standing in for the live local agents; kill with `stop()`. */
	stop: () => void;
};

/**
 * Copies a cached bus to a working file (the cache stays untouched by the writes of
 * the benchmark) and makes it current:
 * - the shape's live sessions (its first, in rowid order) heartbeated within the last two
 *   minutes, its stale ones 2 to 26 hours ago;
 * - local live sessions (this host's) get real PIDs: two thirds are live child processes
 *   (`sleep`) started just before, registered_at = now so they are not judged PID
 *   reuse; one is this benchmark process (so the dashboard finds "THIS SESSION" by
 *   walking up its ancestors); the other third get PIDs of processes that have
 *   exited (dead), as a real bus accumulates; local stale sessions get dead PIDs.
 *   Remote sessions keep their PIDs (not checkable). So the liveness path does what it
 *   does on a real machine: `kill(pid, 0)` for the local PIDs, a process-table scan
 *   when one is new.
 */
export async function prepareBus(
	cached: string,
	shape: Shape,
	workDir: string,
	spawnSleeper: () => Promise<{pid: number; kill: () => void}>,
	deadPid: () => Promise<number>,
): Promise<Prepared> {
	fs.mkdirSync(workDir, {recursive: true});
	const file = path.join(workDir, path.basename(cached));
	for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, {force: true});
	fs.copyFileSync(cached, file);
	const db = new Database(file);
	db.pragma('journal_mode = WAL');
	const now = Date.now();
	const active = db.prepare(`SELECT rowid, hostname FROM session_registry WHERE status = 'active' ORDER BY rowid`).all() as Array<{
		rowid: number;
		hostname: string;
	}>;
	const lastLive = active[shape.live - 1]?.rowid ?? 0;
	db.transaction(() => {
		db.prepare(`UPDATE session_registry SET last_heartbeat = ${BEFORE('0')} WHERE status = 'active' AND rowid <= ?`).run(now, lastLive);
		const hoursAgo = BEFORE('7200 + (rowid % 97) * 900');
		db.prepare(`UPDATE session_registry SET last_heartbeat = ${hoursAgo} WHERE status = 'active' AND rowid > ?`).run(now, lastLive);
	})();
	const local = active.filter(session => session.hostname === os.hostname());
	const sleepers: Array<{pid: number; kill: () => void}> = [];
	const assignments: Array<{rowid: number; pid: number}> = [];
	let alive = 0;
	let dead = 0;
	for (const [index, {rowid}] of local.entries()) {
		if (rowid > lastLive) {
			assignments.push({rowid, pid: await deadPid()});
			dead++;
		} else if (index === 0) {
			assignments.push({rowid, pid: process.pid});
		} else if (index % 3 === 2) {
			assignments.push({rowid, pid: await deadPid()});
			dead++;
		} else {
			const sleeper = await spawnSleeper();
			sleepers.push(sleeper);
			assignments.push({rowid, pid: sleeper.pid});
			alive++;
		}
	}
	// Let the processes' start times (1 s resolution in ps) fall before registration.
	await new Promise(resolve => setTimeout(resolve, 1100));
	const registered = new Date(Date.now()).toISOString();
	const setPid = db.prepare(`UPDATE session_registry SET pid = ?, registered_at = ? WHERE rowid = ?`);
	const setDeadPid = db.prepare(`UPDATE session_registry SET pid = ? WHERE rowid = ?`);
	db.transaction(() => {
		for (const {rowid, pid} of assignments) {
			if (rowid > lastLive) setDeadPid.run(pid, rowid);
			else setPid.run(pid, registered, rowid);
		}
	})();
	db.close();
	freshenHeartbeats(file);
	return {
		path: file,
		shape,
		local: {alive, dead, self: 1},
		stop: () => {
			for (const sleeper of sleepers) sleeper.kill();
		},
	};
}

// `node --import tsx bench/build-bus.ts [shape] [sizes...]` builds (or finds) the cached buses (every shape by default).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const args = process.argv.slice(2);
	const shapes = args.filter(arg => arg in SHAPES).map(arg => SHAPES[arg as ShapeName]);
	const sizes = args.map(Number).filter(n => n > 0);
	for (const shape of shapes.length > 0 ? shapes : Object.values(SHAPES)) {
		for (const size of sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000]) {
			const result = ensureBus(shape, size, line => console.log(line));
			console.log(
				`${result.path} ${(result.bytes / 1e6).toFixed(1)} MB${result.cached ? ' (cached)' : ` built in ${result.seconds.toFixed(1)} s`}`,
			);
		}
	}
}
