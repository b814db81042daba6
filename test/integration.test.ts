import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {execFileSync, spawnSync} from 'node:child_process';
import Database from 'better-sqlite3';
import {BusWriter} from '../source/bus/writer.js';
import {applyConfigFile, defaultConfig, loadConfig} from '../source/settings.js';
import {UsageError} from '../source/exit-codes.js';
import {deadPid, liveProcess, seededRandom} from './helpers/fixtures.js';
import {CLI, LAUNCHER, ROOT, launchedCommand, requireBuiltCli, run, scratch} from './helpers/cli.js';

// Fitting the user's day: the status line, the config file, the package and the readme.

const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string}).version;

function dump(dbPath: string): string {
	const db = new Database(dbPath, {readonly: true});
	try {
		return JSON.stringify(
			['session_registry', 'task_claims', 'file_locks', 'session_messages'].map(table =>
				db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(),
			),
		);
	} finally {
		db.close();
	}
}

describe('--status-line', () => {
	let dbPath: string;
	const child = liveProcess();
	before(async () => {
		requireBuiltCli();
		dbPath = path.join(scratch('status-'), 'messaging.db');
		const bus = new BusWriter(dbPath);
		const host = os.hostname();
		bus.register({sessionId: 'claude-1', hostname: host, pid: child.pid!, vendor: 'claude'});
		bus.register({sessionId: 'codex-2', hostname: host, pid: await deadPid(), vendor: 'codex'});
		bus.register({sessionId: 'gemini-3', hostname: 'elsewhere', pid: 77, vendor: 'gemini'});
		bus.alert({type: 'project_conflict', priority: 3, sessions: ['claude-1', 'codex-2'], projectId: 'P'});
		bus.alert({type: 'cwd_overlap', priority: 2, sessions: ['claude-1', 'codex-2'], cwd: '/x'});
		for (let i = 0; i < 3; i++) bus.send({senderId: 'codex-2', recipientId: 'claude-1', payload: {text: 'hi'}});
		bus.close();
	});
	after(() => child.kill());

	it('prints one plain line with sessions, dead, alerts and unread, and writes nothing', () => {
		const before = dump(dbPath);
		const result = run(['--status-line', '--db', dbPath]);
		assert.equal(result.code, 0);
		assert.equal(result.stdout, '3 sessions · 1 dead · 2 alerts (1 critical) · 3 unread\n');
		assert.equal(result.stderr, '');
		assert.equal(dump(dbPath), before);
	});

	it('colours the line for tmux: red when a critical alert is open or a session is dead', () => {
		const result = run(['--status-line', '--format', 'tmux', '--db', dbPath]);
		assert.equal(result.stdout, '#[fg=white,bg=red,bold]3 sessions · 1 dead · 2 alerts (1 critical) · 3 unread#[default]\n');
	});

	it('counts the unread of the current session when one is named', () => {
		const result = run(['--status-line', '--db', dbPath, '--session', 'codex-2']);
		assert.match(result.stdout, /· 0 unread\n$/);
	});

	it('is green when all is well', () => {
		const quiet = path.join(scratch('quiet-'), 'messaging.db');
		const bus = new BusWriter(quiet);
		bus.register({sessionId: 'claude-9', hostname: os.hostname(), pid: process.pid});
		bus.close();
		assert.equal(run(['--status-line', '--format', 'tmux', '--db', quiet]).stdout, '1 session · 0 alerts · 0 unread#[default]\n');
	});

	it('prints a short neutral text and exits 0 without a database, and when it is not one', () => {
		const missing = run(['--status-line', '--db', path.join(scratch('none-'), 'messaging.db')]);
		assert.deepEqual([missing.code, missing.stdout, missing.stderr], [0, 'bus: no database\n', '']);
		const junk = path.join(scratch('junk-'), 'messaging.db');
		fs.writeFileSync(junk, 'not a database at all'.repeat(100));
		const bad = run(['--status-line', '--db', junk]);
		assert.deepEqual([bad.code, bad.stdout, bad.stderr], [0, 'bus: unavailable\n', '']);
	});

	it('rejects a bad --format through the full CLI', () => {
		const result = run(['--status-line', '--format', 'html', '--db', dbPath]);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /--format takes plain or tmux/);
	});
});

describe("the build's changes to ink's dependencies", () => {
	it('leave what they compute as it was: truncating, slicing, measuring and styling text', async () => {
		const {build} = await import('esbuild');
		const {bundleOptions} = await import('../scripts/bundle-options.mjs');
		// The modules the build changes, bundled as the CLI is, beside the same modules as published. (wrap-ansi
		// is left out: the build gives it the string-width ink uses, where its own older one counts © as two cells.)
		const outDir = scratch('bundled-deps-');
		const entry = path.join(outDir, 'entry.js');
		const exported = `export {default as sliceAnsi} from 'slice-ansi'; export {default as cliTruncate} from 'cli-truncate'; export {default as stringWidth} from 'string-width'; export {tokenize, styledCharsFromTokens, styledCharsToString} from '@alcalzone/ansi-tokenize';`;
		fs.writeFileSync(entry, exported);
		await build({...bundleOptions, entryPoints: {deps: entry}, outdir: outDir, nodePaths: [path.join(ROOT, 'node_modules')]});
		type Text = {
			sliceAnsi: (text: string, start: number, end?: number) => string;
			cliTruncate: (text: string, columns: number, options?: {position?: 'start' | 'middle' | 'end'}) => string;
			stringWidth: (text: string) => number;
			tokenize: (text: string) => unknown[];
			styledCharsFromTokens: (tokens: unknown[]) => unknown[];
			styledCharsToString: (chars: unknown[]) => string;
		};
		const bundled = (await import(pathToFileURL(path.join(outDir, 'deps.js')).href)) as Text;
		const published = {
			...((await import('@alcalzone/ansi-tokenize')) as unknown as Text),
			sliceAnsi: (await import('slice-ansi')).default,
			cliTruncate: (await import('cli-truncate')).default,
			stringWidth: (await import('string-width')).default,
		};
		const compute = (text: Text, line: string, n: number) => [
			text.sliceAnsi(line, n % 7, n),
			text.cliTruncate(line, n),
			text.cliTruncate(line, n, {position: 'start'}),
			text.stringWidth(line),
			text.styledCharsToString(text.styledCharsFromTokens(text.tokenize(line))),
		];
		const palette = [
			'a',
			'word ',
			' ',
			'…',
			'│',
			'é',
			'·',
			'\u001b[31m',
			'\u001b[1m',
			'\u001b[39m',
			'\u001b[22m',
			'\u001b[7m',
			'\u009b7m',
			'\u001b]8;;https://x\u0007link\u001b]8;;\u0007',
			'\u001b',
			'e\u0301',
			'漢',
			'👍',
			'👩‍💻',
			'\r\n',
			'©\ufe0f',
			'\u00ad',
		];
		const next = seededRandom(13);
		for (let i = 0; i < 1500; i++) {
			let line = '';
			for (let j = next(14); j > 0; j--) line += palette[next(palette.length)];
			const width = 1 + next(12);
			assert.deepEqual(compute(bundled, line, width), compute(published, line, width), `${JSON.stringify(line)} in ${width}`);
		}
	});
});

describe('what each command loads', () => {
	// esbuild marks where each bundled file begins: `// node_modules/ink/build/render.js`.
	const UI = /^\/\/ (node_modules\/(ink|react|yoga-layout)\/|source\/ui\/)/m;
	const PRINTING = /^\/\/ source\/report\/dashboard\.ts/m;

	/** The bundle files a run of the built CLI loaded. */
	function loadedFiles(args: string[]): string[] {
		const record = path.join(scratch('loads-'), 'loads.txt');
		const result = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test', 'helpers', 'record-loads.mjs'), CLI, ...args], {
			env: {PATH: process.env['PATH'] ?? '', HOME: scratch('home-'), RECORD_LOADS: record},
			encoding: 'utf8',
			timeout: 20_000,
		});
		assert.ok(result.status === 0 || result.status === 8, `${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
		const dist = path.dirname(CLI);
		return [...new Set(fs.readFileSync(record, 'utf8').split('\n'))]
			.filter(url => url.startsWith('file:') && path.dirname(new URL(url).pathname) === dist)
			.map(url => new URL(url).pathname);
	}
	const matching = (files: string[], pattern: RegExp) =>
		files.filter(file => pattern.test(fs.readFileSync(file, 'utf8'))).map(file => path.basename(file));
	const bundleFiles = () => fs.readdirSync(path.dirname(CLI)).map(file => path.join(path.dirname(CLI), file));

	let dbPath: string;
	before(() => {
		requireBuiltCli();
		dbPath = path.join(scratch('loads-db-'), 'messaging.db');
		const bus = new BusWriter(dbPath);
		bus.register({sessionId: 'claude-1', hostname: os.hostname(), pid: process.pid, vendor: 'claude'});
		bus.close();
	});

	it('the bundle marks its UI and printing code (so the checks below can fail)', () => {
		const files = bundleFiles();
		assert.ok(matching(files, UI).length > 0 && matching(files, PRINTING).length > 0);
	});

	it('--once and --json load no ink, react or UI code', () => {
		for (const args of [['--once', '--no-log', '--read-only'], ['--json']]) {
			const files = loadedFiles([...args, '--db', dbPath]);
			assert.ok(matching(files, PRINTING).length > 0, `${args.join(' ')} printed without the printing code?`);
			assert.deepEqual(matching(files, UI), [], args.join(' '));
		}
	});

	it("the dashboard's layout engine starts without Node's fetch (undici: about 60 ms of the first frame)", () => {
		const [yogaFile] = matching(bundleFiles(), /^\/\/ node_modules\/yoga-layout\//m);
		assert.ok(yogaFile, 'no bundle file holds yoga-layout');
		const yoga = path.join(path.dirname(CLI), yogaFile);
		// Evaluating the module runs yoga's start (a top-level await); then ask Node what it loaded.
		const loaded = (script: string) =>
			spawnSync(
				process.execPath,
				['--input-type=module', '-e', `${script}; console.log(process.moduleLoadList.some(name => name.includes('undici')))`],
				{encoding: 'utf8', timeout: 20_000},
			).stdout.trim();
		assert.equal(loaded(`await fetch('data:,x')`), 'true', 'the check sees undici when fetch is used');
		assert.equal(loaded(`await import(${JSON.stringify(pathToFileURL(yoga).href)})`), 'false');
	});

	it("the dashboard loads without ICU's break rules or string-width's emoji pattern (some 50 ms of the first frame)", () => {
		const dashboard = pathToFileURL(path.join(path.dirname(CLI), 'dashboard.js')).href;
		// What the script created, seen through the two constructors.
		const created = (script: string) => {
			const result = spawnSync(
				process.execPath,
				[
					'--input-type=module',
					'-e',
					`const made = [];
					Intl.Segmenter = new Proxy(Intl.Segmenter, {construct: (target, args) => (made.push('segmenter'), Reflect.construct(target, args))});
					globalThis.RegExp = new Proxy(RegExp, {construct: (target, args) => (String(args[0]).includes('RGI_Emoji') && made.push('emoji pattern'), Reflect.construct(target, args))});
					${script};
					console.log(JSON.stringify(made));`,
				],
				{encoding: 'utf8', timeout: 20_000},
			);
			assert.equal(result.status, 0, result.stderr);
			return JSON.parse(result.stdout) as string[];
		};
		assert.deepEqual(
			created(`new Intl.Segmenter(); new RegExp('^\\\\p{RGI_Emoji}$', 'v')`),
			['segmenter', 'emoji pattern'],
			'the check sees both',
		);
		assert.deepEqual(created(`await import(${JSON.stringify(dashboard)})`), []);
		// A pattern written as a literal is made without the constructor, as the module loads.
		assert.doesNotMatch(fs.readFileSync(new URL(dashboard), 'utf8'), /\/\^\\p\{RGI_Emoji\}\$\/v/);
	});

	it('--status-line loads cli.js alone: neither UI nor printing code', () => {
		const files = loadedFiles(['--status-line', '--db', dbPath]);
		assert.deepEqual([...matching(files, UI), ...matching(files, PRINTING)], []);
		assert.deepEqual(
			files.map(file => path.basename(file)),
			['cli.js'],
		);
	});
});

describe('the installed command (dist/session-status)', () => {
	before(requireBuiltCli);

	/** Runs `command` with a bare environment plus `extra`. */
	const runWith = (command: string[], extra: Record<string, string>) =>
		spawnSync(command[0], command.slice(1), {
			env: {PATH: process.env['PATH'] ?? '', HOME: scratch('home-'), ...extra},
			encoding: 'utf8',
			timeout: 20_000,
		});

	it('runs cli.js from its real folder when linked from elsewhere, arguments intact', () => {
		const bin = path.join(scratch('bin with space-'), 'session-status');
		fs.symlinkSync(LAUNCHER, bin);
		const version = runWith([bin, '--version'], {});
		assert.deepEqual([version.status, version.stdout.trim(), version.stderr], [0, PACKAGE_VERSION, '']);
		const missing = runWith([bin, '--status-line', '--db', path.join(scratch('a folder with spaces-'), 'messaging.db')], {});
		assert.deepEqual([missing.status, missing.stdout], [0, 'bus: no database\n']);
	});

	it('gives a run without a terminal no heap flags (in a terminal: tmux.test.ts)', () => {
		// `sh -x` prints the command the launcher runs; stdout here is a pipe, not a terminal.
		for (const args of [['--status-line', '--db', '/nonexistent/messaging.db'], ['--version'], []]) {
			const execLine = launchedCommand(runWith(['sh', '-x', LAUNCHER, ...args], {}).stderr);
			assert.match(execLine, /^node --no-memory-reducer \S+\/cli\.js/, args.join(' '));
			assert.doesNotMatch(execLine, /semi-space|heap-growing/, args.join(' '));
		}
	});

	it('starts Node without NODE_EXTRA_CA_CERTS: node itself reads it (and warns about a missing file) before any code runs', t => {
		const extra = {NODE_EXTRA_CA_CERTS: path.join(scratch('certs-'), 'missing.pem')};
		if (!/extra certs/i.test(runWith([process.execPath, CLI, '--version'], extra).stderr)) {
			t.skip('this Node reads NODE_EXTRA_CA_CERTS only when it first needs it: nothing to drop');
			return;
		}
		const launched = runWith([LAUNCHER, '--version'], extra);
		assert.deepEqual([launched.status, launched.stderr], [0, '']);
	});
});

describe('configuration', () => {
	it('applies a file, then the environment, then flags', () => {
		const home = scratch('home-');
		const file = path.join(home, '.config', 'session-status', 'config.json');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const fromFile = path.join(scratch('file-'), 'messaging.db');
		const fromEnv = path.join(scratch('env-'), 'messaging.db');
		const fromFlag = path.join(scratch('flag-'), 'messaging.db');
		for (const db of [fromFile, fromEnv, fromFlag]) new BusWriter(db).close();
		fs.writeFileSync(file, JSON.stringify({db: fromFile, staleTimeout: 42}));
		const path_ = (args: string[], env: Record<string, string> = {}) =>
			JSON.parse(run(['--json', ...args], {home, env}).stdout) as {database: {path: string}; staleTimeoutSeconds: number};
		assert.deepEqual([path_([]).database.path, path_([]).staleTimeoutSeconds], [fromFile, 42]);
		assert.equal(path_([], {SESSION_STATUS_DB: fromEnv}).database.path, fromEnv);
		assert.equal(path_(['--db', fromFlag], {SESSION_STATUS_DB: fromEnv}).database.path, fromFlag);
		assert.equal(path_(['--stale-timeout', '7']).staleTimeoutSeconds, 7);
	});

	it('reports a bad file with its name and the offending key, and keeps the defaults', () => {
		const dir = scratch('cfg-');
		const file = path.join(dir, 'config.json');
		fs.writeFileSync(file, JSON.stringify({staleTimeout: -5, bell: 'yes', defaultTab: 'nope', colour: true, logDir: '/tmp/x'}));
		const config = defaultConfig({});
		const warnings = applyConfigFile(config, file, {required: true});
		assert.equal(warnings.length, 4);
		for (const key of ['staleTimeout', 'bell', 'defaultTab', 'colour'])
			assert.ok(
				warnings.some(w => w.includes(file) && w.includes(`"${key}"`)),
				key,
			);
		assert.equal(config.staleTimeoutMs, 300_000);
		assert.equal(config.bell, false);
		assert.equal(config.defaultTab, 'sessions');
		assert.equal(config.logBase, '/tmp/x');

		// A file that is not JSON is not guessed around: the run stops, saying where it goes wrong.
		fs.writeFileSync(file, '{"db": ');
		assert.throws(
			() => loadConfig({}, file),
			(error: Error) =>
				error instanceof UsageError &&
				error.message === `config file ${file}: not valid JSON: Unexpected end of JSON input at line 1, column 8`,
		);

		const db = path.join(scratch('cfgdb-'), 'messaging.db');
		new BusWriter(db).close();
		const result = run(['--once', '--no-log', '--db', db, '--config', file]);
		assert.equal(result.code, 2);
		assert.equal(result.stdout, '');
		assert.match(result.stderr, /config file .*config\.json: not valid JSON: .* at line 1, column 8\n$/);
	});

	it('a config file named but missing stops the run; the default one missing does not', () => {
		assert.equal(loadConfig({}, undefined, scratch('nohome-')).warnings.length, 0);
		assert.throws(
			() => loadConfig({}, '/nonexistent/config.json'),
			(error: Error) => error instanceof UsageError && error.message === 'config file /nonexistent/config.json: no such file',
		);
		assert.throws(() => loadConfig({SESSION_STATUS_CONFIG: '/nonexistent/config.json'}, undefined), UsageError);
	});
});

describe('package and readme', () => {
	it('packs only the built output, readme, the pictures it shows and license', () => {
		const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: ROOT, encoding: 'utf8'});
		const packed = (JSON.parse(output) as Array<{files: Array<{path: string; mode: number}>}>)[0].files;
		const files = packed.map(file => file.path).sort();
		assert.ok(
			['dist/cli.js', 'dist/session-status', 'readme.md', 'license', 'package.json'].every(file => files.includes(file)),
			files.join(', '),
		);
		for (const file of files)
			assert.match(file, /^(dist\/[\w.-]+\.js|dist\/session-status|readme\.md|media\/[\w.-]+\.svg|license|package\.json)$/, file);
		// Every picture the readme shows is packed: npm's page shows the readme from the tarball.
		for (const [, picture] of fs.readFileSync(path.join(ROOT, 'readme.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g))
			assert.ok(files.includes(picture), `${picture} is shown by the readme but not packed`);
		// The bin must stay executable in the tarball.
		assert.equal(packed.find(file => file.path === 'dist/session-status')!.mode & 0o111, 0o111);
	});

	it('installs from the packed tarball and runs as session-status, through the link npm makes', {timeout: 300_000}, () => {
		const dir = scratch('install-');
		const npm = (args: string[], cwd: string) =>
			execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {cwd, encoding: 'utf8', timeout: 300_000});
		const tarball = path.join(
			dir,
			(JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)) as Array<{filename: string}>)[0].filename,
		);
		// Into a scratch project pinned to this checkout's better-sqlite3, whose build it then
		// takes: its install script compiles for about 2 minutes. `npm install -g` links the
		// bin the same way, from its bin folder.
		const addon = (root: string) => path.join(root, 'node_modules', 'better-sqlite3');
		const version = (JSON.parse(fs.readFileSync(path.join(addon(ROOT), 'package.json'), 'utf8')) as {version: string}).version;
		const project = path.join(dir, 'project');
		fs.mkdirSync(project);
		fs.writeFileSync(
			path.join(project, 'package.json'),
			JSON.stringify({name: 'install-check', private: true, overrides: {'better-sqlite3': version}}),
		);
		npm(['install', '--ignore-scripts', tarball], project);
		fs.cpSync(path.join(addon(ROOT), 'build'), path.join(addon(project), 'build'), {recursive: true});

		const bin = path.join(project, 'node_modules', '.bin', 'session-status');
		assert.ok(fs.lstatSync(bin).isSymbolicLink(), 'npm links the bin');
		const home = scratch('home-');
		const command = (args: string[]) =>
			spawnSync(bin, args, {env: {PATH: process.env['PATH'] ?? '', HOME: home}, encoding: 'utf8', timeout: 30_000});
		assert.equal(command(['--version']).stdout.trim(), PACKAGE_VERSION);
		assert.match(command(['--help']).stdout, /^\s*Usage$/m);
		const db = path.join(scratch('installed-db-'), 'messaging.db');
		const bus = new BusWriter(db);
		bus.register({sessionId: 'claude-7', hostname: os.hostname(), pid: process.pid, vendor: 'claude'});
		bus.close();
		assert.equal(command(['--status-line', '--db', db]).stdout, '1 session · 0 alerts · 0 unread\n');
		const once = command(['--once', '--no-log', '--read-only', '--db', db]);
		assert.equal(once.status, 0, once.stderr);
		assert.match(once.stdout, /claude-7/);
	});

	it('documents every flag of --help in the readme, and nothing more', () => {
		const help = run(['--help']).stdout;
		const readme = fs.readFileSync(path.join(ROOT, 'readme.md'), 'utf8');
		const flagsTable = readme.slice(readme.indexOf('## Flags'), readme.indexOf('## Configuration'));
		const flags = (text: string) => new Set(Array.from(text.matchAll(/--[a-z][a-z-]*/g), match => match[0]));
		assert.deepEqual([...flags(flagsTable)].sort(), [...flags(help)].sort());
	});

	it('answers --version and --help as meow does, with exit codes and examples', () => {
		const version = run(['--version']);
		assert.equal(version.stdout.trim(), PACKAGE_VERSION);
		const help = run(['--help']).stdout;
		for (const heading of ['Usage', 'Options', 'Exit codes', 'Examples']) assert.match(help, new RegExp(`^\\s*${heading}$`, 'm'));
	});
});
