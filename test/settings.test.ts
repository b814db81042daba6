import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {UsageError} from '../source/exit-codes.js';
import {defaultDatabasePath} from '../source/bus/open.js';
import {defaultLogBase} from '../source/report/session-log.js';
import {TAB_IDS} from '../source/tab-ids.js';
import {
	SETTINGS,
	type Config,
	applyConfigFile,
	defaultConfig,
	helpText,
	loadConfig,
	parseFlags,
	resolveConfig,
} from '../source/settings.js';
import {type Context, type Parser, text} from '../source/settings/parsers.js';
import {
	type FlagsOf,
	type Setting,
	applyEnvironment,
	applyFile,
	applyFlags,
	argsOptions,
	readFlags,
	tableDefaults,
} from '../source/settings/table.js';
import {renderHelp} from '../source/settings/help.js';
import {splitCommandLine} from '../source/settings/remotes.js';
import {tempDir} from './helpers/fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const readme = fs.readFileSync(path.join(ROOT, 'readme.md'), 'utf8');

/** The text of the readme section under `## heading`, up to the next one. */
function readmeSection(heading: string): string {
	const start = readme.indexOf(`\n## ${heading}\n`);
	assert.ok(start >= 0, `the readme has no ## ${heading}`);
	const end = readme.indexOf('\n## ', start + 1);
	return readme.slice(start, end < 0 ? undefined : end);
}

let scratchRoot: string | null = null;

/** A config file holding `content` (JSON unless text), in a folder of its own. */
function writeFile(content: unknown): string {
	scratchRoot ??= tempDir('session-status-settings-');
	const file = path.join(fs.mkdtempSync(path.join(scratchRoot, 'cfg-')), 'config.json');
	fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
	return file;
}

/** For assert.throws: a UsageError whose message matches. */
const usageError = (pattern: RegExp) => (error: unknown) => error instanceof UsageError && pattern.test(error.message);

const flagsOfTable = () =>
	SETTINGS.flatMap(setting => ('flag' in setting && setting.flag !== undefined ? [`--${setting.flag}`] : [])).sort();

describe('the readme check', () => {
	it("the readme's Flags table lists exactly the flags of the settings table", () => {
		const rows = readmeSection('Flags')
			.split('\n')
			.filter(line => line.startsWith('| `--'));
		const listed = rows.flatMap(row => Array.from(row.split('|')[1].matchAll(/--[a-z][a-z-]*/g), match => match[0]));
		assert.deepEqual([...listed].sort(), flagsOfTable());
		assert.equal(new Set(listed).size, listed.length, 'each flag once');
	});

	it("the readme's configuration example uses only known keys, with values the table accepts", () => {
		const example = /```json\n([\s\S]*?)```/.exec(readmeSection('Configuration'));
		assert.ok(example, 'no JSON example under ## Configuration');
		const keys = Object.keys(JSON.parse(example[1]) as object);
		const known = SETTINGS.flatMap(setting => ('fileKey' in setting ? [setting.fileKey] : []));
		assert.deepEqual(
			keys.filter(key => !(known as string[]).includes(key)),
			[],
		);
		assert.deepEqual(applyConfigFile(defaultConfig({}), writeFile(example[1]), {required: true}), []);
	});
});

describe('the settings table', () => {
	it('gives every Config field its default, read by its own parser', () => {
		const home = '/home/someone';
		assert.deepEqual(defaultConfig({}, home), {
			dbPath: defaultDatabasePath(home),
			logBase: defaultLogBase(home),
			staleTimeoutMs: 300_000,
			refreshMs: 250,
			readOnly: false,
			bell: false,
			notify: null,
			operator: 'operator',
			defaultTab: 'sessions',
			sessionId: null,
			machineUuid: null,
			author: 'session-status',
			verbose: false,
			noLog: false,
			color: true,
			format: 'plain',
			remotes: [],
			noLocal: false,
			remoteTimeoutMs: 5000,
			sshCommand: ['ssh'],
		} satisfies Config);
	});

	it('derives the view flags, --tab and the config file defaultTab from the tabs', () => {
		const views = SETTINGS.flatMap(setting => ('group' in setting && setting.group === 'views' ? [setting.flag] : []));
		assert.deepEqual(views, [...TAB_IDS]);
		for (const id of TAB_IDS) {
			assert.equal(parseFlags([`--${id}`]).flags[id], true);
			assert.equal(parseFlags(['--tab', id]).flags.tab, id);
			const config = defaultConfig({});
			assert.deepEqual(applyConfigFile(config, writeFile({defaultTab: id}), {required: true}), []);
			assert.equal(config.defaultTab, id);
		}
		assert.throws(
			() => parseFlags(['--tab', 'nope']),
			(error: Error) => error instanceof UsageError && /--tab takes one of sessions, /.test(error.message),
		);
		for (const id of TAB_IDS) assert.match(helpText('d'), new RegExp(`^    --${id} +\\S`, 'm'));
	});

	it('reads a flag, the environment and the config file through one parser each, with one sentence', () => {
		assert.equal(parseFlags(['--stale-timeout', '7']).flags['stale-timeout'], 7000);
		assert.throws(() => parseFlags(['--stale-timeout', '0']), usageError(/^--stale-timeout takes a positive number of seconds, not "0"$/));
		const config = defaultConfig({});
		const [warning] = applyConfigFile(config, writeFile({staleTimeout: 0}), {required: true});
		assert.match(warning, /key "staleTimeout" must be a positive number of seconds, not 0; using the default$/);
		assert.deepEqual(applyConfigFile(config, writeFile({staleTimeout: 7, db: '~/bus.db'}), {required: true, home: '/h'}), []);
		assert.deepEqual([config.staleTimeoutMs, config.dbPath], [7000, '/h/bus.db']);
	});

	it('resolves flags over environment over the config file over defaults', () => {
		const file = writeFile({db: '/file.db', author: 'file', refreshMs: 500, bell: true});
		const env = {SESSION_STATUS_DB: '/env.db', SESSION_STATUS_SESSION: 'env-session', NO_COLOR: '1'};
		const loaded = loadConfig(env, file);
		assert.deepEqual(loaded.warnings, []);
		assert.deepEqual(
			[
				loaded.config.dbPath,
				loaded.config.author,
				loaded.config.refreshMs,
				loaded.config.bell,
				loaded.config.sessionId,
				loaded.config.color,
			],
			['/env.db', 'file', 500, true, 'env-session', false],
		);
		const resolved = resolveConfig(parseFlags(['--config', file, '--db', '/flag.db', '--refresh', '60']).flags, () => assert.fail(), env);
		assert.deepEqual([resolved.dbPath, resolved.refreshMs, resolved.author, resolved.bell], ['/flag.db', 60, 'file', true]);
		assert.equal(loadConfig({NO_COLOR: ''}, file).config.color, true, 'NO_COLOR set but empty leaves colour on');
	});
});

describe('remotes', () => {
	const ssh = (name: string, destination = name, db: string | null = null, command: string | null = null) => ({
		name,
		transport: {kind: 'ssh', destination, db, command},
	});

	it("--remote DEST is repeatable, named by DEST, and added to the config file's remotes", () => {
		const file = writeFile({remotes: [{name: 'box', exec: ['docker', 'exec', '-i', 'b', 'session-status', 'serve'], db: '/x.db'}]});
		const flags = parseFlags(['--config', file, '--remote', 'build', '--remote', 'me@gpu-1', '--no-local', '--remote-timeout', '2']).flags;
		const config = resolveConfig(flags, warning => assert.fail(warning), {});
		assert.deepEqual(config.remotes, [
			{name: 'box', transport: {kind: 'exec', argv: ['docker', 'exec', '-i', 'b', 'session-status', 'serve'], db: '/x.db'}},
			ssh('build'),
			ssh('me@gpu-1'),
		]);
		assert.deepEqual([config.noLocal, config.remoteTimeoutMs], [true, 2000]);
		assert.throws(() => parseFlags(['--remote-timeout', '0']), usageError(/^--remote-timeout takes a positive number of seconds/));
	});

	it('a DEST starting with a dash is a usage error, however it is given', () => {
		for (const argv of [['--remote', '-oProxyCommand=touch /tmp/x'], ['--remote=-oProxyCommand=touch /tmp/x'], ['--remote', '-x']])
			assert.throws(
				() => parseFlags(argv),
				usageError(/^--remote: the destination "-.*" starts with "-": ssh would read it as an option$/),
				argv.join(' '),
			);
		assert.throws(() => parseFlags(['--remote', 'local']), usageError(/^--remote: the name "local" is this machine's$/));
		assert.throws(() => parseFlags(['--remote', '']), usageError(/^--remote/));
	});

	it('two remotes with one name are an error naming it, among flags, in the file, and across both', () => {
		assert.throws(() => parseFlags(['--remote', 'a', '--remote', 'a']), usageError(/^--remote: two remotes are named "a"$/));
		const file = writeFile({remotes: [{name: 'a', ssh: 'host-a'}]});
		assert.throws(
			() => resolveConfig(parseFlags(['--config', file, '--remote', 'a']).flags, () => {}, {}),
			usageError(/^--remote: two remotes are named "a"$/),
		);
		const config = defaultConfig({});
		const [warning] = applyConfigFile(
			config,
			writeFile({
				remotes: [
					{name: 'a', ssh: 'x'},
					{name: 'a', exec: ['y']},
				],
			}),
			{required: true},
		);
		assert.match(warning, /key "remotes": two remotes are named "a"; using the default$/);
		assert.deepEqual(config.remotes, []);
	});

	it('checks each config entry, names what is wrong, and keeps the default as for any bad key', () => {
		const cases: Array<[unknown, RegExp]> = [
			[{ssh: 'h'}, /item 1: "name" must be non-empty text/],
			[{name: '', ssh: 'h'}, /item 1: "name" must be non-empty text/],
			[{name: 'local', ssh: 'h'}, /item 1: the name "local" is this machine's/],
			[{name: 'a\u001b[2J', ssh: 'h'}, /item 1: "name" "a\\u001b\[2J" holds a control character/],
			[{name: 'a'}, /remote "a": give exactly one of "ssh" and "exec"/],
			[{name: 'a', ssh: 'h', exec: ['x']}, /remote "a": give exactly one of "ssh" and "exec"/],
			[{name: 'a', ssh: '-oProxyCommand=x'}, /remote "a": "ssh" "-oProxyCommand=x" starts with "-"/],
			[{name: 'a', ssh: ''}, /remote "a": "ssh" must be an ssh destination/],
			[{name: 'a', exec: []}, /remote "a": "exec" must be a non-empty list of strings/],
			[{name: 'a', exec: ['x', 3]}, /remote "a": "exec" must be a non-empty list of strings/],
			[{name: 'a', exec: 'docker exec'}, /remote "a": "exec" must be a non-empty list of strings/],
			[{name: 'a', exec: ['x'], command: 'y'}, /remote "a": "command" goes with "ssh"/],
			[{name: 'a', ssh: 'h', db: 3}, /remote "a": "db" must be a path on the remote/],
			[{name: 'a', ssh: 'h', comand: 'y'}, /item 1: unknown key "comand"/],
			[7, /item 1: a remote is an ssh destination or an object/],
		];
		for (const [entry, pattern] of cases) {
			const config = defaultConfig({});
			const file = writeFile({remotes: [entry], author: 'kept'});
			const warnings = applyConfigFile(config, file, {required: true});
			assert.equal(warnings.length, 1, JSON.stringify(entry));
			assert.ok(warnings[0].startsWith(`config file ${file}: key "remotes" item 1`), warnings[0]);
			assert.match(warnings[0], pattern);
			assert.match(warnings[0], /; using the default$/);
			assert.deepEqual([config.remotes, config.author], [[], 'kept'], 'the bad key keeps its default; the others apply');
		}
		const config = defaultConfig({});
		const good = {name: 'g', ssh: 'gpu', db: '~/bus.db', command: '/opt/bin/session-status serve'};
		assert.deepEqual(applyConfigFile(config, writeFile({remotes: [good, 'plain-host'], remoteTimeout: 1.5}), {required: true}), []);
		assert.deepEqual(config.remotes, [ssh('g', 'gpu', '~/bus.db', '/opt/bin/session-status serve'), ssh('plain-host')]);
		assert.equal(config.remoteTimeoutMs, 1500);
	});
});

describe('SESSION_STATUS_SSH_COMMAND', () => {
	const words = (command: string) => splitCommandLine(command, '/home/me');

	it('splits as a shell would, quotes and backslashes included, expanding nothing but a leading ~/', () => {
		const cases: Array<[string, string[]]> = [
			['ssh', ['ssh']],
			['  ssh   -F  ~/.ssh/agents_config ', ['ssh', '-F', '/home/me/.ssh/agents_config']],
			['ssh -i ~', ['ssh', '-i', '/home/me']],
			[String.raw`ssh -F '~/quoted' "~/double" \~/escaped a~/b`, ['ssh', '-F', '~/quoted', '~/double', '~/escaped', 'a~/b']],
			[`ssh -o 'ProxyCommand=nc %h %p' "-oUser=a b"`, ['ssh', '-o', 'ProxyCommand=nc %h %p', '-oUser=a b']],
			[`"/opt/my ssh/ssh" -v`, ['/opt/my ssh/ssh', '-v']],
			[
				String.raw`ssh it\'s "say \"hi\" \$HOME \n" $HOME $(id) \`x\``,
				['ssh', "it's", String.raw`say "hi" $HOME \n`, '$HOME', '$(id)', '`x`'],
			],
			[`ssh '' a''b "x"'y'z`, ['ssh', '', 'ab', 'xyz']],
			['ssh\\\n-v', ['ssh-v']],
			['ssh\t-v\n-4', ['ssh', '-v', '-4']],
		];
		for (const [command, expected] of cases) assert.deepEqual(words(command), {value: expected}, command);
	});

	it("refuses an unclosed quote or nothing at all; the environment's refusal is a warning and ssh stays", () => {
		assert.deepEqual(words(`ssh 'x`), {why: 'a single quote is not closed'});
		assert.deepEqual(words(`ssh "x`), {why: 'a double quote is not closed'});
		assert.deepEqual(words('ssh \\'), {why: 'a backslash ends it'});
		assert.deepEqual(words('   '), {why: 'it names no program'});
		const loaded = loadConfig({SESSION_STATUS_SSH_COMMAND: `ssh -F 'x`}, writeFile({}), '/home/me');
		assert.deepEqual(loaded.warnings, ['environment: SESSION_STATUS_SSH_COMMAND: "ssh -F \'x": a single quote is not closed; ignored']);
		assert.deepEqual(loaded.config.sshCommand, ['ssh']);
		const set = loadConfig({SESSION_STATUS_SSH_COMMAND: 'ssh -F ~/.ssh/agents_config'}, writeFile({}), '/home/me');
		assert.deepEqual(set.config.sshCommand, ['ssh', '-F', '/home/me/.ssh/agents_config']);
	});
});

describe('the mechanism, on a table of its own', () => {
	type Remote = {host: string; db: string | null};
	type Target = {remotes: Remote[]; notify: string[] | null; name: string};
	const remote: Parser<Remote> = {
		takes: 'HOST[:DB] or {"host": HOST, "db": DB}',
		read: raw => {
			if (typeof raw === 'string' && /^[\w.-]+(:.+)?$/.test(raw)) {
				const [host, ...db] = raw.split(':');
				return {host: host, db: db.length > 0 ? db.join(':') : null};
			}
			const object = raw as Partial<Remote> | null;
			if (typeof object !== 'object' || object === null || typeof object.host !== 'string') return undefined;
			return {host: object.host, db: typeof object.db === 'string' ? object.db : null};
		},
	};
	const words: Parser<string[]> = {
		takes: 'a list of words',
		read: raw => (Array.isArray(raw) && raw.length > 0 && raw.every(word => typeof word === 'string' && word !== '') ? raw : undefined),
	};
	const TABLE = [
		{
			field: 'remotes',
			flag: 'remote',
			valueName: 'DEST',
			repeatable: true,
			env: 'TEST_REMOTE',
			fileKey: 'remotes',
			parse: remote,
			default: [],
			help: 'A remote bus',
			group: 'options',
		},
		{field: 'notify', fileKey: 'notify', parse: words, default: null},
		{field: 'name', flag: 'name', valueName: 'NAME', fileKey: 'name', parse: text, default: 'local', help: 'A name', group: 'options'},
	] as const satisfies ReadonlyArray<Setting<Target>>;
	const context: Context = {home: '/h', cwd: '/c', env: {}};

	// The flags' types follow from the table: a repeatable flag is a list of its parser's values.
	const typed: FlagsOf<typeof TABLE> = {remote: [{host: 'a', db: null}], name: undefined};

	it('a repeatable flag, given several times, gives a list; not given, an empty one', () => {
		assert.deepEqual(argsOptions(TABLE)['remote'], {type: 'string', multiple: true});
		const {flags} = readFlags(TABLE, ['--remote', 'a', '--name', 'n', '--remote', 'b:/x.db'], context);
		assert.deepEqual(flags, {
			remote: [
				{host: 'a', db: null},
				{host: 'b', db: '/x.db'},
			],
			name: 'n',
		});
		assert.deepEqual(readFlags(TABLE, [], context).flags, {remote: [], name: undefined});
		assert.deepEqual(typed.remote, [{host: 'a', db: null}]);
		assert.throws(
			() => readFlags(TABLE, ['--remote', 'a', '--remote', '?'], context),
			usageError(/^--remote takes HOST\[:DB\] or .*, not "\?"$/),
		);
	});

	it('the config file gives lists and objects, each item through the same parser; a bad item names the key and the item', () => {
		const target = tableDefaults(TABLE, context);
		assert.deepEqual(target, {remotes: [], notify: null, name: 'local'});
		const good = writeFile({remotes: [{host: 'a', db: '/a.db'}, 'b'], notify: ['notify-send', 'bus'], name: 'here'});
		assert.deepEqual(applyFile(TABLE, target, good, true, context), []);
		assert.deepEqual(target, {
			remotes: [
				{host: 'a', db: '/a.db'},
				{host: 'b', db: null},
			],
			notify: ['notify-send', 'bus'],
			name: 'here',
		});
		const bad = writeFile({remotes: ['c', {db: 'x'}], notify: [], name: 3, other: 1});
		const fresh = tableDefaults(TABLE, context);
		const warnings = applyFile(TABLE, fresh, bad, true, context);
		assert.deepEqual(
			warnings.map(warning => warning.slice(warning.indexOf(': ') + 2)),
			[
				'key "remotes" item 2 must be HOST[:DB] or {"host": HOST, "db": DB}; using the default',
				'key "notify" must be a list of words; using the default',
				'key "name" must be text, not 3; using the default',
				'unknown key "other" (known: remotes, notify, name); ignored',
			],
		);
		assert.deepEqual(fresh, tableDefaults(TABLE, context), 'every bad key keeps its default');
		assert.match(applyFile(TABLE, fresh, writeFile({remotes: 'c'}), true, context)[0], /key "remotes" must be a list of HOST/);
	});

	it('the environment gives one item of a list; flags given replace the list, flags not given leave it', () => {
		const target = tableDefaults(TABLE, context);
		assert.deepEqual(applyEnvironment(TABLE, target, {...context, env: {TEST_REMOTE: 'e'}}), []);
		assert.deepEqual(target['remotes'], [{host: 'e', db: null}]);
		applyFlags(TABLE, target, readFlags(TABLE, ['--name', 'n'], context).flags);
		assert.deepEqual([target['remotes'], target['name']], [[{host: 'e', db: null}], 'n']);
		applyFlags(TABLE, target, readFlags(TABLE, ['--remote', 'f'], context).flags);
		assert.deepEqual(target['remotes'], [{host: 'f', db: null}]);
	});

	it('--help lists the table, a repeatable flag with its value name', () => {
		const help = renderHelp(TABLE, 'A test');
		assert.match(help, /^ {4}--remote DEST +A remote bus \(env: TEST_REMOTE\)$/m);
		assert.match(help, /^ {4}--name NAME +A name \(default: local\)$/m);
		assert.doesNotMatch(help, /notify/);
	});

	it('--help keeps the descriptions apart from even the longest flag', () => {
		const long = {flag: 'a-flag-longer-than-any-column-was', valueName: 'SOMETHING', parse: text, help: 'Long', group: 'options'} as const;
		assert.match(renderHelp([...TABLE, long], 'A test'), /^ {4}--a-flag-longer-than-any-column-was SOMETHING {2}Long$/m);
	});
});

describe('layers', () => {
	const sourceFiles = (dir: string): string[] =>
		(fs.readdirSync(path.join(ROOT, 'source', dir), {recursive: true}) as string[])
			.map(String)
			.filter(file => /\.tsx?$/.test(file))
			.map(file => path.join(dir, file));
	const imports = (file: string) =>
		Array.from(fs.readFileSync(path.join(ROOT, 'source', file), 'utf8').matchAll(/^import .* from '([^']+)';$/gm), match => match[1]);

	it('nothing in the lower layers imports the settings or the commands', () => {
		for (const dir of ['bus', 'processes', 'text', 'analysis', 'report', 'monitor']) {
			for (const file of sourceFiles(dir)) {
				const upward = imports(file).filter(from => /(^|\/)(settings|commands)(\.js$|\/)/.test(from));
				assert.deepEqual(upward, [], file);
			}
		}
	});

	it('exit-codes.ts and tab-ids.ts are leaves; the settings import no command', () => {
		assert.deepEqual([...imports('exit-codes.ts'), ...imports('tab-ids.ts')], []);
		for (const file of ['settings.ts', ...sourceFiles('settings')])
			assert.deepEqual(
				imports(file).filter(from => from.includes('commands/')),
				[],
				file,
			);
	});
});
