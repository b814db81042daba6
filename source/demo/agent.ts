import os from 'node:os';
import {BusWriter} from '../bus/writer.js';

/**
 * One simulated coding agent: a real process that registers on the bus with its
 * own PID, heartbeats, claims tasks, locks files and messages its peers, the way
 * the demo needs. Roles: `steady`, `dies` (exits abruptly, leaving its locks),
 * `remote` (says it runs on another machine and stops heartbeating).
 */

type AgentSpec = {
	db: string;
	vendor: string;
	model: string;
	project: string;
	cwd: string;
	role: 'steady' | 'dies' | 'remote';
	tasks: string[];
	files: string[];
	/** Another machine's agent (the demo's second bus): registered with its hostname and machine UUID. */
	hostname?: string;
	machineUuid?: string;
};

const spec = JSON.parse(process.argv[2] ?? '{}') as AgentSpec;
const sessionId = `${spec.vendor}-${process.pid}`;
const bus = new BusWriter(spec.db, {busyTimeoutMs: 3000});
const remote = spec.role === 'remote';
const hostname = spec.hostname ?? os.hostname();

bus.register({
	sessionId,
	sessionUuid: crypto.randomUUID(),
	machineUuid: remote ? '7c1e9a40-5b2f-4e8d-9f61-0a3b5c7d9e21' : (spec.machineUuid ?? 'd3d3a316-09c6-8f41-4a3f-d93e422d199c'),
	hostname: remote ? 'build-box.example' : hostname,
	vendor: spec.vendor,
	model: spec.model,
	projectId: spec.project,
	tty: remote ? null : `/dev/ttys00${process.pid % 10}`,
	cwd: spec.cwd,
	pid: process.pid,
});
// The process announces its id on stdout so the demo can address it.
process.stdout.write(`${sessionId}\n`);

let tick = 0;
const lines = [
	'Starting on the parser refactor; will not touch the CLI.',
	'Tests green on my side, rebasing now.',
	'Can you hold off on paths.py for ten minutes?',
	'Pushed the schema migration; please pull before editing.',
	'Done with H.13.7, releasing it.',
];

const step = () => {
	tick++;
	try {
		if (!(remote && tick > 10)) bus.heartbeat(sessionId);
		const task = spec.tasks[tick % Math.max(1, spec.tasks.length)];
		if (task && tick % 7 === 1) bus.claim(task, sessionId, {expiresAt: Date.now() + 30 * 60_000});
		const file = spec.files[tick % Math.max(1, spec.files.length)];
		if (file && tick % 5 === 2) bus.lock(file, sessionId, {expiresAt: Date.now() + 10 * 60_000});
		if (file && tick % 5 === 4 && spec.role !== 'dies') bus.unlock(file);
		const peers = bus.db
			.prepare(`SELECT session_id FROM session_registry WHERE status = 'active' AND session_id != ? AND hostname = ?`)
			.pluck()
			.all(sessionId, hostname) as string[];
		const peer = peers[tick % Math.max(1, peers.length)];
		if (peer && tick % 6 === 3) {
			bus.send({
				senderId: sessionId,
				recipientId: peer,
				channel: 'coordination',
				priority: tick % 12 === 3 ? 2 : 1,
				payload: {text: lines[tick % lines.length]},
			});
		}
	} catch {
		// A busy bus: try again next tick, as real writers do.
	}
	if (spec.role === 'dies' && tick === 20) process.kill(process.pid, 'SIGKILL');
};

step();
setInterval(step, 1000);
const end = () => {
	try {
		if (spec.role === 'steady') bus.end(sessionId, 'session ended normally');
		bus.close();
	} finally {
		process.exit(0);
	}
};
process.on('SIGTERM', end);
process.on('SIGINT', end);
// Never outlive the demo.
process.on('disconnect', end);
