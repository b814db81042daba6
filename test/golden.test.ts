import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {BusWriter} from '../source/bus/writer.js';
import {defaultConfig} from '../source/settings.js';
import {type PrintSection, runPrint} from '../source/commands/print.js';
import {tempDir} from './helpers/fixtures.js';

/**
 * The printed forms (`--once` in every section, `--json`, the log entry) of a few fixed
 * buses, on a fixed clock, compared byte for byte with files in test/golden/. They pin
 * the output while the code behind it is reshaped; a change to the output is a change to
 * these files, visible in review. `UPDATE_GOLDEN=1` rewrites them.
 */

const GOLDEN = fileURLToPath(new URL('golden/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const MIN = 60_000;
const REMOTE = 'build-box.example';
const REMOTE_UUID = '7c1e9a40-5b2f-4e8d-9f61-0a3b5c7d9e21';
/** A PID no process holds (one below Linux's largest). */
const NO_PROCESS = 4_194_303;

/** Paths, sizes, this machine's name, this process's PID and its uptime vary from run to run: each becomes a placeholder. */
function normalise(text: string, dir: string): string {
	return text
		.split(dir)
		.join('<DIR>')
		.split(os.hostname())
		.join('<HOST>')
		.replace(new RegExp(`\\b${process.pid}\\b`, 'g'), '<PID>')
		.replace(/\(uptime [^)]*\)/g, '(uptime <T>)')
		.replace(/"uptimeSeconds": \d+/g, '"uptimeSeconds": <T>')
		.replace(/"processStartedAt": "[^"]*"/g, '"processStartedAt": <T>')
		.replace(/\(\d+(?:\.\d+)? (?:B|KB|MB), /g, '(<SIZE>, ')
		.replace(/"sizeBytes": \d+/g, '"sizeBytes": <SIZE>')
		.replace(/Database size: \d+(?:\.\d+)? (?:B|KB|MB)/g, 'Database size: <SIZE>');
}

/**
 * The documentation's example and everything around it: this process as a live local
 * session, a dead local one holding a lock and a claim, a stale one on another machine,
 * an ended one, every alert type (and one unknown), mail with a thread, expired mail,
 * legacy rows and lifecycle events.
 */
function fullBus(dbPath: string): void {
	const bus = new BusWriter(dbPath);
	const host = os.hostname();
	const at = (minutesAgo: number) => NOW - minutesAgo * MIN;
	bus.register({
		sessionId: 'claude-29583',
		sessionUuid: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
		machineUuid: 'd3d3a316-09c6-8f41-4a3f-d93e422d199c',
		hostname: host,
		vendor: 'claude',
		model: 'opus-4.6',
		projectId: 'PILOT',
		tty: '/dev/pts/3',
		cwd: '/Users/hal/PROJECTS/rollout',
		pid: process.pid,
		registeredAt: at(135),
	});
	bus.heartbeat('claude-29583', at(1));
	bus.register({
		sessionId: 'codex-41200',
		sessionUuid: 'f9e8d7c6-b5a4-3210-fedc-ba9876543210',
		machineUuid: 'd3d3a316-09c6-8f41-4a3f-d93e422d199c',
		hostname: host,
		vendor: 'codex',
		model: 'o3',
		projectId: 'PILOT',
		cwd: '/Users/hal/PROJECTS/rollout/submodules/core',
		pid: NO_PROCESS,
		registeredAt: at(90),
	});
	bus.heartbeat('codex-41200', at(2));
	bus.register({
		sessionId: 'gemini-300',
		sessionUuid: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
		hostname: host,
		vendor: 'gemini',
		model: null,
		projectId: 'DOCS',
		cwd: '/home/dev/docs',
		pid: NO_PROCESS,
		registeredAt: at(60),
	});
	bus.heartbeat('gemini-300', at(20));
	bus.register({
		sessionId: 'claude-51234',
		sessionUuid: 'b7e2c1d0-3f4a-4b5c-8d9e-0f1a2b3c4d5e',
		machineUuid: REMOTE_UUID,
		hostname: REMOTE,
		vendor: 'claude',
		model: 'sonnet-4.5',
		projectId: 'INFRA',
		cwd: '/srv/build/infra',
		pid: 51234,
		registeredAt: at(300),
	});
	bus.heartbeat('claude-51234', at(12));
	bus.register({sessionId: 'codex-77', hostname: REMOTE, vendor: 'codex', projectId: null, cwd: '/srv/x', pid: 77, registeredAt: at(30)});
	bus.heartbeat('codex-77', at(0.5));
	bus.register({
		sessionId: 'old-500',
		hostname: host,
		vendor: 'codex',
		projectId: 'PILOT',
		cwd: '/repo/old',
		pid: null,
		registeredAt: at(1440),
	});
	bus.end('old-500', 'session ended normally', at(1400));
	bus.claim('H.13.7', 'claude-29583', {at: at(100)});
	bus.claim('J.27.4', 'codex-41200', {at: at(80), expiresAt: at(-30)});
	bus.claim('D.2.1', 'gemini-300', {at: at(50)});
	bus.claim('X.1', 'nobody-1', {at: at(50), expiresAt: at(5)});
	bus.lock('session_message_bus.py', 'claude-29583', {at: at(100)});
	bus.lock('/Users/hal/PROJECTS/rollout/session_message_bus.py', 'codex-41200', {at: at(70), type: 'shared'});
	bus.lock('content/guide.md', 'gemini-300', {at: at(50)});
	bus.lock('terraform/main.tf', 'claude-51234', {at: at(200), expiresAt: at(-600)});
	bus.alert({
		type: 'project_conflict',
		priority: 3,
		sessions: ['claude-29583', 'codex-41200'],
		projectId: 'PILOT',
		action: 'Coordinate task boundaries to avoid overlap',
		at: at(40),
	});
	bus.alert({
		type: 'task_conflict',
		priority: 2,
		sessions: ['claude-29583', 'claude-51234'],
		taskId: 'H.13.7',
		action: 'One session should release the task',
		at: at(35),
	});
	bus.alert({
		type: 'cwd_overlap',
		priority: 2,
		sessions: ['claude-29583', 'codex-41200', 'gemini-300'],
		cwd: '/Users/hal/PROJECTS/rollout',
		at: at(30),
	});
	bus.alert({type: 'file_conflict', priority: 3, sessions: ['gemini-300'], filePath: 'content/guide.md', at: at(25)});
	bus.alert({type: 'budget_exceeded', priority: 1, sessions: ['gemini-300'], projectId: 'DOCS', action: 'Review token spend', at: at(20)});
	const acknowledged = bus.alert({type: 'task_conflict', priority: 2, sessions: ['codex-41200'], taskId: 'J.27.4', at: at(300)});
	bus.db
		.prepare(`UPDATE session_messages SET status = 'read', read_at = ?, delivered_at = ? WHERE id = ?`)
		.run(new Date(at(200)).toISOString(), new Date(at(250)).toISOString(), acknowledged);
	const question = bus.send({
		senderId: 'claude-29583',
		recipientId: 'codex-41200',
		channel: 'coordination',
		payload: {text: 'Are you touching ADR-173.md?'},
		at: at(15),
	});
	bus.send({
		senderId: 'codex-41200',
		recipientId: 'claude-29583',
		channel: 'coordination',
		replyTo: question,
		priority: 2,
		payload: {text: 'Yes, until the migration lands.'},
		at: at(14),
	});
	bus.send({
		senderId: 'gemini-300',
		recipientId: 'claude-29583',
		channel: 'review',
		payload: {summary: 'Docs ready for review'},
		at: at(13),
	});
	bus.send({senderId: 'gemini-300', recipientId: 'claude-29583', channel: 'review', rawPayload: 'not json {', at: at(12)});
	bus.send({
		senderId: 'gemini-300',
		recipientId: 'codex-41200',
		channel: 'coordination',
		payload: {text: 'expired'},
		expiresAt: at(1),
		at: at(30),
	});
	bus.send({
		senderId: 'gemini-300',
		recipientId: 'codex-41200',
		channel: 'coordination',
		payload: {text: 'ttl passed'},
		ttlSeconds: 60,
		at: at(30),
	});
	bus.send({
		senderId: 'gemini-300',
		recipientId: 'codex-41200',
		channel: 'coordination',
		payload: {text: 'ttl left'},
		ttlSeconds: 7200,
		at: at(30),
	});
	bus.send({
		senderId: 'codex-41200',
		recipientId: 'claude-29583',
		channel: 'coordination',
		status: 'read',
		payload: {text: 'old news'},
		at: at(400),
	});
	for (let i = 0; i < 3; i++)
		bus.send({senderId: 'claude-29583', channel: 'legacy', messageType: null, payload: {text: 'old'}, at: at(500 + i)});
	bus.lifecycle('resumed', {
		sessionId: 'claude-29583',
		projectId: 'PILOT',
		cwd: '/Users/hal/PROJECTS/rollout',
		reason: 'user /continue',
		at: at(10),
	});
	// An event stored with an older time than the one before it (ids and times disagree).
	bus.lifecycle('started', {sessionId: 'codex-9', projectId: 'PILOT', at: at(700)});
	bus.close();
}

/** An older writer's bus: no v2 columns, no file_locks table. */
function legacyBus(dbPath: string): void {
	const db = new Database(dbPath);
	db.exec(`
		CREATE TABLE session_registry (session_id TEXT PRIMARY KEY, hostname TEXT, llm_vendor TEXT, project_id TEXT, cwd TEXT, pid INTEGER, status TEXT NOT NULL DEFAULT 'active', registered_at TEXT NOT NULL, last_heartbeat TEXT NOT NULL);
		CREATE TABLE task_claims (task_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, claim_type TEXT NOT NULL DEFAULT 'exclusive', claimed_at TEXT NOT NULL, expires_at TEXT);
		CREATE TABLE session_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL, ttl_seconds INTEGER);
	`);
	const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
	db.prepare(`INSERT INTO session_registry VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)`).run(
		'claude-1',
		REMOTE,
		'claude',
		'OLD',
		'/srv/old',
		1,
		iso(NOW - 3_600_000),
		iso(NOW - 60_000),
	);
	db.prepare(`INSERT INTO session_registry VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)`).run(
		'codex-2',
		REMOTE,
		'codex',
		null,
		'/srv/old',
		2,
		iso(NOW - 3_600_000),
		String((NOW - 3_600_000) / 1000),
	);
	db.prepare(`INSERT INTO task_claims VALUES (?, ?, 'shared', ?, NULL)`).run('T.1', 'claude-1', iso(NOW - 600_000));
	db.prepare(`INSERT INTO session_messages (sender_id, channel, payload, created_at) VALUES (?, ?, ?, ?)`).run(
		'claude-1',
		'session_lifecycle',
		'{"session_id": "claude-1"}',
		iso(NOW - 60_000),
	);
	db.close();
}

/** Registered sessions, none of them active: stale on this machine and on another. */
function staleBus(dbPath: string): void {
	const bus = new BusWriter(dbPath);
	bus.register({sessionId: 'codex-1', hostname: os.hostname(), vendor: 'codex', pid: NO_PROCESS, registeredAt: NOW - 7_200_000});
	bus.heartbeat('codex-1', NOW - 3_600_000);
	bus.register({sessionId: 'claude-2', hostname: REMOTE, vendor: 'claude', pid: 2, registeredAt: NOW - 7_200_000});
	bus.heartbeat('claude-2', NOW - 1_800_000);
	bus.register({sessionId: 'gemini-3', hostname: REMOTE, vendor: 'gemini', pid: 3, registeredAt: NOW - 7_200_000});
	bus.heartbeat('gemini-3', NOW - 900_000);
	bus.close();
}

/**
 * One more of everything than the printed dashboard lists: 21 live sessions holding 11 locks
 * and 11 claims each, 21 stale ones on another machine, 21 open alerts of three types, 501
 * unread messages (one more than the Unread list reads), 51 lifecycle events.
 */
function bigBus(dbPath: string): void {
	const bus = new BusWriter(dbPath);
	const at = (minutesAgo: number) => NOW - minutesAgo * MIN;
	const live = (i: number) => `claude-${100 + (i % 21)}`;
	const stale = (i: number) => `codex-${200 + (i % 21)}`;
	bus.db.transaction(() => {
		for (let i = 0; i < 21; i++) {
			bus.register({
				sessionId: live(i),
				hostname: os.hostname(),
				vendor: 'claude',
				pid: process.pid,
				registeredAt: at(60 + i),
				announce: false,
			});
			bus.heartbeat(live(i), at(1));
			for (let j = 0; j < 11; j++) {
				bus.lock(`w${i}/f${j}`, live(i), {at: at(30)});
				bus.claim(`T.${i}.${j}`, live(i), {at: at(30)});
			}
			bus.register({sessionId: stale(i), hostname: REMOTE, vendor: 'codex', pid: 200 + i, registeredAt: at(600), announce: false});
			bus.heartbeat(stale(i), at(120 + i));
		}
		const types = ['project_conflict', 'task_conflict', 'cwd_overlap'];
		for (let i = 0; i < 21; i++)
			bus.alert({type: types[i % 3], priority: 1 + (i % 3), sessions: [live(i), stale(i)], projectId: 'PILOT', at: at(50 - i)});
		for (let i = 0; i < 501; i++) bus.send({senderId: stale(i), recipientId: live(i), payload: {text: `note ${i}`}, at: at(40)});
		for (let i = 0; i < 51; i++) bus.lifecycle('started', {sessionId: live(i), projectId: 'PILOT', at: at(100 - i)});
	})();
	bus.close();
}

/** The schema and nothing in it. */
function emptyBus(dbPath: string): void {
	new BusWriter(dbPath).close();
}

const BUSES = {full: fullBus, legacy: legacyBus, empty: emptyBus, stale: staleBus, big: bigBus} as const;
const SECTIONS: PrintSection[] = ['dashboard', 'stats', 'alerts', 'locks', 'claims', 'unread', 'lifecycle', 'json'];

type Case = {bus: keyof typeof BUSES; section: PrintSection; verbose?: boolean; session?: string; write?: boolean};

const CASES: Case[] = [
	...(['full', 'legacy', 'empty'] as const).flatMap(bus => SECTIONS.map(section => ({bus, section}))),
	{bus: 'stale', section: 'dashboard'},
	{bus: 'full', section: 'dashboard', verbose: true},
	{bus: 'full', section: 'unread', session: 'claude-29583'},
	{bus: 'full', section: 'dashboard', session: 'claude-29583', write: true},
	{bus: 'legacy', section: 'dashboard', write: true},
	{bus: 'big', section: 'dashboard'},
	{bus: 'big', section: 'dashboard', write: true},
	{bus: 'big', section: 'alerts'},
];

function caseName(c: Case): string {
	return [c.bus, c.section, c.verbose ? 'verbose' : '', c.session ? 'session' : '', c.write ? 'write' : ''].filter(Boolean).join('-');
}

async function printed(c: Case): Promise<string> {
	const dir = tempDir('session-status-golden-');
	const dbPath = path.join(dir, 'messaging.db');
	BUSES[c.bus](dbPath);
	const config = {
		...defaultConfig({}, dir),
		dbPath,
		logBase: path.join(dir, 'logs'),
		readOnly: !c.write,
		noLog: !c.write,
		verbose: c.verbose ?? false,
		sessionId: c.session ?? null,
		color: false,
	};
	const out: string[] = [];
	const code = await runPrint(config, c.section, {out: text => out.push(text), err: text => out.push(`stderr: ${text}`)}, {now: () => NOW});
	const parts = [`exit ${code}`, ...out];
	const logs = path.join(dir, 'logs');
	if (fs.existsSync(logs)) {
		for (const file of (fs.readdirSync(logs, {recursive: true}) as string[]).map(String).sort()) {
			const full = path.join(logs, file);
			if (fs.statSync(full).isFile()) parts.push(`---- log ${file}`, fs.readFileSync(full, 'utf8'));
		}
	}
	return `${normalise(parts.join('\n'), dir)}\n`;
}

describe('printed output against the golden files', () => {
	for (const c of CASES) {
		it(caseName(c), async () => {
			const text = await printed(c);
			const file = path.join(GOLDEN, `${caseName(c)}.txt`);
			if (UPDATE || !fs.existsSync(file)) {
				fs.mkdirSync(GOLDEN, {recursive: true});
				fs.writeFileSync(file, text);
				if (!UPDATE) assert.fail(`${file} did not exist: written now, check it and run again`);
				return;
			}
			assert.equal(text, fs.readFileSync(file, 'utf8'));
		});
	}
});
