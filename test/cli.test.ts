import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawn, type ChildProcess} from 'node:child_process';
import {createRequire} from 'node:module';
import {once} from 'node:events';
import {BusWriter} from '../source/bus/writer.js';
import {parseTimestamp} from '../source/bus/time.js';
import {TAB_IDS} from '../source/tab-ids.js';
import {MACHINE, deadPid, documentedExample, liveProcess} from './helpers/fixtures.js';
import {CLI, RAW_CONTROL, STACK_FRAME, dumpDatabase, listTree, requireBuiltCli, run, scratch, withDb} from './helpers/cli.js';

/**
 * The built CLI (`node dist/cli.js`) against real SQLite files and real processes:
 * the printed dashboard and its sections, the delivery loop, stale release, --json,
 * errors and exit codes. The session log has its own file (log.test.ts).
 */

requireBuiltCli();

const RULE = '='.repeat(50);
const HOST = os.hostname();
const ISO_SECONDS = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`;
const CLAUDE_UUID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const CODEX_UUID = 'f9e8d7c6-b5a4-3210-fedc-ba9876543210';
const CLAUDE_CWD = '/Users/halcasteel/PROJECTS/coditect-rollout-master';
const CODEX_CWD = '/Users/halcasteel/PROJECTS/coditect-rollout-master/submodules/core/coditect-core';

let claude: ChildProcess;
let codex: ChildProcess;
const extraChildren: ChildProcess[] = [];

before(async () => {
	claude = liveProcess();
	codex = liveProcess();
	await Promise.all([once(claude, 'spawn'), once(codex, 'spawn')]);
});

after(() => {
	for (const child of [claude, codex, ...extraChildren]) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A fresh database holding the documentation's two-session example, with two live processes. */
function documentedDb(): string {
	const dbPath = path.join(scratch(), 'messaging.db');
	documentedExample(dbPath, {claude: claude.pid!, codex: codex.pid!}).close();
	return dbPath;
}

/** Each line must equal the string or match the RegExp (anchored by the caller). */
function assertLines(actual: string[], expected: Array<string | RegExp>, what: string): void {
	assert.equal(actual.length, expected.length, `${what}: ${actual.length} lines, expected ${expected.length}:\n${actual.join('\n')}`);
	expected.forEach((want, index) => {
		const got = actual[index];
		if (typeof want === 'string') assert.equal(got, want, `${what}, line ${index + 1}`);
		else assert.match(got, want, `${what}, line ${index + 1}`);
	});
}

function sessionBlock(
	id: string,
	marker: string,
	fields: {uuid: string; vendor: string; cwd: string; pid: number; task: string; locks: string; unread: number},
): Array<string | RegExp> {
	return [
		`**Session: ${id}**${marker}`,
		`- **Session UUID:** \`${fields.uuid}\``,
		`- **Machine UUID:** \`${MACHINE}\``,
		`- **Hostname:** \`${HOST}\``,
		`- **Vendor:** ${fields.vendor}`,
		'- **Project:** PILOT',
		`- **CWD:** \`${fields.cwd}\``,
		new RegExp(`^- \\*\\*PID:\\*\\* ${fields.pid} \\(uptime \\d+[smhd]( \\d+[mh])?\\)$`),
		`- **Claimed Task:** ${fields.task}`,
		`- **File Locks:** ${fields.locks}`,
		`- **Unread Messages:** ${fields.unread}`,
	];
}

const claudeBlock = (marker = '') =>
	sessionBlock('claude-29583', marker, {
		uuid: CLAUDE_UUID,
		vendor: 'claude (opus-4.6)',
		cwd: CLAUDE_CWD,
		pid: claude.pid!,
		task: 'H.13.7 (exclusive)',
		locks: 'session_message_bus.py',
		unread: 3,
	});
const codexBlock = (marker = '') =>
	sessionBlock('codex-41200', marker, {
		uuid: CODEX_UUID,
		vendor: 'codex (o3)',
		cwd: CODEX_CWD,
		pid: codex.pid!,
		task: 'J.27.4 (exclusive)',
		locks: '(none)',
		unread: 0,
	});

/** The printed dashboard split at **Observations:**: [lines before it (blank lines dropped), observation bullets, the lines after]. */
function splitDashboard(lines: string[]): {head: string[]; observations: string[]; tail: string[]} {
	const at = lines.indexOf('**Observations:**');
	assert.ok(at > 0, `no **Observations:** section:\n${lines.join('\n')}`);
	const rest = lines.slice(at + 1);
	const end = rest.findIndex(line => !line.startsWith('- '));
	assert.ok(end >= 0, 'nothing after the observations');
	return {head: lines.slice(0, at + 1).filter(line => line !== ''), observations: rest.slice(0, end), tail: rest.slice(end)};
}

function messageRows(dbPath: string): Array<{
	id: number;
	channel: string;
	recipient_id: string | null;
	message_type: string | null;
	status: string;
	delivered_at: string | null;
	payload: string;
}> {
	return withDb(
		dbPath,
		db =>
			db
				.prepare(`SELECT id, channel, recipient_id, message_type, status, delivered_at, payload FROM session_messages ORDER BY id`)
				.all() as never,
	);
}

describe('--once on the documented two-session example', () => {
	it('follows the Standard Output layout of the documentation line for line', () => {
		const dbPath = documentedDb();
		const logDir = scratch();
		const result = run(['--db', dbPath, '--once', '--log-dir', logDir]);
		assert.equal(result.stderr, '');
		assert.equal(result.code, 8, 'a critical alert is open');
		const {head, observations, tail} = splitDashboard(result.lines);

		const v2 = /^- v2 messages: (\d+) \((\d+) pending, (\d+) delivered, (\d+) read\)$/;
		assertLines(
			head,
			[
				'Cross-LLM Session Dashboard',
				RULE,
				'2 active sessions | 1 file lock | 2 task claims | 1 alert | 3 unread',
				...claudeBlock(),
				...codexBlock(),
				'**Operator Alerts (ADR-173):**',
				/^- project_conflict \(priority 3\/critical\): claude-29583 \+ codex-41200 both on PILOT( \[pending\])?$/,
				'- Coordinate task boundaries to avoid overlap',
				'**Session Lifecycle (ADR-173, last 10):**',
				new RegExp(`^- ${ISO_SECONDS} started (claude-29583|codex-41200) \\(PILOT\\)$`),
				new RegExp(`^- ${ISO_SECONDS} started (claude-29583|codex-41200) \\(PILOT\\)$`),
				'**Bus Statistics:**',
				'- Active sessions: 2 / 2 historical',
				'- File locks: 1',
				'- Task claims: 2 (H.13.7, J.27.4)',
				'- Legacy messages: 3',
				v2,
				'- Unread alerts: 1',
				new RegExp(`^- Database: \`${escapeRegExp(dbPath)}\` \\(\\d+ (B|KB), WAL mode\\)$`),
				'**Observations:**',
			],
			'dashboard',
		);
		// Both lifecycle events, one each.
		const events = head
			.filter(line => / started /.test(line))
			.map(line => line.split(' ')[3])
			.sort();
		assert.deepEqual(events, ['claude-29583', 'codex-41200']);
		// v2 total = its breakdown: 1 alert + 3 directed + 2 lifecycle, all pending when read.
		const [, total, pending, delivered, read] = head
			.find(line => v2.test(line))!
			.match(v2)!
			.map(Number);
		assert.equal(total, pending + delivered + read);
		assert.deepEqual([total, pending, delivered, read], [6, 6, 0, 0]);
		assert.ok(!result.stdout.includes('**TTY:**'), 'no TTY line when tty is NULL');

		// Observations, in the documented order.
		const expectedOrder = [
			/^- All 2 PIDs confirmed alive via `ps`$/,
			new RegExp(`^- Both sessions on same machine \\(\`d3d3a316-\\.\\.\\.\` / \`${escapeRegExp(HOST)}\`\\)$`),
			/^- No file lock conflicts detected$/,
			/^- 1 operator alert: project_conflict \(PILOT shared by 2 sessions.* — ensure non-overlapping tasks\)$/,
			/^- Session lifecycle: .*2 started.*2 active sessions/,
		];
		let from = 0;
		for (const pattern of expectedOrder) {
			const index = observations.findIndex((line, i) => i >= from && pattern.test(line));
			assert.ok(index >= 0, `observation ${pattern} missing or out of order:\n${observations.join('\n')}`);
			from = index + 1;
		}
		assert.ok(observations.some(line => line === '- No shared session UUIDs (no /continue siblings)'));

		const file = path.join(logDir, 'PILOT', fs.readdirSync(path.join(logDir, 'PILOT'))[0]);
		assertLines(tail, [RULE, `Session log entry appended: ${file}`], 'after observations');
		assert.ok(fs.statSync(file).size > 0);
	});

	it('--session claude-29583 marks (THIS SESSION); --session codex-41200 also moves that block first', () => {
		const dbPath = documentedDb();
		const claudeRun = run(['--db', dbPath, '--once', '--no-log', '--session', 'claude-29583']);
		assert.ok(claudeRun.lines.includes('**Session: claude-29583** (THIS SESSION)'), claudeRun.stdout);
		assert.ok(claudeRun.lines.includes('**Session: codex-41200**'));
		assert.equal(claudeRun.stdout.split('(THIS SESSION)').length, 2, 'exactly one marker');

		const codexRun = run(['--db', dbPath, '--once', '--no-log', '--session', 'codex-41200']);
		const headers = codexRun.lines.filter(line => line.startsWith('**Session: '));
		assert.deepEqual(headers, ['**Session: codex-41200** (THIS SESSION)', '**Session: claude-29583**']);
		const start = codexRun.lines.indexOf(headers[0]);
		assertLines(codexRun.lines.slice(start, start + 11), codexBlock(' (THIS SESSION)'), 'current block');
		assert.ok(
			codexRun.lines.some(line => /^- Current session: codex-41200 \(PILOT, 1 claim, 0 locks, 0 unread\)$/.test(line)),
			codexRun.stdout,
		);

		const none = run(['--db', dbPath, '--once', '--no-log']);
		assert.ok(!none.stdout.includes('(THIS SESSION)'), 'no marker without a current session');
	});

	it('the session registered at an ancestor PID of the CLI (this test process) is found without --session', () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({
			sessionId: `claude-${process.pid}`,
			hostname: HOST,
			vendor: 'claude',
			model: 'opus-4.6',
			projectId: 'PILOT',
			pid: process.pid,
		});
		bus.register({sessionId: 'codex-other', hostname: HOST, vendor: 'codex', projectId: 'PILOT', pid: codex.pid!});
		bus.close();
		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.ok(result.lines.includes(`**Session: claude-${process.pid}** (THIS SESSION)`), result.stdout);
	});

	it('shows the TTY line, between Project and CWD, only when tty is set', () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({
			sessionId: 'claude-1',
			hostname: HOST,
			vendor: 'claude',
			model: 'opus-4.6',
			projectId: 'PILOT',
			tty: '/dev/ttys003',
			cwd: '/w',
			pid: claude.pid!,
		});
		bus.register({sessionId: 'codex-2', hostname: HOST, vendor: 'codex', projectId: null, cwd: '/v', pid: codex.pid!});
		bus.close();
		const {lines, stdout} = run(['--db', dbPath, '--once', '--no-log']);
		const at = lines.indexOf('- **TTY:** /dev/ttys003');
		assert.ok(at > 0, stdout);
		assert.equal(lines[at - 1], '- **Project:** PILOT');
		assert.equal(lines[at + 1], '- **CWD:** `/w`');
		assert.equal(stdout.split('**TTY:**').length, 2, 'only the session with a tty has the line');
		assert.ok(lines.includes('- **Project:** (not set)'), 'a NULL project is (not set)');
		assert.ok(lines.includes('- **Vendor:** codex'), 'no model: vendor alone');
	});

	it('with no active session prints the documented message and the register hint', () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-gone', hostname: HOST, vendor: 'claude', pid: claude.pid!});
		bus.end('claude-gone');
		bus.close();
		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, 0, result.stderr);
		assert.deepEqual(result.lines.slice(0, 2), ['Cross-LLM Session Dashboard', RULE]);
		assert.match(result.lines[2], /^0 active sessions\b/);
		const body = result.lines.slice(3).filter(line => line !== '');
		assert.deepEqual(body.slice(0, 2), ['No LLM sessions are currently registered.', 'Run /session-register to register this session.']);
		assert.ok(!result.stdout.includes('**Session: '), 'an ended session has no block');
		assert.ok(result.lines.includes('- Active sessions: 0 / 1 historical'));
	});
});

describe('the delivery loop', () => {
	it('--once marks the shown pending alert delivered; directed messages and legacy rows stay as they were', () => {
		const dbPath = documentedDb();
		const writer = new BusWriter(dbPath);
		const readAlert = writer.send({
			senderId: 'detector',
			channel: 'operator_alerts',
			messageType: 'cwd_overlap',
			priority: 2,
			status: 'read',
			payload: {sessions: ['a', 'b']},
		});
		const toCodex = writer.send({
			senderId: 'claude-29583',
			recipientId: 'codex-41200',
			channel: 'coordination',
			payload: {text: 'for codex'},
		});
		writer.close();
		const before = Date.now();
		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, 8, result.stderr);
		const rows = messageRows(dbPath);
		const alert = rows.find(row => row.channel === 'operator_alerts' && row.message_type === 'project_conflict')!;
		assert.equal(alert.status, 'delivered');
		assert.ok(alert.delivered_at !== null, 'delivered_at set');
		const deliveredAt = parseTimestamp(alert.delivered_at)!;
		assert.ok(deliveredAt >= before - 1000 && deliveredAt <= Date.now() + 1000, `delivered_at ${alert.delivered_at}`);
		assert.equal(rows.find(row => row.id === readAlert)!.status, 'read', 'never moved backwards');

		const directed = rows.filter(row => row.recipient_id === 'claude-29583');
		assert.equal(directed.length, 3);
		// Without a current session nobody's mail is shown to its recipient.
		for (const row of directed) {
			assert.equal(row.status, 'pending', 'an operator view does not deliver an agent its mail');
			assert.equal(row.delivered_at, null);
		}
		for (const row of rows.filter(row => row.message_type === null)) assert.equal(row.status, 'pending', 'legacy rows untouched');
		for (const row of rows.filter(row => row.channel === 'session_lifecycle')) assert.equal(row.status, 'pending');

		assert.equal(rows.find(row => row.id === toCodex)!.status, 'pending');

		// A second run, as claude-29583: the alert is already delivered, codex's mail is not claude's to deliver.
		const dump = dumpDatabase(dbPath);
		const again = run(['--db', dbPath, '--once', '--no-log', '--session', 'claude-29583']);
		assert.equal(again.code, 8, 'a delivered critical alert is still open');
		const after = messageRows(dbPath);
		assert.equal(after.find(row => row.id === toCodex)!.status, 'pending');
		assert.equal(after.find(row => row.id === alert.id)!.delivered_at, alert.delivered_at, 'delivered once, not again');
		assert.deepEqual(
			dumpDatabase(dbPath)['session_messages'].filter(row => (row as {recipient_id: string | null}).recipient_id !== 'claude-29583'),
			dump['session_messages'].filter(row => (row as {recipient_id: string | null}).recipient_id !== 'claude-29583'),
		);
	});

	it("--unread --session claude-29583 --once delivers that session's messages, and only those", () => {
		const dbPath = documentedDb();
		const bus = new BusWriter(dbPath);
		const toCodex = bus.send({senderId: 'claude-29583', recipientId: 'codex-41200', channel: 'coordination', payload: {text: 'for codex'}});
		bus.close();
		const result = run(['--db', dbPath, '--unread', '--session', 'claude-29583', '--once']);
		assert.equal(result.lines[0], 'Unread Messages for claude-29583');
		assert.equal(result.lines[1], RULE);
		assert.equal(result.lines[2], '3 unread messages');
		assert.ok(result.lines.includes('claude-29583: 3 (3 coordination)'), result.stdout);
		const shown = result.lines.filter(line => /^\[NORMAL\] #\d+ coordination from codex-41200 to claude-29583 — .*: note \d$/.test(line));
		assert.equal(shown.length, 3, result.stdout);
		assert.ok(!result.stdout.includes('for codex'), "another recipient's mail is not shown");

		const rows = messageRows(dbPath);
		for (const row of rows.filter(row => row.recipient_id === 'claude-29583')) {
			assert.equal(row.status, 'delivered');
			assert.ok(row.delivered_at !== null);
		}
		assert.equal(rows.find(row => row.id === toCodex)!.status, 'pending');
		assert.equal(
			rows.find(row => row.channel === 'operator_alerts')!.status,
			'pending',
			'the unread view shows no alert, so delivers none',
		);
	});

	it('--unread without a current session lists every recipient and delivers nothing', () => {
		const dbPath = documentedDb();
		const dump = dumpDatabase(dbPath);
		const result = run(['--db', dbPath, '--unread', '--once']);
		assert.equal(result.lines[0], 'Unread Messages (all recipients)');
		assert.deepEqual(dumpDatabase(dbPath), dump);
	});

	it('sections that show no alert (--stats, --lifecycle, --locks, --claims) deliver nothing', () => {
		const dbPath = documentedDb();
		const dump = dumpDatabase(dbPath);
		for (const flag of ['--stats', '--lifecycle', '--locks', '--claims']) {
			const result = run(['--db', dbPath, flag, '--once']);
			assert.equal(result.code, 8, `${flag}: ${result.stderr}`);
			assert.deepEqual(dumpDatabase(dbPath), dump, `${flag} wrote to the database`);
		}
	});

	it('--read-only changes no row and says what it would release', async () => {
		const dbPath = documentedDb();
		const dead = await deadPid();
		const bus = new BusWriter(dbPath);
		bus.register({
			sessionId: 'gemini-77',
			hostname: HOST,
			vendor: 'gemini',
			projectId: 'PILOT',
			pid: dead,
			registeredAt: Date.now() - 20 * 60_000,
		});
		bus.lock('gone.py', 'gemini-77');
		bus.close();
		const dump = dumpDatabase(dbPath);
		const result = run(['--db', dbPath, '--once', '--read-only', '--no-log']);
		assert.equal(result.code, 8, result.stderr);
		assert.deepEqual(dumpDatabase(dbPath), dump);
		assert.ok(
			result.lines.some(line => /^- Read-only: would release stale session gemini-77 \(heartbeat 20m ago; 1 lock, 0 claims\)$/.test(line)),
			result.stdout,
		);
	});

	it('--json changes nothing and writes no log', async () => {
		const dbPath = documentedDb();
		const dead = await deadPid();
		const bus = new BusWriter(dbPath);
		bus.register({
			sessionId: 'gemini-77',
			hostname: HOST,
			vendor: 'gemini',
			projectId: 'PILOT',
			pid: dead,
			registeredAt: Date.now() - 20 * 60_000,
		});
		bus.close();
		const home = scratch();
		const logDir = path.join(home, 'logs');
		const dump = dumpDatabase(dbPath);
		const result = run(['--db', dbPath, '--json', '--log-dir', logDir], {home});
		assert.equal(result.code, 0, result.stderr);
		JSON.parse(result.stdout);
		assert.deepEqual(dumpDatabase(dbPath), dump);
		assert.ok(!fs.existsSync(logDir), 'no log folder');
		assert.deepEqual(listTree(home), [], 'nothing written in HOME either');
	});
});

describe('stale sessions', () => {
	it('an old heartbeat and a dead PID: --once releases the session, its locks and claims', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const dead = await deadPid();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', hostname: HOST, vendor: 'claude', projectId: 'PILOT', pid: claude.pid!});
		bus.register({
			sessionId: 'codex-dead',
			hostname: HOST,
			vendor: 'codex',
			projectId: 'PILOT',
			cwd: '/w',
			pid: dead,
			registeredAt: Date.now() - 20 * 60_000,
		});
		bus.claim('T.1', 'codex-dead');
		bus.lock('a.py', 'codex-dead');
		bus.lock('b.py', 'claude-1');
		bus.close();

		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(
			result.lines.some(line => /^- Released stale session codex-dead \(heartbeat 20m ago; 1 lock, 1 claim\)$/.test(line)),
			result.stdout,
		);
		assert.ok(!result.stdout.includes('**Session: codex-dead**'), 'a released session is not active');
		assert.match(result.lines[2], /^1 active session \| 1 file lock \| 0 task claims/);

		withDb(dbPath, db => {
			assert.equal(
				(db.prepare(`SELECT status FROM session_registry WHERE session_id = 'codex-dead'`).get() as {status: string}).status,
				'stale',
			);
			assert.equal(
				(db.prepare(`SELECT status FROM session_registry WHERE session_id = 'claude-1'`).get() as {status: string}).status,
				'active',
			);
			assert.deepEqual(db.prepare(`SELECT task_id FROM task_claims`).all(), []);
			assert.deepEqual(db.prepare(`SELECT file_path FROM file_locks`).all(), [{file_path: 'b.py'}]);
			const ended = db
				.prepare(
					`SELECT sender_id, payload, created_at FROM session_messages WHERE channel = 'session_lifecycle' AND message_type = 'ended'`,
				)
				.all() as Array<{sender_id: string; payload: string; created_at: string}>;
			assert.equal(ended.length, 1);
			assert.equal(ended[0].sender_id, 'codex-dead');
			const payload = JSON.parse(ended[0].payload) as Record<string, unknown>;
			assert.equal(payload['reason'], 'heartbeat expired');
			assert.equal(payload['session_id'], 'codex-dead');
			assert.equal(payload['project_id'], 'PILOT');
			assert.ok(parseTimestamp(ended[0].created_at)! > Date.now() - 60_000);
		});

		// The released session's lifecycle event shows in --lifecycle.
		const lifecycle = run(['--db', dbPath, '--lifecycle', '--once']);
		assert.match(lifecycle.lines[2], new RegExp(`^${ISO_SECONDS} ended codex-dead PILOT /w \\(heartbeat expired\\)$`));
	});

	it('an old heartbeat but a live PID on this host is kept and shown as heartbeat late', () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-late', hostname: HOST, vendor: 'claude', projectId: 'PILOT', pid: claude.pid!});
		bus.heartbeat('claude-late', Date.now() - 10 * 60_000);
		bus.lock('kept.py', 'claude-late');
		bus.close();
		const dump = dumpDatabase(dbPath);

		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(result.lines.includes('**Session: claude-late**'), result.stdout);
		assert.ok(
			result.lines.some(line => /^- \*\*Heartbeat:\*\* 10m ago \(late; PID alive, kept\)$/.test(line)),
			result.stdout,
		);
		assert.ok(
			result.lines.some(line => /^- Heartbeat late but PID alive, kept: claude-late \(heartbeat 10m ago\)$/.test(line)),
			result.stdout,
		);
		assert.ok(!result.stdout.includes('Released'));
		assert.deepEqual(dumpDatabase(dbPath), dump, 'not released: nothing written');

		const json = JSON.parse(run(['--db', dbPath, '--json']).stdout) as {
			sessions: Array<{sessionId: string; state: string; liveness: string}>;
		};
		assert.deepEqual(
			json.sessions.map(s => [s.sessionId, s.state, s.liveness]),
			[['claude-late', 'late', 'alive']],
		);
	});

	it('a live PID whose process started after the session registered is shown as PID reused', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const child = liveProcess();
		extraChildren.push(child);
		await once(child, 'spawn');
		const bus = new BusWriter(dbPath);
		bus.register({
			sessionId: 'codex-old',
			hostname: HOST,
			vendor: 'codex',
			projectId: 'PILOT',
			pid: child.pid!,
			registeredAt: Date.now() - 3_600_000,
		});
		bus.heartbeat('codex-old');
		bus.close();

		const result = run(['--db', dbPath, '--once', '--no-log']);
		assert.ok(
			result.lines.some(line =>
				new RegExp(`^- \\*\\*PID:\\*\\* ${child.pid} \\(PID reused: its process started .*after this session registered\\)$`).test(line),
			),
			result.stdout,
		);
		assert.ok(
			result.lines.some(line => line.includes(`PID reused by a newer process: codex-old (PID ${child.pid})`)),
			result.stdout,
		);
		const json = JSON.parse(run(['--db', dbPath, '--json']).stdout) as {sessions: Array<{liveness: string}>};
		assert.equal(json.sessions[0].liveness, 'reused');
	});
});

/** Hostile text: CSI, OSC 52 (clipboard), BEL, C1 CSI, bidi override and isolate, NUL, DEL, CR/LF/TAB, NEL, RLM. */
const H = 'x\u001b[2J\u001b[31mRED\u001b]52;c;SGVsbG8=\u0007\u009b1;31m\u202eevil\u2066\u0000NUL\u007f\r\n\tend\u0085\u200f';

function hostileDb(livePid: number): string {
	const dbPath = path.join(scratch(), 'messaging.db');
	new BusWriter(dbPath).close();
	withDb(dbPath, db => {
		const now = new Date().toISOString();
		const sid = `hostile-${H}`;
		const session = db.prepare(
			`INSERT INTO session_registry (session_id, session_uuid, machine_uuid, hostname, llm_vendor, llm_model, project_id, tty, cwd, pid, status, registered_at, last_heartbeat, metadata)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		);
		// Active (valid status and times), every other text column hostile.
		session.run(sid, H, H, H, H, H, H, H, H, livePid, 'active', now, now, JSON.stringify({[H]: H, nested: [H, {k: H}]}));
		// Active on this host with a live PID: its block prints with liveness checked.
		session.run('local-1', H, H, HOST, H, H, H, H, H, livePid, 'active', now, now, H);
		// Everything hostile, times and status and pid included.
		session.run(H, H, H, H, H, H, H, H, H, H, H, H, H, H);
		const claim = db.prepare(`INSERT INTO task_claims (task_id, session_id, claim_type, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?)`);
		claim.run(H, sid, H, now, null);
		claim.run(`${H}2`, H, H, H, H);
		const lock = db.prepare(`INSERT INTO file_locks (file_path, session_id, lock_type, locked_at, expires_at) VALUES (?, ?, ?, ?, ?)`);
		lock.run(`/p/${H}`, sid, 'exclusive', now, null);
		lock.run(`/p/${H}/inner`, 'local-1', 'exclusive', now, null);
		lock.run(H, H, H, H, H);
		const message = db.prepare(
			`INSERT INTO session_messages (sender_id, channel, payload, created_at, ttl_seconds, sender_session_uuid, recipient_id, message_type, priority, status, project_id, task_id, activity, reply_to, expires_at, delivered_at, read_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		);
		const payload = JSON.stringify({
			sessions: [sid, H],
			project_id: H,
			cwd: H,
			file_path: H,
			task_id: H,
			action: H,
			text: H,
			session_id: H,
			reason: H,
			[H]: H,
		});
		for (const type of ['project_conflict', 'cwd_overlap', 'file_conflict', 'task_conflict', H]) {
			message.run(H, 'operator_alerts', payload, now, null, H, null, type, 3, 'pending', H, H, H, null, null, null, null);
		}
		message.run(H, 'operator_alerts', H, now, null, H, null, H, 2, 'delivered', H, H, H, null, null, H, H);
		message.run(H, H, payload, now, null, H, sid, H, 3, 'pending', H, H, H, null, null, null, null);
		message.run(H, H, H, now, null, H, 'local-1', H, 1, 'pending', H, H, H, null, null, null, null);
		message.run(H, 'session_lifecycle', payload, now, null, H, null, 'started', 1, 'pending', H, H, H, null, null, null, null);
		message.run(H, 'session_lifecycle', H, H, null, H, null, H, 1, H, H, H, H, null, H, H, H);
		message.run(H, H, H, H, null, H, null, null, 1, H, H, H, H, null, H, H, H);
		message.run(H, H, payload, now, null, H, null, H, 1, H, H, H, H, null, null, null, null);
	});
	return dbPath;
}

describe('--json', () => {
	it('parses, and carries sessions with liveness and state, observations and counts', () => {
		const dbPath = documentedDb();
		const result = run(['--db', dbPath, '--json', '--session', 'claude-29583']);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stderr, '');
		const doc = JSON.parse(result.stdout) as {
			sessions: Array<{
				sessionId: string;
				liveness: string;
				state: string;
				isCurrent: boolean;
				pid: number;
				claims: string[];
				locks: string[];
				unread: number;
			}>;
			observations: string[];
			counts: Record<string, unknown>;
			currentSessionId: string;
			database: {path: string; journalMode: string};
		};
		assert.deepEqual(
			doc.sessions.map(s => [s.sessionId, s.liveness, s.state, s.isCurrent, s.pid]),
			[
				['claude-29583', 'alive', 'active', true, claude.pid],
				['codex-41200', 'alive', 'active', false, codex.pid],
			],
		);
		assert.deepEqual(doc.sessions[0].claims, ['H.13.7']);
		assert.deepEqual(doc.sessions[0].locks, ['session_message_bus.py']);
		assert.equal(doc.sessions[0].unread, 3);
		assert.equal(doc.currentSessionId, 'claude-29583');
		assert.ok(Array.isArray(doc.observations) && doc.observations.length > 0);
		assert.ok(doc.observations.every(line => typeof line === 'string'));
		assert.ok(doc.observations.includes('All 2 PIDs confirmed alive via `ps`'));
		assert.deepEqual(
			{...doc.counts, v2ByStatus: undefined},
			{
				activeSessions: 2,
				historicalSessions: 2,
				staleSessions: 0,
				fileLocks: 1,
				taskClaims: 2,
				openAlerts: 1,
				unreadMessages: 3,
				legacyMessages: 3,
				v2Messages: 6,
				v2ByStatus: undefined,
			},
		);
		assert.deepEqual(doc.counts['v2ByStatus'], {pending: 6});
		assert.equal(doc.database.path, dbPath);
		assert.equal(doc.database.journalMode, 'WAL');
	});

	it('holds no raw control character even when every text column and payload is hostile', () => {
		const dbPath = hostileDb(claude.pid!);
		const result = run(['--db', dbPath, '--json']);
		assert.equal(result.code, 0, result.stderr);
		const text = result.raw.toString('utf8');
		const found = RAW_CONTROL.exec(text);
		assert.equal(
			found,
			null,
			`raw control U+${found?.[0].charCodeAt(0).toString(16)} at ${found?.index}: ${JSON.stringify(text.slice((found?.index ?? 0) - 40, (found?.index ?? 0) + 40))}`,
		);
		for (const byte of result.raw) assert.ok(byte >= 0x20 || byte === 0x0a, `raw byte 0x${byte.toString(16)}`);
		const doc = JSON.parse(text) as {
			sessions: Array<{cwd: string; sessionId: string}>;
			alerts: unknown[];
			lifecycle: unknown[];
			unread: {messages: unknown[]};
		};
		// The hostile text is there, escaped, not dropped.
		assert.equal(doc.sessions.length, 3);
		assert.ok(
			doc.sessions.every(
				s => s.cwd.includes('\\x1b[2J') && s.cwd.includes('\\x9b') && s.cwd.includes('\\u202e') && s.cwd.includes('\\x00'),
			),
			JSON.stringify(doc.sessions.map(s => s.cwd)),
		);
		assert.ok(doc.alerts.length >= 5);
		assert.ok(doc.lifecycle.length >= 2);
		assert.ok(doc.unread.messages.length >= 2);
	});

	it('the printed dashboard and every section of a hostile bus hold no raw control character either', () => {
		const dbPath = hostileDb(claude.pid!);
		const logDir = scratch();
		const outputs: Array<[string, string]> = [];
		for (const args of [
			['--once', '--log-dir', logDir, '--verbose'],
			['--stats'],
			['--alerts', '--verbose'],
			['--lifecycle'],
			['--locks'],
			['--claims'],
			['--unread'],
			['--unread', '--session', 'local-1'],
		]) {
			const result = run(['--db', dbPath, '--once', ...args]);
			assert.notEqual(result.code, null, `${args.join(' ')} was killed`);
			assert.ok([0, 8].includes(result.code!), `${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
			outputs.push([`${args.join(' ')} stdout`, result.stdout], [`${args.join(' ')} stderr`, result.stderr]);
		}
		const logs = listTree(logDir).filter(name => name.endsWith('.md'));
		assert.equal(logs.length, 1);
		outputs.push(['log', fs.readFileSync(path.join(logDir, logs[0]), 'utf8')]);
		for (const [what, text] of outputs) {
			const found = RAW_CONTROL.exec(text);
			assert.equal(
				found,
				null,
				`${what}: raw control U+${found?.[0].charCodeAt(0).toString(16)}: ${JSON.stringify(text.slice((found?.index ?? 0) - 40, (found?.index ?? 0) + 40))}`,
			);
		}
		assert.ok(outputs[0][1].includes('\\x1b[2J'), 'hostile text shown escaped');
	});
});

describe('sections', () => {
	function sectionDb(): string {
		const dbPath = documentedDb();
		const bus = new BusWriter(dbPath);
		bus.alert({
			type: 'cwd_overlap',
			priority: 2,
			sessions: ['claude-29583', 'codex-41200'],
			cwd: CLAUDE_CWD,
			action: 'One session should work in a subdirectory',
		});
		bus.lifecycle('ended', {sessionId: 'claude-88200', projectId: 'PILOT', reason: 'session ended normally', at: Date.now() - 3_600_000});
		bus.close();
		return dbPath;
	}

	it('--stats prints the documented statistics block', () => {
		const dbPath = documentedDb();
		const result = run(['--db', dbPath, '--stats', '--once']);
		assert.equal(result.code, 8);
		assert.deepEqual(result.lines.slice(0, 2), ['Inter-Session Message Bus Statistics', RULE]);
		const documented: Array<string | RegExp> = [
			'Active sessions: 2',
			'Total sessions: 2 (historical)',
			'Legacy messages: 3',
			'v2 messages: 6',
			'v2 pending: 6',
			'Unread alerts: 1',
			'File locks: 1',
			'Task claims: 2',
			/^Database size: \d+ (B|KB)$/,
			`Database path: ${dbPath}`,
			'Journal mode: WAL',
		];
		let from = 2;
		for (const want of documented) {
			const index = result.lines.findIndex((line, i) => i >= from && (typeof want === 'string' ? line === want : want.test(line)));
			assert.ok(index >= 0, `${want} missing or out of order:\n${result.stdout}`);
			from = index + 1;
		}
		assert.ok(!result.stdout.includes('Session log entry appended'), 'a section is not logged');
	});

	it('--sessions prints every active detail block, the current session first, then a line per stale session', async () => {
		const dbPath = documentedDb();
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'gemini-old', hostname: HOST, vendor: 'gemini', pid: await deadPid(), registeredAt: Date.now() - 20 * 60_000});
		bus.close();
		const dump = dumpDatabase(dbPath);
		const result = run(['--db', dbPath, '--sessions', '--once', '--read-only', '--session', 'codex-41200']);
		assert.equal(result.code, 8, result.stderr);
		assertLines(
			result.lines,
			[
				'Sessions',
				RULE,
				'2 active sessions',
				'',
				...codexBlock(' (THIS SESSION)'),
				'',
				...claudeBlock(),
				'',
				'Stale: gemini-old (heartbeat 20m ago)',
			],
			'--sessions',
		);
		assert.deepEqual(dumpDatabase(dbPath), dump, '--read-only wrote nothing');
		assert.ok(!result.stdout.includes('Session log entry appended'), 'a section is not logged');
	});

	it('--alerts prints the documented alert blocks, highest priority first, and delivers them', () => {
		const dbPath = sectionDb();
		const result = run(['--db', dbPath, '--alerts', '--once']);
		assert.equal(result.code, 8, result.stderr);
		const lines = result.lines.filter(line => line !== '' && !line.startsWith('Status: '));
		assertLines(
			lines,
			[
				'Operator Alerts',
				RULE,
				'2 unread alerts',
				new RegExp(`^\\[CRITICAL\\] project_conflict — ${ISO_SECONDS}$`),
				'Sessions: claude-29583, codex-41200',
				'Project: PILOT',
				'Action: Coordinate task boundaries to avoid overlap',
				new RegExp(`^\\[HIGH\\] cwd_overlap — ${ISO_SECONDS}$`),
				'Sessions: claude-29583, codex-41200',
				`CWD: ${CLAUDE_CWD}`,
				'Action: One session should work in a subdirectory',
			],
			'--alerts',
		);
		const alerts = messageRows(dbPath).filter(row => row.channel === 'operator_alerts');
		assert.deepEqual(
			alerts.map(row => row.status),
			['delivered', 'delivered'],
		);
		assert.ok(
			messageRows(dbPath)
				.filter(row => row.recipient_id !== null)
				.every(row => row.status === 'pending'),
		);
	});

	it('--lifecycle prints the newest events first in the documented line format', () => {
		const dbPath = sectionDb();
		const result = run(['--db', dbPath, '--lifecycle', '--once']);
		assert.deepEqual(result.lines.slice(0, 2), ['Session Lifecycle Events (last 20)', RULE]);
		const body = result.lines.slice(2);
		assert.equal(body.length, 3, result.stdout);
		const started = body.filter(line => / started /.test(line));
		assert.ok(
			started.some(line => new RegExp(`^${ISO_SECONDS} started claude-29583 PILOT ${escapeRegExp(CLAUDE_CWD)}$`).test(line)),
			result.stdout,
		);
		assert.ok(
			started.some(line => new RegExp(`^${ISO_SECONDS} started codex-41200 PILOT ${escapeRegExp(CODEX_CWD)}$`).test(line)),
			result.stdout,
		);
		assert.match(body[2], / ended claude-88200 PILOT \(session ended normally\)$/, 'by time: the newest id, an hour older, comes last');
	});

	it('--locks and --claims list holder, type and expiry', () => {
		const dbPath = documentedDb();
		const bus = new BusWriter(dbPath);
		bus.lock('paths.py', 'ghost-1', {type: 'shared', expiresAt: Date.now() + 30 * 60_000});
		bus.close();
		const locks = run(['--db', dbPath, '--locks', '--once']);
		assert.deepEqual(locks.lines.slice(0, 3), ['File Locks', RULE, '2 file locks']);
		assert.ok(
			locks.lines.some(line => /^session_message_bus\.py — claude-29583 \(exclusive, since \d+s ago, no expiry\)$/.test(line)),
			locks.stdout,
		);
		assert.ok(
			locks.lines.some(line =>
				/^paths\.py — ghost-1 \[holder not registered\] \(shared, since \d+s ago, expires in (29|30)m\)$/.test(line),
			),
			locks.stdout,
		);

		const claims = run(['--db', dbPath, '--claims', '--once']);
		assert.deepEqual(claims.lines.slice(0, 3), ['Task Claims', RULE, '2 task claims']);
		assert.ok(
			claims.lines.some(line => /^H\.13\.7 — claude-29583 \(exclusive, since \d+s ago, no expiry\)$/.test(line)),
			claims.stdout,
		);
		assert.ok(
			claims.lines.some(line => /^J\.27\.4 — codex-41200 \(exclusive, since \d+s ago, no expiry\)$/.test(line)),
			claims.stdout,
		);
	});

	it('two section flags at once is a usage error (exit 2)', () => {
		const dbPath = documentedDb();
		const dump = dumpDatabase(dbPath);
		for (const pair of [
			['--stats', '--alerts'],
			['--locks', '--claims'],
			['--unread', '--lifecycle'],
		]) {
			const result = run(['--db', dbPath, '--once', ...pair]);
			assert.equal(result.code, 2, `${pair.join(' ')}: ${result.stdout}`);
			assert.equal(result.stdout, '');
			assert.match(result.stderr, /choose one view/);
			assert.ok(result.stderr.includes(pair[0]) && result.stderr.includes(pair[1]));
		}
		assert.deepEqual(dumpDatabase(dbPath), dump);
	});
});

describe('errors', () => {
	it('a missing database: exit 3, names the path, --db and the demo, no stack trace', () => {
		const missing = path.join(scratch(), 'nowhere', 'messaging.db');
		const result = run(['--db', missing, '--once']);
		assert.equal(result.code, 3);
		assert.equal(result.stdout, '');
		assert.ok(result.stderr.includes(missing), result.stderr);
		assert.ok(result.stderr.includes('--db'));
		assert.ok(result.stderr.includes('session-status demo'));
		assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
	});

	it('the default database lives under HOME', () => {
		const home = scratch();
		const result = run(['--once'], {home});
		assert.equal(result.code, 3);
		assert.ok(result.stderr.includes(path.join(home, '.coditect-data', 'context-storage', 'messaging.db')), result.stderr);
	});

	it('a text file: exit 4, no stack trace', () => {
		const file = path.join(scratch(), 'notes.txt');
		fs.writeFileSync(file, 'these are notes, not a database\n'.repeat(100));
		const result = run(['--db', file, '--once']);
		assert.equal(result.code, 4, result.stderr);
		assert.ok(result.stderr.includes(file));
		assert.match(result.stderr, /not an SQLite database/);
		assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
		assert.equal(fs.readFileSync(file, 'utf8'), 'these are notes, not a database\n'.repeat(100), 'left untouched');
	});

	it('a database held under an exclusive lock by another process: reads or exits 5 quickly, no stack trace', async () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const setup = new BusWriter(dbPath);
		setup.register({sessionId: 'claude-1', hostname: HOST, vendor: 'claude', pid: claude.pid!});
		setup.db.pragma('journal_mode = DELETE');
		setup.close();
		const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
		const holder = spawn(
			process.execPath,
			[
				'-e',
				`const Database = require(${JSON.stringify(sqlite)});
				 const db = new Database(process.argv[1]);
				 if (db.pragma('journal_mode', {simple: true}) !== 'delete') throw new Error('not a rollback-journal database');
				 db.exec('BEGIN EXCLUSIVE');
				 db.prepare("UPDATE session_registry SET cwd = 'held'").run();
				 process.stdout.write('locked\\n');
				 setTimeout(() => {}, 60000);`,
				dbPath,
			],
			{stdio: ['ignore', 'pipe', 'inherit']},
		);
		extraChildren.push(holder);
		try {
			const [chunk] = (await once(holder.stdout, 'data')) as [Buffer];
			assert.equal(chunk.toString().trim(), 'locked');
			const result = run(['--db', dbPath, '--once', '--no-log'], {timeoutMs: 15_000});
			assert.ok(result.ms < 5000, `took ${result.ms} ms`);
			assert.ok(result.code === 0 || result.code === 5, `exit ${result.code}: ${result.stderr}`);
			if (result.code === 5) assert.match(result.stderr, /locked/i);
			else assert.ok(result.stdout.includes('Cross-LLM Session Dashboard'));
			assert.ok(!result.stderr.includes(STACK_FRAME), result.stderr);
			assert.ok(!result.stderr.includes('unexpected error'), result.stderr);
		} finally {
			holder.kill('SIGKILL');
			await once(holder, 'exit').catch(() => undefined);
		}
	});

	it('a reader that goes away (`| head -1`) ends the run quietly, exit 0', async () => {
		const dbPath = documentedDb();
		// Locks enough for an output far larger than a pipe's buffer (64 KiB).
		withDb(dbPath, db => {
			const holder = (db.prepare(`SELECT session_id FROM session_registry LIMIT 1`).get() as {session_id: string}).session_id;
			const insert = db.prepare(
				`INSERT INTO file_locks (file_path, session_id, lock_type, locked_at) VALUES (?, ?, 'exclusive', datetime('now'))`,
			);
			for (let i = 0; i < 3000; i++) insert.run(`/work/project/src/module-${i}/a-rather-long-file-name-${i}.ts`, holder);
		});
		const child = spawn(process.execPath, [CLI, '--once', '--no-log', '--read-only', '--db', dbPath], {stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.on('data', chunk => (stderr += chunk));
		// The reader closes its end before the dashboard is written.
		child.stdout.destroy();
		const [code] = (await once(child, 'exit')) as [number | null];
		assert.equal(stderr, '');
		assert.equal(code, 0);
	});

	it('an unknown flag: exit 2', () => {
		const result = run(['--no-such-flag']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /no-such-flag/);
		assert.equal(result.stdout, '');
	});

	it('an unknown flag near a known one: the suggestion; far from all: none', () => {
		const near = run(['--onse']);
		assert.equal(near.code, 2);
		assert.equal(near.stderr.split('\n')[0], 'session-status: Unknown option --onse. Did you mean --once?');
		const far = run(['--no-such-flag']);
		assert.equal(far.stderr.split('\n')[0], 'session-status: Unknown option --no-such-flag.');
	});

	it('--tab with a bad value names the accepted ones, and the bad value once', () => {
		const result = run(['--tab', 'nope']);
		assert.equal(result.code, 2);
		for (const id of TAB_IDS) assert.ok(result.stderr.includes(id), id);
		assert.equal(result.stderr.split('nope').length, 2, result.stderr);
	});

	it('--stale-timeout -5 says what it takes, not that the argument is ambiguous', () => {
		for (const args of [['--stale-timeout', '-5'], ['--stale-timeout=-5']]) {
			const result = run(args);
			assert.equal(result.code, 2);
			assert.equal(result.stderr.split('\n')[0], 'session-status: --stale-timeout takes a positive number of seconds, not "-5"');
		}
		assert.match(run(['--stale-timeout']).stderr, /^session-status: --stale-timeout takes a positive number of seconds; none was given\n/);
	});

	it('--help: every description starts in one column, apart from even the longest flag', () => {
		const lines = run(['--help'])
			.stdout.split('\n')
			.filter(line => /^ {4}--/.test(line));
		assert.ok(lines.length > 20);
		const columns = lines.map(line => /^ {4}--\S+(?: [A-Z]+)? +/.exec(line)![0].length);
		assert.equal(new Set(columns).size, 1, lines.join('\n'));
		for (const line of lines) assert.match(line, /^ {4}--\S+(?: [A-Z]+)? {2,}\S/, line);
	});

	it('a relative --db is taken from the current folder and printed whole', () => {
		const home = scratch();
		const dbPath = path.join(home, 'messaging.db');
		documentedExample(dbPath, {claude: claude.pid!, codex: codex.pid!}).close();
		const stats = run(['--stats', '--once', '--db', 'messaging.db'], {home});
		assert.ok(stats.lines.includes(`Database path: ${dbPath}`), stats.stdout);
		const json = run(['--json', '--db', './messaging.db'], {home});
		assert.equal((JSON.parse(json.stdout) as {database: {path: string}}).database.path, dbPath);
		const once = run(['--once', '--read-only', '--no-log', '--db', 'messaging.db'], {home});
		assert.ok(
			once.lines.some(line => line.startsWith(`- Database: \`${dbPath}\` (`)),
			once.stdout,
		);
	});

	it('a stray argument: exit 2', () => {
		const result = run(['status']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /unknown command: status/);
	});

	it('SESSION_STATUS_DB is honoured, and --db beats it', () => {
		const fromEnv = documentedDb();
		const fromFlag = path.join(scratch(), 'other.db');
		new BusWriter(fromFlag).close();
		const env = run(['--json'], {env: {SESSION_STATUS_DB: fromEnv}});
		assert.equal(env.code, 0, env.stderr);
		assert.equal((JSON.parse(env.stdout) as {database: {path: string}}).database.path, fromEnv);
		const flag = run(['--json', '--db', fromFlag], {env: {SESSION_STATUS_DB: fromEnv}});
		assert.equal(flag.code, 0, flag.stderr);
		assert.equal((JSON.parse(flag.stdout) as {database: {path: string}}).database.path, fromFlag);
		const missingEnv = run(['--json'], {env: {SESSION_STATUS_DB: path.join(scratch(), 'missing.db')}});
		assert.equal(missingEnv.code, 3);
	});
});

describe('a config file that cannot be read', () => {
	/** A home whose default config file holds `text`. */
	function homeWithConfig(text: string): string {
		const home = scratch();
		fs.mkdirSync(path.join(home, '.config', 'session-status'), {recursive: true});
		fs.writeFileSync(path.join(home, '.config', 'session-status', 'config.json'), text);
		return home;
	}

	it('not JSON: exit 2, naming the file, the line and the column, before anything is read', () => {
		const home = homeWithConfig('{\n  "db": "/x.db"\n  "bell": true\n}\n');
		const dbPath = documentedDb();
		const dump = dumpDatabase(dbPath);
		const result = run(['--once', '--db', dbPath], {home});
		assert.equal(result.code, 2);
		assert.equal(result.stdout, '');
		const file = path.join(home, '.config', 'session-status', 'config.json');
		assert.equal(
			result.stderr,
			`session-status: config file ${file}: not valid JSON: Expected ',' or '}' after property value at line 3, column 3\n`,
		);
		assert.doesNotMatch(result.stderr, /position/);
		assert.deepEqual(dumpDatabase(dbPath), dump);
		// Where JSON.parse names no position, the line and column are still there.
		const token = run(['--json', '--db', dbPath], {home: homeWithConfig('{"bell": tru}')});
		assert.equal(token.code, 2);
		assert.match(token.stderr, /not valid JSON: Unexpected token .}. at line 1, column 13\n$/);
	});

	it('named by --config or SESSION_STATUS_CONFIG but missing: exit 2', () => {
		const missing = path.join(scratch(), 'config.json');
		const dbPath = documentedDb();
		for (const result of [
			run(['--once', '--no-log', '--db', dbPath, '--config', missing]),
			run(['--once', '--no-log', '--db', dbPath], {env: {SESSION_STATUS_CONFIG: missing}}),
		]) {
			assert.equal(result.code, 2);
			assert.equal(result.stderr, `session-status: config file ${missing}: no such file\n`);
		}
	});

	it('a bad value in a readable file is still a warning: that key keeps its default and the run goes on', () => {
		const home = homeWithConfig(JSON.stringify({refreshMs: 3, author: 'Operator'}));
		const result = run(['--json', '--db', documentedDb()], {home});
		assert.equal(result.code, 0);
		assert.match(
			result.stderr,
			/^session-status: config file .*: key "refreshMs" must be a number of milliseconds, at least 50, not 3; using the default\n$/,
		);
	});

	it('--status-line never fails loudly: bus: bad config, exit 0', () => {
		const home = homeWithConfig('{"db": ');
		const plain = run(['--status-line', '--db', documentedDb()], {home});
		assert.deepEqual([plain.code, plain.stdout, plain.stderr], [0, 'bus: bad config\n', '']);
		const tmux = run(['--status-line', '--format', 'tmux', '--config', path.join(scratch(), 'missing.json')]);
		assert.deepEqual([tmux.code, tmux.stdout, tmux.stderr], [0, 'bus: bad config#[default]\n', '']);
	});
});

describe('exit codes', () => {
	function busWithAlert(alert: {priority: number; status?: string; expiresAt?: number}): string {
		const dbPath = path.join(scratch(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', hostname: HOST, vendor: 'claude', projectId: 'PILOT', pid: claude.pid!});
		bus.send({
			senderId: 'detector',
			channel: 'operator_alerts',
			messageType: 'project_conflict',
			priority: alert.priority,
			status: alert.status ?? 'pending',
			expiresAt: alert.expiresAt ?? null,
			payload: {sessions: ['claude-1', 'codex-2'], project_id: 'PILOT'},
		});
		bus.close();
		return dbPath;
	}

	it('8 when a critical alert is open (pending or already delivered), else 0', () => {
		assert.equal(run(['--db', busWithAlert({priority: 3}), '--once', '--no-log']).code, 8);
		assert.equal(run(['--db', busWithAlert({priority: 3, status: 'delivered'}), '--once', '--no-log']).code, 8);
		assert.equal(run(['--db', busWithAlert({priority: 3}), '--alerts', '--once']).code, 8);
		assert.equal(run(['--db', busWithAlert({priority: 2}), '--once', '--no-log']).code, 0);
		assert.equal(run(['--db', busWithAlert({priority: 3, status: 'read'}), '--once', '--no-log']).code, 0);
		assert.equal(run(['--db', busWithAlert({priority: 3, expiresAt: Date.now() - 60_000}), '--once', '--no-log']).code, 0);
		// --json describes; it does not judge.
		assert.equal(run(['--db', busWithAlert({priority: 3}), '--json']).code, 0);
	});

	it('0 on a quiet bus, with the log written', () => {
		const dbPath = path.join(scratch(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', hostname: HOST, vendor: 'claude', projectId: 'PILOT', pid: claude.pid!});
		bus.close();
		const logDir = scratch();
		const result = run(['--db', dbPath, '--once', '--log-dir', logDir]);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stderr, '');
		assert.match(result.lines.at(-1)!, /^Session log entry appended: /);
	});
});
