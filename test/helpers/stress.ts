import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {performance} from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {BusWriter} from '../../source/bus/writer.js';
import {LiveBus} from '../../source/monitor/live.js';
import {BusMonitor, type Reading} from '../../source/monitor/monitor.js';
import type {BusSnapshot} from '../../source/bus/types.js';
import type {WriterReport} from './stress-writer.js';

/**
 * The load test shared by `test/stress.test.ts` (5 s) and `npm run stress` (30 s):
 * WRITERS agent processes hammer one bus through the bus writer while, in this
 * process, the dashboard's own code path (a LiveBus: tick, markShown,
 * acknowledge) runs as fast as it can. Triggers the run installs on the bus record
 * every delivery-state change, every session status change and every deleted lock
 * or claim, so afterwards we can prove what happened, not guess it.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRITER_SCRIPT = path.join(ROOT, 'test', 'helpers', 'stress-writer.ts');

export type StressOptions = {
	durationMs: number;
	writers?: number;
	/** Pause between two operations of one writer (heartbeats come on top, every 100 ms). */
	gapMs?: number;
	/** Folder for the database; a fresh temporary one when omitted (removed afterwards). */
	dir?: string;
	/** Pause between two dashboard ticks; 0 (default) = as fast as it can. */
	idleMs?: number;
	/** Run the writers at this nice level (default 10; 0 = same priority as the dashboard). */
	writerNice?: number;
	log?: (line: string) => void;
};

/** A pause of the event loop: how long, the CPU this process used meanwhile, and when (ms into the run). */
export type Gap = {wallMs: number; cpuMs: number; atMs: number};

export type StressReport = {
	dbPath: string;
	durationMs: number;
	writers: WriterReport[];
	writerExitCodes: Array<number | null>;
	writerStderr: string[];
	totalOps: number;
	opsPerSecond: number;
	opsByKind: Record<string, number>;
	writerFailures: {busy: number; other: number};
	writerErrors: string[];
	slowestWriterOpMs: number;
	dashboard: {
		ticks: number;
		refreshes: number;
		refreshesPerSecond: number;
		slowestRefreshMs: number;
		medianRefreshMs: number;
		p99RefreshMs: number;
		readErrors: string[];
		markDelivered: {calls: number; changed: number; failures: string[]};
		acknowledge: {calls: number; changed: number; ids: number; failures: string[]};
		/** Status seen going backwards between two readings of the dashboard (id: from -> to). */
		observedBackwards: string[];
		maxGapMs: number;
		/** The longest gap's CPU time in this process: a gap with little CPU was the OS, not our code. */
		maxGap: Gap;
		gapsOver100ms: Gap[];
		maxCpuInGapMs: number;
	};
	checks: {
		/** Rows the triggers recorded: a message moved backwards, a read_at/delivered_at rewritten, a session's status changed. */
		violations: string[];
		transitions: Record<string, number>;
		acknowledgedNotRead: number[];
		/** Alerts in state read that the dashboard never acknowledged (only it acknowledges alerts). */
		readAlertsNotAcknowledged: number;
		sessionsNotActive: string[];
		endedEvents: number;
		/** Claims and locks a writer still held at exit that are gone or held by another session. */
		missingHolds: string[];
		/** Per writer: deletes the triggers saw vs. releases the writer made itself. */
		foreignDeletes: string[];
		/** Parts of the snapshot in which the dashboard's reader, which reads again only what changed, differs from a fresh read after the run. */
		staleAfterRun: string[];
		walBytes: number;
		dbBytes: number;
		messages: number;
	};
};

const RANK = `CASE %s WHEN 'pending' THEN 0 WHEN 'delivered' THEN 1 WHEN 'read' THEN 2 WHEN 'expired' THEN 3 ELSE -1 END`;

/** Audit tables and triggers: they live in the bus itself, so every connection's writes are seen. */
const AUDIT = `
CREATE TABLE stress_violations (what TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE stress_transitions (k TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE stress_deletes (kind TEXT NOT NULL, key TEXT NOT NULL, session_id TEXT);
CREATE TRIGGER stress_backwards AFTER UPDATE ON session_messages
WHEN (${RANK.replace('%s', 'NEW.status')}) < (${RANK.replace('%s', 'OLD.status')})
  OR (OLD.read_at IS NOT NULL AND NEW.read_at IS NOT OLD.read_at)
  OR (OLD.delivered_at IS NOT NULL AND NEW.delivered_at IS NOT OLD.delivered_at)
  OR (NEW.status = 'read' AND NEW.read_at IS NULL)
  OR (NEW.status = 'delivered' AND NEW.delivered_at IS NULL)
BEGIN
  INSERT INTO stress_violations VALUES ('message', 'id ' || OLD.id || ': ' || OLD.status || ' -> ' || NEW.status || ', read_at ' || ifnull(OLD.read_at, 'NULL') || ' -> ' || ifnull(NEW.read_at, 'NULL') || ', delivered_at ' || ifnull(OLD.delivered_at, 'NULL') || ' -> ' || ifnull(NEW.delivered_at, 'NULL'));
END;
CREATE TRIGGER stress_transition AFTER UPDATE OF status ON session_messages WHEN NEW.status IS NOT OLD.status
BEGIN
  INSERT OR IGNORE INTO stress_transitions VALUES (OLD.status || ' -> ' || NEW.status, 0);
  UPDATE stress_transitions SET n = n + 1 WHERE k = OLD.status || ' -> ' || NEW.status;
END;
CREATE TRIGGER stress_session_status AFTER UPDATE OF status ON session_registry WHEN NEW.status IS NOT OLD.status
BEGIN
  INSERT INTO stress_violations VALUES ('session', OLD.session_id || ': ' || OLD.status || ' -> ' || NEW.status);
END;
CREATE TRIGGER stress_lock_deleted AFTER DELETE ON file_locks
BEGIN
  INSERT INTO stress_deletes VALUES ('lock', OLD.file_path, OLD.session_id);
END;
CREATE TRIGGER stress_claim_deleted AFTER DELETE ON task_claims
BEGIN
  INSERT INTO stress_deletes VALUES ('claim', OLD.task_id, OLD.session_id);
END;
`;

const STATUS_RANK: Record<string, number> = {pending: 0, delivered: 1, read: 2, expired: 3};

type Writer = {child: ChildProcess; stdout: string; stderr: string; exit: Promise<number | null>};

function startWriter(dbPath: string, index: number, count: number, durationMs: number, gapMs: number, nice: number): Writer {
	const child = spawn(
		process.execPath,
		['--import', 'tsx', WRITER_SCRIPT, dbPath, String(index), String(count), String(durationMs), String(gapMs)],
		{
			cwd: ROOT,
			stdio: ['pipe', 'pipe', 'pipe'],
		},
	);
	if (nice !== 0 && child.pid !== undefined) {
		try {
			os.setPriority(child.pid, nice);
		} catch {
			// Not permitted here: the writers compete with the dashboard at equal priority.
		}
	}
	const writer: Writer = {child, stdout: '', stderr: '', exit: new Promise(resolve => child.once('exit', code => resolve(code)))};
	child.stdout.on('data', (chunk: Buffer) => (writer.stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (writer.stderr += chunk.toString()));
	return writer;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

const percentile = (sorted: number[], p: number) =>
	sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

export async function runStress(options: StressOptions): Promise<StressReport> {
	const count = options.writers ?? 8;
	const gapMs = options.gapMs ?? 2;
	const log = options.log ?? (() => {});
	const idleMs = options.idleMs ?? 0;
	const ownDir = options.dir === undefined;
	const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'session-status-stress-'));
	const dbPath = path.join(dir, 'messaging.db');

	const setup = new BusWriter(dbPath);
	setup.db.exec(AUDIT);
	setup.close();

	const writers = Array.from({length: count}, (_, index) =>
		startWriter(dbPath, index, count, options.durationMs, gapMs, options.writerNice ?? 10),
	);
	try {
		await waitFor(() => writers.every(w => w.stdout.includes('ready\n') || w.child.exitCode !== null), 60_000, 'the writers to register');
		const early = writers.find(w => w.child.exitCode !== null);
		if (early) throw new Error(`a writer exited before the run: ${early.stdout}${early.stderr}`);
		log(`${count} writers registered; running ${options.durationMs / 1000} s`);

		// ---- the dashboard, in this process ------------------------------------------
		const live = new LiveBus({
			dbPath,
			staleTimeoutMs: 300_000,
			// The dashboard was launched from writer 0's session: its mail is delivered when shown.
			sessionId: 'stress-0',
			machineUuid: null,
			readOnly: false,
			coalesceMs: 0,
			livenessMs: 500,
			countsMs: 5000,
		});
		const dashboard: StressReport['dashboard'] = {
			ticks: 0,
			refreshes: 0,
			refreshesPerSecond: 0,
			slowestRefreshMs: 0,
			medianRefreshMs: 0,
			p99RefreshMs: 0,
			readErrors: [],
			markDelivered: {calls: 0, changed: 0, failures: []},
			acknowledge: {calls: 0, changed: 0, ids: 0, failures: []},
			observedBackwards: [],
			maxGapMs: 0,
			maxGap: {wallMs: 0, cpuMs: 0, atMs: 0},
			gapsOver100ms: [],
			maxCpuInGapMs: 0,
		};
		// Count what the delivery loop does (markShown swallows its errors to retry them).
		const markDelivered = live.writer.markDelivered.bind(live.writer);
		live.writer.markDelivered = async (ids: number[]) => {
			dashboard.markDelivered.calls++;
			try {
				const changed = await markDelivered(ids);
				dashboard.markDelivered.changed += changed;
				return changed;
			} catch (error) {
				dashboard.markDelivered.failures.push((error as Error).message);
				throw error;
			}
		};

		// The first read, before the meter starts: it runs cold code once (the first frame's cost, which
		// the benchmark measures); the meter is for pauses while the dashboard runs.
		await live.tick();

		// The freeze meter: a 10 ms timer, and the CPU this process used in each gap.
		let lastBeat = performance.now();
		const meterStart = lastBeat;
		let lastCpu = process.cpuUsage();
		const meter = setInterval(() => {
			const now = performance.now();
			const cpu = process.cpuUsage(lastCpu);
			const gap = {wallMs: now - lastBeat, cpuMs: (cpu.user + cpu.system) / 1000, atMs: lastBeat - meterStart};
			if (gap.wallMs > dashboard.maxGap.wallMs) dashboard.maxGap = gap;
			dashboard.maxCpuInGapMs = Math.max(dashboard.maxCpuInGapMs, Math.min(gap.wallMs, gap.cpuMs));
			if (gap.wallMs > 100) dashboard.gapsOver100ms.push(gap);
			lastBeat = now;
			lastCpu = process.cpuUsage();
		}, 10);

		const seen = new Map<number, number>();
		const acknowledged = new Set<number>();
		let ackInFlight = false;
		const refreshTimes: number[] = [];

		const observe = (reading: Reading) => {
			for (const message of [...reading.snapshot.alerts, ...reading.snapshot.unread]) {
				const rank = STATUS_RANK[message.status] ?? -1;
				const before = seen.get(message.id);
				if (before !== undefined && rank < before) dashboard.observedBackwards.push(`${message.id}: rank ${before} -> ${message.status}`);
				seen.set(message.id, Math.max(rank, before ?? -1));
			}
		};

		const act = (reading: Reading) => {
			// What a frame of the Alerts and Unread views shows becomes delivered.
			const shown = [
				...reading.analysis.openAlerts.filter(alert => alert.status === 'pending').map(alert => alert.id),
				...reading.snapshot.unread
					.filter(message => message.recipientId === 'stress-0' && message.status === 'pending')
					.map(message => message.id),
			];
			if (shown.length > 0) void live.markShown(shown);
			// The operator acknowledges: alerts already delivered, and every third one straight from pending.
			if (ackInFlight) return;
			const ids = reading.analysis.openAlerts
				.filter(alert => !acknowledged.has(alert.id) && (alert.status === 'delivered' || alert.id % 3 === 0))
				.map(alert => alert.id);
			if (ids.length === 0) return;
			ackInFlight = true;
			dashboard.acknowledge.calls++;
			live.acknowledge(ids).then(
				changed => {
					dashboard.acknowledge.changed += changed;
					for (const id of ids) acknowledged.add(id);
					ackInFlight = false;
				},
				(error: unknown) => {
					dashboard.acknowledge.failures.push((error as Error).message);
					ackInFlight = false;
				},
			);
		};

		let running = true;
		const started = performance.now();
		const dashboardLoop = (async () => {
			let previous: Reading | null = null;
			while (running) {
				const t0 = performance.now();
				await live.tick();
				const elapsed = performance.now() - t0;
				dashboard.ticks++;
				const state = live.getState();
				if (state.error && dashboard.readErrors.length < 20) dashboard.readErrors.push(state.error);
				if (state.reading && state.reading !== previous) {
					previous = state.reading;
					refreshTimes.push(elapsed);
					observe(state.reading);
					act(state.reading);
				}
				await new Promise(resolve => (idleMs > 0 ? setTimeout(resolve, idleMs) : setImmediate(resolve)));
			}
		})();

		for (const writer of writers) writer.child.stdin!.end('go\n');
		const writerExitCodes = await Promise.all(writers.map(w => w.exit));
		const durationMs = performance.now() - started;
		running = false;
		await dashboardLoop;
		await waitFor(() => !ackInFlight, 10_000, 'the last acknowledgement');
		clearInterval(meter);
		const staleAfterRun = await differencesFromFresh(live.monitor);
		live.stop();

		refreshTimes.sort((a, b) => a - b);
		dashboard.refreshes = refreshTimes.length;
		dashboard.refreshesPerSecond = refreshTimes.length / (durationMs / 1000);
		dashboard.slowestRefreshMs = refreshTimes.at(-1) ?? 0;
		dashboard.medianRefreshMs = percentile(refreshTimes, 0.5);
		dashboard.p99RefreshMs = percentile(refreshTimes, 0.99);
		dashboard.maxGapMs = dashboard.maxGap.wallMs;
		dashboard.acknowledge.ids = acknowledged.size;

		// ---- what the writers say ------------------------------------------------------
		const reports: WriterReport[] = writers.map((w, index) => {
			const line = w.stdout.split('\n').find(text => text.startsWith('{'));
			if (!line) throw new Error(`writer ${index} printed no report (exit ${writerExitCodes[index]}): ${w.stdout}${w.stderr}`);
			return JSON.parse(line) as WriterReport;
		});
		const opsByKind: Record<string, number> = {};
		for (const report of reports) for (const [kind, n] of Object.entries(report.ops)) opsByKind[kind] = (opsByKind[kind] ?? 0) + n;
		const totalOps = Object.values(opsByKind).reduce((sum, n) => sum + n, 0);
		const runSeconds = Math.max(...reports.map(r => r.runMs)) / 1000;

		// ---- what the database says ----------------------------------------------------
		const db = new Database(dbPath, {readonly: true, fileMustExist: true});
		let checks: StressReport['checks'];
		try {
			const violations = db.prepare(`SELECT what || ': ' || detail FROM stress_violations`).pluck().all() as string[];
			const transitions = Object.fromEntries(
				(db.prepare(`SELECT k, n FROM stress_transitions ORDER BY k`).all() as Array<{k: string; n: number}>).map(row => [row.k, row.n]),
			);
			const status = db.prepare(`SELECT status, read_at FROM session_messages WHERE id = ?`);
			const acknowledgedNotRead = [...acknowledged].filter(id => {
				const row = status.get(id) as {status: string; read_at: string | null} | undefined;
				return !row || row.status !== 'read' || row.read_at === null;
			});
			const readAlerts = db
				.prepare(`SELECT count(*) FROM session_messages WHERE channel = 'operator_alerts' AND status = 'read'`)
				.pluck()
				.get() as number;
			const sessions = db.prepare(`SELECT session_id, status FROM session_registry ORDER BY session_id`).all() as Array<{
				session_id: string;
				status: string;
			}>;
			const sessionsNotActive = sessions.filter(row => row.status !== 'active').map(row => `${row.session_id}: ${row.status}`);
			for (const report of reports)
				if (!sessions.some(row => row.session_id === report.sessionId)) sessionsNotActive.push(`${report.sessionId}: missing`);
			const endedEvents = db
				.prepare(`SELECT count(*) FROM session_messages WHERE channel = 'session_lifecycle' AND message_type = 'ended'`)
				.pluck()
				.get() as number;
			const missingHolds: string[] = [];
			const claimHolder = db.prepare(`SELECT session_id FROM task_claims WHERE task_id = ?`).pluck();
			const lockHolder = db.prepare(`SELECT session_id FROM file_locks WHERE file_path = ?`).pluck();
			for (const report of reports) {
				for (const task of report.heldClaims)
					if (claimHolder.get(task) !== report.sessionId) missingHolds.push(`claim ${task} of ${report.sessionId}`);
				for (const file of report.heldLocks)
					if (lockHolder.get(file) !== report.sessionId) missingHolds.push(`lock ${file} of ${report.sessionId}`);
			}
			const deletes = db.prepare(`SELECT kind, session_id, count(*) AS n FROM stress_deletes GROUP BY kind, session_id`).all() as Array<{
				kind: string;
				session_id: string;
				n: number;
			}>;
			const foreignDeletes: string[] = [];
			for (const row of deletes) {
				const report = reports.find(r => r.sessionId === row.session_id);
				const own = report ? (row.kind === 'lock' ? (report.ops['unlock'] ?? 0) : (report.ops['release'] ?? 0)) : 0;
				if (row.n !== own) foreignDeletes.push(`${row.kind}s of ${row.session_id}: ${row.n} deleted, the writer released ${own}`);
			}
			checks = {
				violations,
				transitions,
				acknowledgedNotRead,
				readAlertsNotAcknowledged: readAlerts - acknowledged.size,
				sessionsNotActive,
				endedEvents,
				missingHolds,
				foreignDeletes,
				staleAfterRun,
				walBytes: fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0,
				dbBytes: fs.statSync(dbPath).size,
				messages: db.prepare(`SELECT count(*) FROM session_messages`).pluck().get() as number,
			};
		} finally {
			db.close();
		}

		return {
			dbPath,
			durationMs,
			writers: reports,
			writerExitCodes,
			writerStderr: writers.map(w => w.stderr).filter(Boolean),
			totalOps,
			opsPerSecond: totalOps / runSeconds,
			opsByKind,
			writerFailures: {
				busy: reports.reduce((sum, r) => sum + r.failures.busy, 0),
				other: reports.reduce((sum, r) => sum + r.failures.other, 0),
			},
			writerErrors: reports.flatMap(r => r.errors.map(error => `${r.sessionId}: ${error}`)),
			slowestWriterOpMs: Math.max(...reports.map(r => r.slowestOpMs)),
			dashboard,
			checks,
		};
	} finally {
		for (const w of writers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
		if (ownDir) fs.rmSync(dir, {recursive: true, force: true});
	}
}

export type GapLimits = {
	/** The freeze limit: no pause of the dashboard's event loop may be longer. */
	maxGapMs: number;
	/**
	 * For a shared or loaded machine (the test inside `npm test`, which runs two test files at
	 * once on CI): a pause in which this process barely ran was the machine's doing, not the
	 * dashboard's. Then only pauses spent computing must stay within maxGapMs, and any pause
	 * within this, which still catches a blocking wait (a long busy timeout, a slow fsync).
	 */
	loadedMaxGapMs?: number;
};

/** The parts of a snapshot by `monitor` that differ from one by a fresh one-shot reader, read at the same instant. */
async function differencesFromFresh(monitor: BusMonitor): Promise<string[]> {
	const now = Date.now();
	const fresh = new BusMonitor({...monitor.options, reuseRows: false});
	try {
		const [kept, anew] = [await monitor.read({countHistory: false, now}), await fresh.read({countHistory: false, now})].map(
			reading => reading.snapshot,
		);
		const parts = ['sessions', 'claims', 'locks', 'alerts', 'unread', 'unreadByRecipient', 'lifecycle'] as const satisfies ReadonlyArray<
			keyof BusSnapshot
		>;
		return parts.filter(part => JSON.stringify(kept[part]) !== JSON.stringify(anew[part]));
	} finally {
		fresh.close();
	}
}

/** Every check the run must pass, as sentences; empty when all passed. */
export function stressFailures(report: StressReport, limits: GapLimits): string[] {
	const failures: string[] = [];
	const {dashboard, checks} = report;
	report.writerExitCodes.forEach((code, index) => {
		if (code !== 0) failures.push(`writer ${index} exited with ${code}`);
	});
	if (report.writerFailures.busy > 0)
		failures.push(`writers hit SQLITE_BUSY ${report.writerFailures.busy} times: ${report.writerErrors.slice(0, 3).join('; ')}`);
	if (report.writerFailures.other > 0)
		failures.push(`writers failed ${report.writerFailures.other} other operations: ${report.writerErrors.slice(0, 3).join('; ')}`);
	if (report.writerStderr.length > 0) failures.push(`writers wrote to stderr: ${report.writerStderr.join(' | ').slice(0, 500)}`);
	if (dashboard.readErrors.length > 0) failures.push(`the dashboard failed to read: ${dashboard.readErrors.slice(0, 3).join('; ')}`);
	if (dashboard.acknowledge.failures.length > 0)
		failures.push(`acknowledgements failed: ${dashboard.acknowledge.failures.slice(0, 3).join('; ')}`);
	if (dashboard.markDelivered.failures.length > 0)
		failures.push(`marking delivered failed: ${dashboard.markDelivered.failures.slice(0, 3).join('; ')}`);
	if (checks.acknowledgedNotRead.length > 0)
		failures.push(
			`${checks.acknowledgedNotRead.length} acknowledged alerts are not read in the database: ${checks.acknowledgedNotRead.slice(0, 10).join(', ')}`,
		);
	if (checks.readAlertsNotAcknowledged !== 0)
		failures.push(`${checks.readAlertsNotAcknowledged} read alerts were never acknowledged by the dashboard`);
	if (checks.violations.length > 0)
		failures.push(`the audit triggers recorded ${checks.violations.length} violations: ${checks.violations.slice(0, 5).join('; ')}`);
	if (dashboard.observedBackwards.length > 0)
		failures.push(`the dashboard saw messages move backwards: ${dashboard.observedBackwards.slice(0, 5).join('; ')}`);
	if (checks.sessionsNotActive.length > 0) failures.push(`sessions no longer active: ${checks.sessionsNotActive.join(', ')}`);
	if (checks.endedEvents > 0) failures.push(`${checks.endedEvents} lifecycle 'ended' events (nobody ended a session)`);
	if (checks.missingHolds.length > 0)
		failures.push(`claims/locks of live sessions were released: ${checks.missingHolds.slice(0, 5).join(', ')}`);
	if (checks.staleAfterRun.length > 0)
		failures.push(
			`the dashboard's reader, reading again only what changed, differs from a fresh read in: ${checks.staleAfterRun.join(', ')}`,
		);
	if (checks.foreignDeletes.length > 0)
		failures.push(`claims/locks deleted by someone other than their holder: ${checks.foreignDeletes.join('; ')}`);
	if (dashboard.refreshes < 10) failures.push(`the dashboard refreshed only ${dashboard.refreshes} times`);
	if (dashboard.acknowledge.ids === 0) failures.push('the dashboard acknowledged nothing (the run proved nothing about acknowledgements)');
	if (dashboard.markDelivered.changed === 0) failures.push('the dashboard marked nothing delivered');
	if ((checks.transitions['pending -> read'] ?? 0) + (checks.transitions['delivered -> read'] ?? 0) === 0)
		failures.push('no message was read');
	const gap = dashboard.maxGap;
	const describe = `${gap.wallMs.toFixed(0)} ms (${gap.cpuMs.toFixed(0)} ms of CPU in this process during it, ${gap.atMs.toFixed(0)} ms into the run)`;
	if (limits.loadedMaxGapMs === undefined) {
		if (gap.wallMs > limits.maxGapMs) failures.push(`the event loop stalled for ${describe}; limit ${limits.maxGapMs} ms`);
	} else {
		if (dashboard.maxCpuInGapMs > limits.maxGapMs)
			failures.push(
				`the dashboard's own work stalled the event loop for ${dashboard.maxCpuInGapMs.toFixed(0)} ms of CPU; limit ${limits.maxGapMs} ms`,
			);
		if (gap.wallMs > limits.loadedMaxGapMs)
			failures.push(`the event loop stalled for ${describe}; limit ${limits.loadedMaxGapMs} ms on a loaded machine`);
	}
	return failures;
}

export function formatStressSummary(report: StressReport): string {
	const {dashboard, checks} = report;
	const ms = (value: number) => `${value.toFixed(1)} ms`;
	const lines = [
		`Stress run: ${report.writers.length} writer processes for ${(report.durationMs / 1000).toFixed(1)} s against ${report.dbPath}`,
		`  writer operations: ${report.totalOps} (${report.opsPerSecond.toFixed(0)} ops/s): ${Object.entries(report.opsByKind)
			.sort()
			.map(([kind, n]) => `${kind} ${n}`)
			.join(', ')}`,
		`  writer failures: ${report.writerFailures.busy} SQLITE_BUSY, ${report.writerFailures.other} other; slowest writer operation ${ms(report.slowestWriterOpMs)}`,
		`  dashboard: ${dashboard.refreshes} refreshes (${dashboard.refreshesPerSecond.toFixed(0)}/s) in ${dashboard.ticks} ticks; refresh median ${ms(dashboard.medianRefreshMs)}, p99 ${ms(dashboard.p99RefreshMs)}, slowest ${ms(dashboard.slowestRefreshMs)}`,
		`  event loop: longest gap ${ms(dashboard.maxGap.wallMs)} (${ms(dashboard.maxGap.cpuMs)} CPU in it); longest CPU-bound gap ${ms(dashboard.maxCpuInGapMs)}; gaps over 100 ms: ${dashboard.gapsOver100ms.length}`,
		`  delivery: ${dashboard.markDelivered.changed} marked delivered in ${dashboard.markDelivered.calls} writes (${dashboard.markDelivered.failures.length} failed); ${dashboard.acknowledge.ids} alerts acknowledged in ${dashboard.acknowledge.calls} writes (${dashboard.acknowledge.failures.length} failed)`,
		`  transitions: ${
			Object.entries(checks.transitions)
				.map(([k, n]) => `${k} ${n}`)
				.join(', ') || '(none)'
		}`,
		`  checks: ${checks.violations.length} trigger violations, ${dashboard.observedBackwards.length} backward moves seen, ${checks.acknowledgedNotRead.length} acknowledgements missing, ${checks.sessionsNotActive.length} sessions not active, ${checks.missingHolds.length} holds lost, ${checks.foreignDeletes.length} foreign deletes, ${checks.endedEvents} ended events`,
		`  database: ${checks.messages} messages, ${(checks.dbBytes / 1024).toFixed(0)} KB (+ ${(checks.walBytes / 1024).toFixed(0)} KB WAL)`,
	];
	return lines.join('\n');
}
