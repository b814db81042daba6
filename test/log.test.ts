import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {BusWriter} from '../source/bus/writer.js';
import {MACHINE, documentedExample, liveProcess} from './helpers/fixtures.js';
import {listTree, requireBuiltCli, run, scratch, utcDate} from './helpers/cli.js';

/**
 * The session-log entry the printed dashboard appends: where it goes, its format
 * (the documentation's "Session Log Entry Format"), appending, and every way the
 * write can fail without losing the dashboard.
 */

requireBuiltCli();

const HOST = os.hostname();
const HEADING = /^### \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z - \[H\.0\] Cross-LLM Session Dashboard Status$/;

let claude: ChildProcess;
let codex: ChildProcess;

before(async () => {
	claude = liveProcess();
	codex = liveProcess();
	await Promise.all([once(claude, 'spawn'), once(codex, 'spawn')]);
});

after(() => {
	for (const child of [claude, codex]) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function documentedDb(): string {
	const dbPath = path.join(scratch(), 'messaging.db');
	documentedExample(dbPath, {claude: claude.pid!, codex: codex.pid!}).close();
	return dbPath;
}

/** Runs the dashboard with a log folder; returns the run and the log file it names (checked to be where it belongs). */
function runLogged(dbPath: string, logDir: string, extra: string[] = []) {
	const before = Date.now();
	const result = run(['--db', dbPath, '--once', '--log-dir', logDir, ...extra]);
	const after = Date.now();
	const last = result.lines.at(-1)!;
	assert.match(last, /^Session log entry appended: /, `${result.stdout}\n${result.stderr}`);
	const file = last.slice('Session log entry appended: '.length);
	const dates = new Set([utcDate(before), utcDate(after)]);
	assert.ok(
		[...dates].some(date => file === path.join(logDir, 'PILOT', `SESSION-LOG-${date}.md`)),
		`${file} is not ${logDir}/PILOT/SESSION-LOG-<UTC date>.md`,
	);
	return {result, file};
}

describe('the session-log entry', () => {
	it('is appended at DIR/PILOT/SESSION-LOG-<UTC date>.md in the documented format', () => {
		const logDir = scratch();
		const {result, file} = runLogged(documentedDb(), logDir, ['--session', 'claude-29583']);
		assert.equal(result.code, 8, result.stderr);
		assert.deepEqual(listTree(logDir), ['PILOT', path.join('PILOT', path.basename(file))]);
		const entry = fs.readFileSync(file, 'utf8');
		const lines = entry.split('\n');
		assert.match(lines[0], HEADING);
		const nonBlank = lines.filter(line => line !== '');
		assert.deepEqual(nonBlank.slice(1, 5), [
			'**Author:** Claude (opus-4.6)',
			'Inter-Session Message Bus queried for active session status.',
			'**Cross-LLM Session Dashboard:**',
			'**Session: claude-29583** (THIS SESSION)',
		]);
		// Per-session detail blocks, full UUIDs and paths in code spans, never tables.
		for (const line of [
			'- **Session UUID:** `a1b2c3d4-e5f6-7890-abcd-ef1234567890`',
			`- **Machine UUID:** \`${MACHINE}\``,
			'- **CWD:** `/Users/halcasteel/PROJECTS/coditect-rollout-master/submodules/core/coditect-core`',
			'**Session: codex-41200**',
			'- **Project:** PILOT',
			'- **Vendor:** claude (opus-4.6)',
			'- **Vendor:** codex (o3)',
			'**Operator Alerts (ADR-173):**',
			'**Session Lifecycle (ADR-173, last 10):**',
			'**Bus Statistics:**',
			'- Active sessions: 2 / 2 historical',
			'**Observations:**',
		]) {
			assert.ok(lines.includes(line), `log lacks ${JSON.stringify(line)}:\n${entry}`);
		}
		assert.ok(
			lines.some(line => /^- \*\*Claimed Task:\*\* H\.13\.7 \(exclusive\)$/.test(line)),
			entry,
		);
		assert.ok(
			lines.some(line => new RegExp(`^- \\*\\*PID:\\*\\* ${claude.pid} \\(uptime `).test(line)),
			entry,
		);
		assert.ok(
			lines.some(line => /^- Database: `.*messaging\.db` \(\d+ (B|KB), WAL mode\)$/.test(line)),
			entry,
		);
		assert.ok(
			lines.some(line => /^- project\\?_conflict \(priority 3\/critical\): claude-29583 \+ codex-41200 both on PILOT/.test(line)),
			entry,
		);
		// The sections come in the documented order.
		const order = [
			'**Cross-LLM Session Dashboard:**',
			'**Session: claude-29583** (THIS SESSION)',
			'**Session: codex-41200**',
			'**Operator Alerts (ADR-173):**',
			'**Session Lifecycle (ADR-173, last 10):**',
			'**Bus Statistics:**',
			'**Observations:**',
		].map(line => lines.indexOf(line));
		assert.deepEqual(
			[...order].sort((a, b) => a - b),
			order,
			`sections out of order: ${order.join(', ')}`,
		);
		assert.ok(!lines.some(line => line.startsWith('|')), 'no markdown table line');
		assert.ok(!entry.includes('Session log entry appended'), 'the confirmation is not part of the entry');
		assert.ok(!lines.includes('='.repeat(50)), 'no terminal rule in the markdown');
		assert.ok(entry.endsWith('\n'));
	});

	it('names session-status as author without a current session, or the --author given', () => {
		const dbPath = documentedDb();
		const plain = runLogged(dbPath, scratch());
		assert.ok(fs.readFileSync(plain.file, 'utf8').split('\n').includes('**Author:** session-status'));
		const named = runLogged(dbPath, scratch(), ['--author', 'Ops Desk']);
		assert.ok(fs.readFileSync(named.file, 'utf8').split('\n').includes('**Author:** Ops Desk'));
		// --author is the fallback: the current session's model still wins.
		const current = runLogged(dbPath, scratch(), ['--author', 'Ops Desk', '--session', 'codex-41200']);
		assert.ok(fs.readFileSync(current.file, 'utf8').split('\n').includes('**Author:** Codex (o3)'));
	});

	it('a second run appends a second entry and leaves the first byte for byte', () => {
		const dbPath = documentedDb();
		const logDir = scratch();
		const first = runLogged(dbPath, logDir, ['--session', 'claude-29583']);
		const firstBytes = fs.readFileSync(first.file);
		const second = runLogged(dbPath, logDir);
		assert.equal(second.file, first.file);
		const both = fs.readFileSync(first.file);
		assert.ok(both.length > firstBytes.length);
		assert.ok(both.subarray(0, firstBytes.length).equals(firstBytes), 'the first entry changed');
		const text = both.toString('utf8');
		assert.equal(text.split('\n').filter(line => HEADING.test(line)).length, 2);
		assert.match(both.subarray(firstBytes.length).toString('utf8'), /^\n### /, "a blank line, then the second entry's heading");
	});

	it('--no-log writes nothing', () => {
		const home = scratch();
		const logDir = path.join(home, 'logs');
		const result = run(['--db', documentedDb(), '--once', '--no-log', '--log-dir', logDir], {home});
		assert.equal(result.code, 8, result.stderr);
		assert.ok(!result.stdout.includes('Session log entry appended'));
		assert.equal(result.lines.at(-1), '='.repeat(50));
		assert.deepEqual(listTree(home), [], 'nothing created');
	});

	it('goes under HOME by default', () => {
		const home = scratch();
		const result = run(['--db', documentedDb(), '--once'], {home});
		const base = path.join(home, '.coditect-data', 'session-logs', 'projects', 'PILOT');
		assert.match(
			result.lines.at(-1)!,
			new RegExp(`^Session log entry appended: ${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/SESSION-LOG-\\d{4}-\\d{2}-\\d{2}\\.md$`),
		);
	});

	it('a hostile project name lands in a safe folder inside DIR', () => {
		const root = scratch();
		const logDir = path.join(root, 'a', 'b', 'logs');
		fs.mkdirSync(logDir, {recursive: true});
		const dbPath = path.join(scratch(), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', hostname: HOST, vendor: 'claude', projectId: '../../x', pid: claude.pid!});
		bus.close();
		const before = listTree(root);
		const result = run(['--db', dbPath, '--once', '--log-dir', logDir]);
		assert.equal(result.code, 0, result.stderr);
		const file = result.lines.at(-1)!.replace('Session log entry appended: ', '');
		const relative = path.relative(logDir, file);
		assert.ok(!relative.startsWith('..') && !path.isAbsolute(relative), `${file} is outside ${logDir}`);
		const parts = relative.split(path.sep);
		assert.equal(parts.length, 2, relative);
		assert.match(parts[0], /^[A-Za-z0-9._-]+$/);
		assert.ok(parts[0] !== '.' && parts[0] !== '..');
		assert.ok(fs.existsSync(file));
		const created = listTree(root).filter(entry => !before.includes(entry));
		assert.ok(created.length > 0);
		for (const entry of created)
			assert.ok(entry.startsWith(path.join('a', 'b', 'logs') + path.sep), `created outside the log folder: ${entry}`);
		assert.ok(fs.readFileSync(file, 'utf8').includes('- **Project:** ../../x'), 'the project is shown as it is');
		// The same when the project comes from the current session.
		const current = run(['--db', dbPath, '--once', '--log-dir', logDir, '--session', 'claude-1']);
		assert.equal(current.code, 0, current.stderr);
		assert.equal(current.lines.at(-1), `Session log entry appended: ${file}`);
		assert.deepEqual(
			listTree(root).filter(entry => !before.includes(entry)),
			created,
		);
	});

	it('an unwritable log folder (ENOTDIR): dashboard printed, the failure and path on stderr, exit 6', () => {
		const regular = path.join(scratch(), 'regular-file');
		fs.writeFileSync(regular, 'not a folder\n');
		const logDir = path.join(regular, 'sub');
		const result = run(['--db', documentedDb(), '--once', '--log-dir', logDir]);
		assert.equal(result.code, 6, result.stderr);
		assert.equal(result.lines[0], 'Cross-LLM Session Dashboard');
		assert.ok(result.lines.includes('**Observations:**'));
		assert.ok(!result.stdout.includes('Session log entry appended'));
		assert.match(result.stderr, /Session log write failed/);
		assert.ok(result.stderr.includes(logDir), result.stderr);
		assert.match(result.stderr, /ENOTDIR/);
		assert.ok(!result.stderr.includes('    at '), result.stderr);
		assert.equal(fs.readFileSync(regular, 'utf8'), 'not a folder\n');
	});

	it('a full device (/dev/full): ENOSPC reported, exit 6', t => {
		if (!fs.existsSync('/dev/full')) {
			t.skip('no /dev/full on this system');
			return;
		}
		const logDir = scratch();
		fs.mkdirSync(path.join(logDir, 'PILOT'));
		// Today and tomorrow (UTC), in case the run crosses midnight.
		for (const ms of [Date.now(), Date.now() + 86_400_000]) {
			fs.symlinkSync('/dev/full', path.join(logDir, 'PILOT', `SESSION-LOG-${utcDate(ms)}.md`));
		}
		const result = run(['--db', documentedDb(), '--once', '--log-dir', logDir]);
		assert.equal(result.code, 6, result.stderr);
		assert.ok(result.lines.includes('**Observations:**'), 'the dashboard is still printed');
		assert.match(result.stderr, /Session log write failed: .*SESSION-LOG-\d{4}-\d{2}-\d{2}\.md/);
		assert.match(result.stderr, /ENOSPC/);
		assert.ok(!result.stderr.includes('    at '), result.stderr);
	});

	it('sections and --json write no log', () => {
		const dbPath = documentedDb();
		const logDir = scratch();
		for (const flag of ['--stats', '--alerts', '--lifecycle', '--locks', '--claims', '--unread', '--json']) {
			const result = run(['--db', dbPath, flag, '--once', '--log-dir', logDir]);
			assert.ok(!result.stdout.includes('Session log entry appended'), flag);
		}
		assert.deepEqual(listTree(logDir), []);
	});
});
