/**
 * One busy agent for the stress run, as a separate process (run with `node --import tsx`):
 * the bus writer with a 3 s busy timeout, as real writers have. It registers,
 * prints `ready`, waits for `go` on stdin, then for DURATION ms heartbeats every
 * 100 ms and, every GAP ms, does the next of: claim/release a task, lock/unlock a
 * file, send a directed message, publish an operator alert, read its own inbox
 * (pending|delivered -> read, as an agent does). Every operation is counted, every
 * failure too (SQLITE_BUSY apart from the rest); on exit it prints one JSON line.
 *
 *   node --import tsx test/helpers/stress-writer.ts DB INDEX COUNT DURATION_MS GAP_MS
 */
import os from 'node:os';
import {randomUUID} from 'node:crypto';
import {BusWriter} from '../../source/bus/writer.js';
import {isoNow} from '../../source/bus/time.js';

export type WriterReport = {
	index: number;
	sessionId: string;
	pid: number;
	ops: Record<string, number>;
	failures: {busy: number; other: number};
	errors: string[];
	/** Claims and locks this writer still holds at exit: nobody else may have released them. */
	heldClaims: string[];
	heldLocks: string[];
	/** Messages this writer marked read in its own inbox. */
	inboxRead: number;
	/** Longest single operation, ms (a long busy wait would show here). */
	slowestOpMs: number;
	runMs: number;
};

const [dbPath, indexText, countText, durationText, gapText] = process.argv.slice(2);
const index = Number(indexText);
const count = Number(countText);
const durationMs = Number(durationText);
const gapMs = Number(gapText);
const me = `stress-${index}`;

const report: WriterReport = {
	index,
	sessionId: me,
	pid: process.pid,
	ops: {},
	failures: {busy: 0, other: 0},
	errors: [],
	heldClaims: [],
	heldLocks: [],
	inboxRead: 0,
	slowestOpMs: 0,
	runMs: 0,
};

function finish(code: number): never {
	process.stdout.write(`${JSON.stringify(report)}\n`);
	process.exit(code);
}

function attempt(name: string, work: () => void): boolean {
	const started = performance.now();
	try {
		work();
		report.ops[name] = (report.ops[name] ?? 0) + 1;
		return true;
	} catch (error) {
		const code = (error as {code?: string}).code ?? '';
		if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) report.failures.busy++;
		else report.failures.other++;
		if (report.errors.length < 20) report.errors.push(`${name}: ${code} ${(error as Error).message}`);
		return false;
	} finally {
		report.slowestOpMs = Math.max(report.slowestOpMs, performance.now() - started);
	}
}

let bus: BusWriter;
try {
	bus = new BusWriter(dbPath, {busyTimeoutMs: 3000});
} catch (error) {
	report.failures.other++;
	report.errors.push(`open: ${(error as Error).message}`);
	finish(1);
}

const claims: string[] = [];
const locks: string[] = [];
const others = Array.from({length: count}, (_, i) => `stress-${i}`).filter(id => id !== me);
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
const ALERT_TYPES = ['project_conflict', 'task_conflict', 'cwd_overlap', 'file_conflict'];

const registered = attempt('register', () =>
	bus.register({
		sessionId: me,
		sessionUuid: randomUUID(),
		hostname: os.hostname(),
		vendor: 'stress',
		model: `writer-${index}`,
		projectId: 'STRESS',
		cwd: `/stress/${index}`,
		pid: process.pid,
	}),
);
if (!registered) finish(1);
// One claim and one lock held for the whole run: they must survive it.
attempt('claim', () => bus.claim(`KEEP.${index}`, me));
claims.push(`KEEP.${index}`);
attempt('lock', () => bus.lock(`/stress/${index}/KEEP.md`, me));
locks.push(`/stress/${index}/KEEP.md`);

const readInbox = bus.db.prepare(
	`UPDATE session_messages SET status = 'read', read_at = @now, delivered_at = COALESCE(delivered_at, @now)
	 WHERE recipient_id = @me AND status IN ('pending','delivered') AND message_type IS NOT NULL`,
);

let step = 0;
function next(): void {
	const n = step++;
	switch (n % 8) {
		case 0: {
			const task = `T.${index}.${n}`;
			if (attempt('claim', () => bus.claim(task, me))) claims.push(task);
			// Keep the KEEP claim (first) and the newest three.
			if (claims.length > 4) {
				const oldest = claims[1];
				if (attempt('release', () => bus.release(oldest))) claims.splice(1, 1);
			}
			break;
		}
		case 1:
		case 5: {
			const file = `/stress/${index}/file-${n}.ts`;
			if (attempt('lock', () => bus.lock(file, me))) locks.push(file);
			if (locks.length > 4) {
				const oldest = locks[1];
				if (attempt('unlock', () => bus.unlock(oldest))) locks.splice(1, 1);
			}
			break;
		}
		case 2:
		case 6:
			attempt('send', () =>
				bus.send({
					senderId: me,
					recipientId: pick(others),
					channel: pick(['coordination', 'review', 'handoff']),
					priority: n % 4,
					payload: {text: `message ${n} from ${me}`},
				}),
			);
			break;
		case 3:
			attempt('alert', () =>
				bus.alert({
					type: pick(ALERT_TYPES),
					priority: (n >> 3) % 4,
					sessions: [me, pick(others)],
					projectId: 'STRESS',
					filePath: `/stress/${index}/file-${n}.ts`,
					taskId: `T.${index}.${n}`,
					action: 'Coordinate',
				}),
			);
			break;
		case 4:
		case 7:
			attempt('read-inbox', () => {
				report.inboxRead += readInbox.run({now: isoNow(), me}).changes;
			});
			break;
	}
}

process.stdout.write('ready\n');
process.stdin.once('data', () => {
	const started = Date.now();
	const heartbeat = setInterval(() => attempt('heartbeat', () => bus.heartbeat(me)), 100);
	const loop = () => {
		if (Date.now() - started >= durationMs) {
			clearInterval(heartbeat);
			attempt('heartbeat', () => bus.heartbeat(me));
			report.runMs = Date.now() - started;
			report.heldClaims = claims;
			report.heldLocks = locks;
			try {
				bus.close();
			} catch (error) {
				report.failures.other++;
				report.errors.push(`close: ${(error as Error).message}`);
			}
			finish(0);
		}
		next();
		setTimeout(loop, gapMs);
	};
	loop();
});
