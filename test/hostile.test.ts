import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {once} from 'node:events';
import type {ChildProcess} from 'node:child_process';
import type Database from 'better-sqlite3';
import {BusWriter} from '../source/bus/writer.js';
import {localFleet} from '../source/fleet/local.js';
import {liveBusFor} from '../source/monitor/live.js';
import {defaultConfig} from '../source/settings.js';
import {escapeControls} from '../source/text/sanitize.js';
import {PRINTED} from '../source/report/bounded.js';
import {deadPid, liveProcess} from './helpers/fixtures.js';
import {STACK_FRAME, listTree, requireBuiltCli, run, scratch, withDb} from './helpers/cli.js';

/**
 * A corpus of hostile databases, built here, each shown four ways: the live TUI (the
 * real App under ink-testing-library, every tab visited and the first row of each
 * opened), `--once`, `--json` and the session-log entry. For each: no raw control
 * character anywhere, nothing crashes, every row is still shown, the log lands
 * inside --log-dir, and markdown in values cannot change the log's structure.
 *
 * Colour is forced off before ink loads (FORCE_COLOR=0, config.color false): a
 * frame then holds no escape sequence at all, so any ESC in it would have come
 * from the bus, not from ink's own styling.
 */

process.env['FORCE_COLOR'] = '0';
requireBuiltCli();

/** Every character sanitising must remove: C0 but newline, DEL, C1, bidi, invisible formatting, separators. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function assertClean(text: string, what: string): void {
	const found = RAW.exec(text);
	assert.equal(
		found,
		null,
		`${what}: raw U+${found?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${found?.index}: ${JSON.stringify(text.slice(Math.max(0, (found?.index ?? 0) - 60), (found?.index ?? 0) + 60))}`,
	);
}

const HOST = os.hostname();
const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

// ---- hostile text ---------------------------------------------------------------------

const ESCAPES = [
	'\u001b[2J\u001b[H', // clear screen, cursor home
	'\u001b]0;pwned\u0007', // window title
	'\u001b]8;;https://evil.example/\u0007click me\u001b]8;;\u0007', // hyperlink
	'\u001b]52;c;cm0gLXJmIH4=\u0007', // OSC 52: write the clipboard
	'\u001b[31;1mRED\u001b[0m', // SGR
	'\u001bP+q544e\u001b\\', // DCS
	'\u009b2J', // C1 CSI
	'\u009d0;c1-title\u009c', // C1 OSC ... ST
	'\u202eevil.exe\u202c', // bidi override
	'\u2066isolate\u2069\u200f\u061c', // isolates, RLM, ALM
	'NUL\u0000byte', // NUL
	'line1\nline2\r\n\tline3', // newlines, CR, TAB
	'\u007fDEL\u0085NEL\u2028LS\u2029PS\u200bZW\ufeffBOM',
	'\u0007bell\u0008backspace\u000bVT\u000cFF',
];
const HOSTILE = ESCAPES.join('|');

/** Hostile text of about `size` characters, escapes spread through it. */
function big(size: number): string {
	let text = '';
	let i = 0;
	while (text.length < size) text += `${'A'.repeat(997)}${ESCAPES[i++ % ESCAPES.length]}`;
	return text.slice(0, size);
}

// ---- building databases -----------------------------------------------------------------

type Row = Record<string, unknown>;

function insert(db: Database.Database, table: string, row: Row): number {
	const columns = Object.keys(row);
	const values = columns.map(column => {
		const value = row[column];
		return typeof value === 'boolean' ? Number(value) : value;
	});
	const result = db
		.prepare(`INSERT INTO ${table} (${columns.map(c => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
		.run(...values);
	return Number(result.lastInsertRowid);
}

const nowIso = () => new Date().toISOString();

type Context = {alivePid: number; deadPid: number};

type CorpusEntry = {
	name: string;
	build: (dbPath: string, context: Context) => void;
	/** Sessions to run `--once --session ID` with (the log then goes to that session's project). */
	sessionsForLog?: string[];
	/** A twin with the same shape and plain values: the log's structure must not differ. */
	twin?: (dbPath: string, context: Context) => void;
};

/** One session with every text column set to `text`, its holds, alerts, mail and lifecycle events. */
function everyColumn(db: Database.Database, id: string, text: string, context: Context): void {
	const now = nowIso();
	insert(db, 'session_registry', {
		session_id: id,
		session_uuid: text,
		machine_uuid: text,
		hostname: HOST,
		llm_vendor: text,
		llm_model: text,
		project_id: text,
		tty: text,
		cwd: text,
		pid: context.alivePid,
		status: 'active',
		registered_at: now,
		last_heartbeat: now,
		metadata: JSON.stringify({[text]: text, nested: [text, {k: text}]}),
	});
	insert(db, 'task_claims', {task_id: `${id}/claim/${text}`, session_id: id, claim_type: text, claimed_at: now, expires_at: null});
	insert(db, 'file_locks', {file_path: `${id}/lock/${text}`, session_id: id, lock_type: text, locked_at: now, expires_at: null});
	const payload = JSON.stringify({
		sessions: [id, text],
		project_id: text,
		cwd: text,
		file_path: text,
		task_id: text,
		action: text,
		text,
		session_id: id,
		reason: text,
		[text]: text,
	});
	const message = {
		sender_id: text,
		payload,
		created_at: now,
		sender_session_uuid: text,
		priority: 2,
		status: 'pending',
		project_id: text,
		task_id: text,
		activity: text,
	};
	insert(db, 'session_messages', {...message, channel: 'operator_alerts', message_type: text});
	insert(db, 'session_messages', {
		...message,
		channel: 'operator_alerts',
		message_type: 'file_conflict',
		status: 'delivered',
		delivered_at: now,
	});
	insert(db, 'session_messages', {...message, channel: text, recipient_id: id, message_type: text});
	insert(db, 'session_messages', {...message, channel: 'session_lifecycle', message_type: text});
	insert(db, 'session_messages', {...message, channel: 'session_lifecycle', message_type: 'started'});
}

function canonical(dbPath: string, fill: (db: Database.Database) => void): void {
	new BusWriter(dbPath).close();
	withDb(dbPath, db => db.transaction(() => fill(db))());
}

const TIMESTAMPS = (): unknown[] => {
	// A minute ago: no form may expire during the test (`.123456789Z` is 0.12 s after its base), or tabs would differ by timing.
	const now = Date.now() - 60_000;
	const iso = new Date(now).toISOString();
	return [
		iso,
		iso.replace('T', ' '),
		iso.replace('Z', ''),
		iso.replace('Z', '+00:00'),
		`${iso.slice(0, 19)}+02:00`,
		`${iso.slice(0, 19)}-0530`,
		iso.slice(0, 19),
		`${iso.slice(0, 19).replace('T', ' ')}Z`,
		iso.slice(0, 10),
		`${iso.slice(0, 19)}.123456789Z`,
		`${iso.slice(0, 19)},5Z`,
		now / 1000,
		Math.floor(now / 1000),
		String(now / 1000),
		now,
		String(now),
		'',
		'yesterday',
		'2026-02-30T00:00:00Z',
		'2026-13-01T00:00:00Z',
		'2026-02-11T25:61:61Z',
		'NaN',
		'Infinity',
		'-Infinity',
		'-1',
		'1e400',
		'9'.repeat(400),
		-8.64e15,
		8.64e15 + 1,
		0,
		HOSTILE,
		Buffer.from([0, 255, 27, 91]),
		`${iso}\u001b[2J`,
	];
};

const PIDS = (context: Context): unknown[] => [
	null,
	0,
	-1,
	-2147483648,
	2147483648,
	2 ** 53,
	9.9e18,
	-9.9e18,
	1.5,
	'123abc',
	'abc',
	'42',
	'',
	1,
	4194304,
	4194305,
	context.alivePid,
	context.deadPid,
	Buffer.from([1, 2]),
	HOSTILE,
];

const PROJECTS = [
	'../../x',
	'/etc',
	'..',
	'.',
	'a/../../b',
	'x\u0000y',
	'',
	'~',
	'C:\\Windows\\System32',
	'%2e%2e%2f',
	'PILOT\n../../y',
	'p'.repeat(300),
	'プロジェクト',
	'\u202eexe.txt',
	'CON',
	'/',
	'\\\\server\\share',
	'.hidden',
	'-rf',
	HOSTILE,
];

const MARKDOWN = [
	'**bold**',
	'`code`',
	'``double``',
	'`',
	'a`b``c```d',
	'[x](https://evil.example)',
	'![img](https://evil.example/x.png)',
	'a | b | c',
	'# heading',
	'<script>alert(1)</script>',
	'- **Injected:** yes',
	'_under_',
	'~~strike~~',
	'&rlm;&#x202e;&amp;',
	'> quote',
	'<!-- comment',
	'trailing\\',
	'\\`',
	'*',
	'***',
	'1. list',
	'---',
	'===',
	'[ref]: https://x.example',
	'<https://auto.example>',
	'line1\n**Session: fake**\n- **PID:** 1',
	' spaced ',
	'` spaced `',
	'\\',
	'**Session: fake**',
];

function markdownBus(values: string[]) {
	return (dbPath: string, context: Context) =>
		canonical(dbPath, db => {
			values.forEach((value, index) => everyColumn(db, `md-${index}`, value, context));
		});
}

const CORPUS: CorpusEntry[] = [
	{
		name: 'escape sequences, C1, bidi, NUL and newlines in every text column',
		build: (dbPath, context) =>
			canonical(dbPath, db => {
				everyColumn(db, 'claude-plain', HOSTILE, context);
				everyColumn(db, `hostile-${HOSTILE}`, HOSTILE, context);
				ESCAPES.forEach((text, index) => everyColumn(db, `one-${index}-${text}`, text, context));
				// Everything hostile: id, times, status, pid: every column the table has.
				const columns = db.prepare(`SELECT name FROM pragma_table_info('session_registry')`).pluck().all() as string[];
				insert(db, 'session_registry', Object.fromEntries(columns.map(c => [c, `${c}:${HOSTILE}`])));
			}),
		sessionsForLog: ['claude-plain'],
	},
	{
		name: '100 kB values in every text column',
		build: (dbPath, context) =>
			canonical(dbPath, db => {
				everyColumn(db, 'big-1', big(100_000), context);
				everyColumn(db, `big-2-${big(100_000)}`, big(100_000), context);
			}),
		sessionsForLog: ['big-1'],
	},
	{
		name: 'malformed, non-object, deep and huge JSON payloads and metadata',
		build: (dbPath, context) =>
			canonical(dbPath, db => {
				const now = nowIso();
				const payloads: Array<string | null | Buffer> = [
					'{"sessions": ["claude-1", ',
					'{"sessions": ["claude-1"]',
					'[1,2]',
					'42',
					'"str"',
					'null',
					'true',
					'',
					' ',
					null,
					Buffer.from('{"a":1}'),
					'{"sessions": "claude-1", "action": {"nested": [1, 2]}, "project_id": 7, "cwd": null}',
					'{"sessions": [1, null, {"x": "\\u001b[2J"}, ["a"]], "file_path": ["/a", "/b"]}',
					'{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"x": 1}}, "sessions": ["claude-1"]}',
					'{"action": "\\u001b]0;json-title\\u0007\\u009b\\u202e", "sessions": ["\\u0000"]}',
					'{"a": 1e999, "b": -0, "c": 123456789012345678901234567890}',
					'\uFEFF{"bom": true}',
					`${'['.repeat(5000)}${']'.repeat(5000)}`,
					`${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
					JSON.stringify({sessions: ['claude-1', 'codex-2'], action: 'x'.repeat(1_000_000), text: 'y'.repeat(100)}),
					`{"text": "${'z'.repeat(1_000_000)}`,
				];
				insert(db, 'session_registry', {
					session_id: 'claude-1',
					hostname: HOST,
					llm_vendor: 'claude',
					project_id: 'PILOT',
					pid: context.alivePid,
					status: 'active',
					registered_at: now,
					last_heartbeat: now,
					metadata: '{broken',
				});
				payloads.forEach((payload, index) => {
					insert(db, 'session_registry', {
						session_id: `meta-${index}`,
						hostname: HOST,
						llm_vendor: 'codex',
						project_id: 'PILOT',
						pid: context.alivePid,
						status: 'active',
						registered_at: now,
						last_heartbeat: now,
						metadata: payload,
					});
					for (const channel of ['operator_alerts', 'session_lifecycle', 'coordination']) {
						insert(db, 'session_messages', {
							sender_id: `sender-${index}`,
							channel,
							payload,
							created_at: now,
							recipient_id: channel === 'coordination' ? 'claude-1' : null,
							message_type: channel === 'session_lifecycle' ? 'ended' : 'task_conflict',
							priority: 3,
							status: 'pending',
						});
					}
				});
			}),
		sessionsForLog: ['claude-1'],
	},
	{
		name: 'every timestamp form, and invalid ones, in every time column',
		build: (dbPath, context) =>
			canonical(dbPath, db => {
				TIMESTAMPS().forEach((stamp, index) => {
					const id = `ts-${index}`;
					insert(db, 'session_registry', {
						session_id: id,
						hostname: HOST,
						llm_vendor: 'claude',
						project_id: 'PILOT',
						pid: context.alivePid,
						status: 'active',
						registered_at: stamp,
						last_heartbeat: stamp,
					});
					insert(db, 'task_claims', {task_id: `T.${index}`, session_id: id, claim_type: 'exclusive', claimed_at: stamp, expires_at: stamp});
					insert(db, 'file_locks', {
						file_path: `/ts/${index}`,
						session_id: id,
						lock_type: 'exclusive',
						locked_at: stamp,
						expires_at: stamp,
					});
					const message = {
						sender_id: id,
						payload: JSON.stringify({sessions: [id], session_id: id}),
						created_at: stamp,
						priority: 2,
						status: 'pending',
						expires_at: stamp,
						delivered_at: stamp,
						read_at: stamp,
						ttl_seconds: index % 3 === 0 ? 60 : null,
					};
					insert(db, 'session_messages', {...message, channel: 'operator_alerts', message_type: 'cwd_overlap'});
					insert(db, 'session_messages', {...message, channel: 'coordination', recipient_id: id, message_type: 'message'});
					insert(db, 'session_messages', {...message, channel: 'session_lifecycle', message_type: 'resumed'});
				});
			}),
		sessionsForLog: ['ts-0'],
	},
	{
		name: 'NULL in every nullable column',
		build: dbPath =>
			canonical(dbPath, db => {
				const now = nowIso();
				insert(db, 'session_registry', {session_id: 'nulls-1', registered_at: now, last_heartbeat: now});
				// A TEXT PRIMARY KEY takes NULL in SQLite (rowid tables).
				insert(db, 'session_registry', {session_id: null, registered_at: now, last_heartbeat: now, status: 'active'});
				insert(db, 'task_claims', {task_id: null, session_id: 'nulls-1', claimed_at: now});
				insert(db, 'file_locks', {file_path: null, session_id: 'nulls-1', locked_at: now});
				for (const channel of ['operator_alerts', 'session_lifecycle', 'coordination']) {
					insert(db, 'session_messages', {
						sender_id: 'x',
						channel,
						payload: null,
						created_at: now,
						ttl_seconds: null,
						recipient_id: channel === 'coordination' ? 'nulls-1' : null,
						message_type: channel === 'session_lifecycle' ? null : 'project_conflict',
						priority: null,
						status: null,
					});
					insert(db, 'session_messages', {
						sender_id: 'x',
						channel,
						payload: null,
						created_at: now,
						recipient_id: channel === 'coordination' ? 'nulls-1' : null,
						message_type: 'started',
						priority: null,
						status: 'pending',
					});
				}
			}),
	},
	{
		name: 'a schema without constraints: NULL in every column of every table',
		build: dbPath => {
			const bus = new BusWriter(dbPath);
			bus.close();
			withDb(dbPath, db => {
				// Same tables and columns, no NOT NULL, no defaults, no keys: what an old or careless writer leaves.
				const tables = db
					.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
					.pluck()
					.all() as string[];
				for (const table of tables) {
					const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{name: string}>).map(column => column.name);
					db.exec(`DROP TABLE "${table}"; CREATE TABLE "${table}" (${columns.map(c => `"${c}"`).join(', ')});`);
					for (let i = 0; i < 2; i++) db.prepare(`INSERT INTO "${table}" DEFAULT VALUES`).run();
				}
			});
		},
	},
	{
		name: 'negative, zero, huge, fractional and text PIDs',
		build: (dbPath, context) =>
			canonical(dbPath, db => {
				const now = nowIso();
				PIDS(context).forEach((pid, index) => {
					const id = `pid-${index}`;
					insert(db, 'session_registry', {
						session_id: id,
						hostname: HOST,
						llm_vendor: 'claude',
						project_id: 'PILOT',
						pid,
						status: 'active',
						registered_at: now,
						last_heartbeat: now,
					});
					insert(db, 'file_locks', {file_path: `/pid/${index}`, session_id: id, lock_type: 'exclusive', locked_at: now});
				});
				// The same PIDs on another host: never probed.
				PIDS(context).forEach((pid, index) =>
					insert(db, 'session_registry', {
						session_id: `remote-${index}`,
						hostname: 'elsewhere.example',
						pid,
						status: 'active',
						registered_at: now,
						last_heartbeat: now,
					}),
				);
			}),
		sessionsForLog: ['pid-16'],
	},
	{
		name: 'unknown alert types, priorities and statuses',
		build: (dbPath, context) =>
			canonical(dbPath, db => {
				const now = nowIso();
				insert(db, 'session_registry', {
					session_id: 'claude-1',
					hostname: HOST,
					llm_vendor: 'claude',
					project_id: 'PILOT',
					pid: context.alivePid,
					status: 'active',
					registered_at: now,
					last_heartbeat: now,
				});
				const types = ['budget_exceeded', '', 'PROJECT_CONFLICT', '(untyped)', HOSTILE, 'x'.repeat(5000), 'project_conflict'];
				const priorities: unknown[] = [-1, 7, 99_999_999_999, 'high', 2.5, null, '3', 0, 3, -9e18, 1e308, Buffer.from([3])];
				const statuses: unknown[] = ['pending', 'delivered', 'read', 'expired', 'weird', null, ''];
				let n = 0;
				for (const type of types) {
					for (const priority of priorities) {
						const status = statuses[n++ % statuses.length];
						insert(db, 'session_messages', {
							sender_id: 'detector',
							channel: 'operator_alerts',
							payload: JSON.stringify({sessions: ['claude-1', `other-${n}`], action: `act ${n}`}),
							created_at: now,
							message_type: type,
							priority,
							status,
						});
						insert(db, 'session_messages', {
							sender_id: 'codex-2',
							channel: `chan-${n % 3}`,
							payload: JSON.stringify({text: `note ${n}`}),
							created_at: now,
							recipient_id: 'claude-1',
							message_type: type,
							priority,
							status,
						});
					}
				}
			}),
		sessionsForLog: ['claude-1'],
	},
	{
		name: 'project names aimed at the log path',
		build: (dbPath, context) =>
			canonical(dbPath, db => {
				const now = nowIso();
				PROJECTS.forEach((project, index) =>
					insert(db, 'session_registry', {
						session_id: `proj-${index}`,
						hostname: HOST,
						llm_vendor: 'claude',
						project_id: project,
						cwd: project,
						pid: context.alivePid,
						status: 'active',
						registered_at: now,
						last_heartbeat: now,
					}),
				);
			}),
		sessionsForLog: PROJECTS.map((_, index) => `proj-${index}`),
	},
	{
		name: 'markdown special characters in every value',
		build: markdownBus(MARKDOWN),
		twin: markdownBus(MARKDOWN.map((_, index) => `plain-value-${index}`)),
		sessionsForLog: ['md-0'],
	},
];

// ---- checks ---------------------------------------------------------------------------------

type JsonDoc = {
	sessions: Array<{sessionId: string; state: string}>;
	locks: unknown[];
	claims: unknown[];
	alerts: unknown[];
	unread: {messages: unknown[]};
	lifecycle: unknown[];
};

/** The raw session ids stored, as the dashboard must show them (escaped; NULL as its placeholder). */
function storedSessionIds(dbPath: string): string[] {
	return withDb(dbPath, db =>
		db
			.prepare(`SELECT session_id FROM session_registry`)
			.pluck()
			.all()
			.map(id =>
				id === null ? '(no id)' : escapeControls(Buffer.isBuffer(id) ? `<blob ${id.length} bytes>` : String(id as string | number)),
			),
	);
}

/** A line whose code spans do not all close (CommonMark: a run of n backticks closes at the next run of exactly n). */
function unbalancedCodeSpan(line: string): boolean {
	let i = 0;
	while (i < line.length) {
		const char = line[i];
		if (char === '\\') {
			i += 2;
			continue;
		}
		if (char !== '`') {
			i++;
			continue;
		}
		let n = 0;
		while (line[i + n] === '`') n++;
		let j = i + n;
		let close = -1;
		while (j < line.length) {
			if (line[j] !== '`') {
				j++;
				continue;
			}
			let m = 0;
			while (line[j + m] === '`') m++;
			if (m === n) {
				close = j;
				break;
			}
			j += m;
		}
		if (close < 0) return true;
		i = close + n;
	}
	return false;
}

type LogStructure = {fieldLines: number; sessionLines: number; lines: number};

function logStructure(entry: string): LogStructure {
	const lines = entry.split('\n');
	return {
		fieldLines: lines.filter(line => line.startsWith('- **')).length,
		sessionLines: lines.filter(line => line.startsWith('**Session:')).length,
		lines: lines.length,
	};
}

/** --json, then --once for each session named, with the log; returns the JSON document and the log entries. */
function printedForms(dbPath: string, entry: CorpusEntry, name: string): {doc: JsonDoc; entries: string[]} {
	const json = run(['--db', dbPath, '--json'], {timeoutMs: 60_000});
	assert.equal(json.code, 0, `${name} --json: exit ${json.code}: ${json.stderr}`);
	assert.equal(json.stderr, '', `${name} --json stderr`);
	assertClean(json.stdout, `${name} --json`);
	const doc = JSON.parse(json.stdout) as JsonDoc;
	const stored = storedSessionIds(dbPath);
	assert.equal(doc.sessions.length, stored.length, `${name} --json: every session`);
	assert.deepEqual(doc.sessions.map(s => s.sessionId).sort(), [...stored].sort(), `${name} --json: every session id, escaped`);
	const shownByOnce = doc.sessions.filter(s => s.state === 'active' || s.state === 'late').length;
	const sessions = run(['--db', dbPath, '--sessions', '--read-only'], {timeoutMs: 60_000});
	assertClean(sessions.stdout, `${name} --sessions`);
	assert.equal(
		sessions.lines.filter(line => line.startsWith('**Session: ')).length,
		shownByOnce,
		`${name} --sessions: every session block`,
	);

	const entries: string[] = [];
	for (const session of entry.sessionsForLog ?? [null]) {
		const logDir = path.join(scratch('logs-'), 'logs');
		const args = ['--db', dbPath, '--once', '--log-dir', logDir, ...(session === null ? [] : ['--session', session])];
		const result = run(args, {timeoutMs: 60_000});
		const what = `${name} --once${session === null ? '' : ` --session ${JSON.stringify(session)}`}`;
		assert.notEqual(result.code, null, `${what} was killed (${result.signal})`);
		assert.ok([0, 8].includes(result.code!), `${what}: exit ${result.code}: ${result.stderr.slice(0, 2000)}`);
		assertClean(result.stdout, `${what} stdout`);
		assertClean(result.stderr, `${what} stderr`);
		assert.ok(!result.stderr.includes(STACK_FRAME), `${what}: ${result.stderr.slice(0, 2000)}`);
		assert.equal(result.lines[0], 'Cross-LLM Session Dashboard', what);
		// Each shown session's block, up to the printed limit, then how many more (the first --once has
		// released the stale ones: count before that); --sessions prints every block.
		if (entries.length === 0) {
			assert.equal(
				result.stdout.split('\n').filter(line => line.startsWith('**Session: ')).length,
				Math.min(shownByOnce, PRINTED.sessionBlocks),
				`${what}: a block for each shown session, up to ${PRINTED.sessionBlocks}`,
			);
			const more = shownByOnce - PRINTED.sessionBlocks;
			if (more > 0) assert.ok(result.lines.includes(`And ${more} more active sessions: session-status --sessions`), what);
		}
		const appended = result.lines.at(-1)!;
		assert.match(appended, /^Session log entry appended: /, what);
		const file = appended.slice('Session log entry appended: '.length);
		const relative = path.relative(logDir, file);
		assert.ok(!relative.startsWith('..') && !path.isAbsolute(relative), `${what}: the log ${file} is outside ${logDir}`);
		const parts = relative.split(path.sep);
		assert.equal(parts.length, 2, `${what}: ${relative}`);
		assert.match(parts[0], /^[A-Za-z0-9._-]+$/, what);
		assert.ok(!['.', '..'].includes(parts[0]), what);
		assert.deepEqual(
			listTree(path.dirname(logDir)),
			['logs', path.join('logs', parts[0]), path.join('logs', parts[0], parts[1])],
			`${what}: nothing else written`,
		);
		const text = fs.readFileSync(file, 'utf8');
		assertClean(text, `${what} log entry`);
		text
			.split('\n')
			.forEach((line, index) =>
				assert.ok(!unbalancedCodeSpan(line), `${what} log line ${index + 1} has an unclosed code span: ${line.slice(0, 300)}`),
			);
		entries.push(text);
	}
	return {doc, entries};
}

// ---- the TUI --------------------------------------------------------------------------------

type Ink = {
	render: typeof import('ink-testing-library').render;
	App: typeof import('../source/ui/app.js').App;
	createElement: typeof import('react').createElement;
};
let ink: Ink;

/** How long a key may take to show its effect (generous for a loaded CI machine; a 100 kB value once took 40 s per frame). */
const KEY_TIMEOUT_MS = 5000;

const TAB_HEADERS: Record<string, string> = {
	'1': 'SESSION',
	'2': 'FILE',
	'3': 'TASK',
	'4': 'PRIO',
	'5': 'MESSAGE',
	'6': 'TIME (UTC)',
	'7': 'Bus Statistics',
};

/** Runs the App on the bus, visits every tab and opens the first row of each; returns the row count of each tab. */
async function tuiRows(dbPath: string, name: string): Promise<Record<string, number>> {
	const dir = path.dirname(dbPath);
	const config = {...defaultConfig({}, dir), dbPath, logBase: path.join(dir, 'tui-logs'), color: false};
	const live = liveBusFor({...config, dbPath, sessionId: null, machineUuid: null, readOnly: false}, {pollMs: 20, coalesceMs: 20});
	const rendered = ink.render(
		ink.createElement(ink.App, {fleet: localFleet(live, false), config, columns: 120, rows: 40, writeRaw: () => {}}),
	);
	const frame = () => rendered.lastFrame() ?? '';
	const waitFor = async (test: (text: string) => boolean, what: string, timeoutMs = 15_000) => {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const text = frame();
			if (test(text)) return text;
			if (Date.now() > deadline) assert.fail(`${name}: timed out waiting for ${what}; the frame is:\n${text}`);
			await sleep(15);
		}
	};
	const position = (text: string) => /\| (\d+)\/(\d+)(?: |$)/.exec(text.split('\n').at(-1) ?? '');
	const onTab = (key: string) => (text: string) =>
		text
			.split('\n')
			.slice(1, 6)
			.some(line => line.includes(TAB_HEADERS[key]));
	const rows: Record<string, number> = {};
	try {
		await waitFor(text => /^ 1 Sessions \d/.test(text), 'the first reading');
		// Every key is answered within seconds, however long the values: a frame measures only what it shows.
		for (const key of ['1', '2', '3', '4', '5', '6', '7']) {
			rendered.stdin.write(key);
			const shown = await waitFor(text => onTab(key)(text) && (key === '7' || position(text) !== null), `tab ${key}`, KEY_TIMEOUT_MS);
			if (key === '7') continue;
			rows[key] = Number(position(shown)![2]);
			if (rows[key] === 0) continue;
			rendered.stdin.write('\r');
			await waitFor(text => text.includes('Detail — Esc back'), `the detail of tab ${key}'s first row`, KEY_TIMEOUT_MS);
			rendered.stdin.write('\u001b');
			await waitFor(onTab(key), `back on tab ${key}`, KEY_TIMEOUT_MS);
		}
	} finally {
		rendered.unmount();
		live.stop();
	}
	assert.ok(rendered.frames.length > 10, `${name}: ${rendered.frames.length} frames`);
	rendered.frames.forEach((text, index) => assertClean(text, `${name}: TUI frame ${index}`));
	assertClean(rendered.stderr.frames.join(''), `${name}: TUI stderr`);
	assert.deepEqual(rendered.stderr.frames, [], `${name}: the App wrote to stderr`);
	return rows;
}

// ---- the tests ----------------------------------------------------------------------------

let alive: ChildProcess;
let context: Context;

before(async () => {
	alive = liveProcess();
	await once(alive, 'spawn');
	context = {alivePid: alive.pid!, deadPid: await deadPid()};
	const [{render}, {App}, {createElement}] = await Promise.all([
		import('ink-testing-library'),
		import('../source/ui/app.js'),
		import('react'),
	]);
	ink = {render, App, createElement};
});

after(() => {
	alive.kill('SIGKILL');
});

describe('a corpus of hostile databases', () => {
	for (const entry of CORPUS) {
		it(entry.name, async () => {
			const dbPath = path.join(scratch('bus-'), 'messaging.db');
			entry.build(dbPath, context);
			// The TUI first: --once releases stale sessions and would change what it shows.
			const printed = printedForms(dbPath, {...entry, sessionsForLog: []}, entry.name);
			const rows = await tuiRows(dbPath, entry.name);
			const {doc} = printed;
			assert.deepEqual(
				rows,
				{
					'1': doc.sessions.filter(s => s.state !== 'ended').length,
					'2': doc.locks.length,
					'3': doc.claims.length,
					'4': doc.alerts.length,
					'5': doc.unread.messages.length,
					'6': doc.lifecycle.length,
				},
				`${entry.name}: every row is on its tab`,
			);
			const {entries} = printedForms(dbPath, entry, entry.name);
			if (entry.twin) {
				const twinPath = path.join(scratch('twin-'), 'messaging.db');
				entry.twin(twinPath, context);
				const twin = printedForms(twinPath, entry, `${entry.name} (plain twin)`);
				assert.deepEqual(
					logStructure(entries[0]),
					logStructure(twin.entries[0]),
					'markdown in values changed the structure of the log entry',
				);
			}
		});
	}
});

describe('the checks themselves', () => {
	it('notice an unclosed code span and a raw control character', () => {
		assert.equal(unbalancedCodeSpan('- **CWD:** `a` and ``b``'), false);
		assert.equal(unbalancedCodeSpan('- **CWD:** `` a`b ``'), false);
		assert.equal(unbalancedCodeSpan('- \\`not code'), false);
		assert.equal(unbalancedCodeSpan('- **CWD:** `a'), true);
		assert.equal(unbalancedCodeSpan('- **CWD:** ``a`'), true);
		assert.throws(() => assertClean('ok\u009bno', 'probe'));
		assert.throws(() => assertClean('ok\u202eno', 'probe'));
		assert.doesNotThrow(() => assertClean('ok\nfine', 'probe'));
		assert.deepEqual(logStructure('**Session: a**\n- **PID:** 1\n- x'), {fieldLines: 1, sessionLines: 1, lines: 3});
	});
});
