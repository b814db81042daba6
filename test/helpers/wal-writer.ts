/**
 * A writer process for the write-ahead-log tests (run with `node --import tsx`): for
 * each line `SEED COUNT` on stdin it makes COUNT commits chosen by SEED, each a random
 * change to one table (sessions, locks, claims, messages, alone or together), now and
 * then a checkpoint that restarts or truncates the log, then prints `done`. Its
 * autocheckpoint is small, so the log restarts often on its own too.
 *
 *   node --import tsx test/helpers/wal-writer.ts DB
 */
import readline from 'node:readline';
import {BusWriter} from '../../source/bus/writer.js';
import {seededRandom} from './fixtures.js';

const bus = new BusWriter(process.argv[2], {busyTimeoutMs: 3000});
bus.db.pragma('wal_autocheckpoint = 16');
const sessions = ['a', 'b', 'c', 'd'];
const pick = <T>(random: (n: number) => number, list: readonly T[]): T => list[random(list.length)];

function commit(random: (n: number) => number): void {
	const session = pick(random, sessions);
	const path = `src/${random(40)}.ts`;
	switch (random(12)) {
		case 0:
			return bus.heartbeat(session, Date.now() + random(100_000));
		case 1:
			return bus.register({sessionId: `s${random(30)}`, hostname: 'elsewhere', pid: random(1000), cwd: `/repo/${random(5)}`});
		case 2:
			return bus.lock(path, session);
		case 3:
			return bus.unlock(path);
		case 4:
			bus.db
				.prepare(`UPDATE file_locks SET lock_type = ? WHERE rowid = (SELECT min(rowid) FROM file_locks)`)
				.run(pick(random, ['shared', 'exclusive']));
			return;
		case 5:
			return bus.claim(`T.${random(20)}`, session);
		case 6:
			return bus.release(`T.${random(20)}`);
		case 7:
			bus.send({senderId: session, recipientId: pick(random, sessions), channel: 'direct', payload: {text: 'x'.repeat(random(3000))}});
			return;
		case 8:
			bus.db
				.prepare(`UPDATE session_messages SET status = 'read' WHERE id = (SELECT min(id) FROM session_messages WHERE status = 'pending')`)
				.run();
			return;
		case 9:
			// Many pages at once: the tables grow and shrink, pages move between them.
			bus.db.transaction(() => {
				for (let i = 0; i < 50; i++) bus.lock(`bulk/${random(100_000)}/${'p'.repeat(random(200))}`, session);
				bus.db.prepare(`DELETE FROM file_locks WHERE rowid % 3 = ?`).run(random(3));
			})();
			return;
		case 10:
			bus.db.pragma(`wal_checkpoint(${pick(random, ['PASSIVE', 'RESTART', 'TRUNCATE'])})`);
			return;
		default:
			bus.db.prepare(`UPDATE session_registry SET cwd = ? WHERE session_id = ?`).run(`/repo/${random(5)}`, session);
	}
}

for (const id of sessions) bus.register({sessionId: id, hostname: 'elsewhere', pid: null});
process.stdout.write('ready\n');
for await (const line of readline.createInterface({input: process.stdin})) {
	const [seed, count] = line.split(' ').map(Number) as [number, number];
	const random = seededRandom(seed);
	for (let i = 0; i < count; i++) {
		commit(random);
		// A pause now and then lets the reader in between commits.
		if (random(3) === 0) await new Promise(resolve => setTimeout(resolve, random(3)));
	}
	process.stdout.write('done\n');
}
bus.close();
