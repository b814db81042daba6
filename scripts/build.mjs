// Bundles the CLI with esbuild (the options: scripts/bundle-options.mjs). Each command
// loads as few module files as it can, since each costs start-up time:
// - cli.js: flags, configuration, the status line and the choice of command;
//   `--status-line` (run every few seconds by a status bar) needs nothing else;
// - dashboard.js: the whole live dashboard (ink, react, the bus reader) in one file;
// - print.js (+ its chunks): `--once` and `--json`, which never load ink;
// - demo.js, demo-agent.js: the demo bus and its agents.
import {build} from 'esbuild';
import {chmodSync, copyFileSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {bundleOptions} from './bundle-options.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
// The bundle holds the installed better-sqlite3's JavaScript, to run beside the addon of the
// version package.json pins: a build from other sources would ship two versions' halves.
const sqliteVersion = JSON.parse(readFileSync('node_modules/better-sqlite3/package.json', 'utf8')).version;
if (sqliteVersion !== pkg.dependencies['better-sqlite3']) {
	console.error(
		`build: node_modules holds better-sqlite3 ${sqliteVersion}, package.json pins ${pkg.dependencies['better-sqlite3']}: run npm ci`,
	);
	process.exit(1);
}

const common = {
	...bundleOptions,
	outdir: 'dist',
	// better-sqlite3's JavaScript is bundled, its native addon loaded from the installed package
	// (source/bus/open.ts); `bindings`, the lookup it falls back on there, is loaded from that package.
	external: ['bindings'],
	define: {...bundleOptions.define, PACKAGE_VERSION: JSON.stringify(pkg.version), PACKAGE_DESCRIPTION: JSON.stringify(pkg.description)},
};

// The modules cli.js imports when a command runs, and the built file each one is.
const COMMAND_FILES = [
	[/[/\\]ui[/\\]run\.js$/, './dashboard.js'],
	[/[/\\]commands[/\\]print\.js$/, './print.js'],
	[/[/\\]demo[/\\]demo\.js$/, './demo.js'],
];
const commandsApart = {
	name: 'commands-apart',
	setup(build) {
		build.onResolve({filter: /^\.\.?\/.*\.js$/}, args => {
			const found = COMMAND_FILES.find(([pattern]) => pattern.test(path.join(args.resolveDir, args.path)));
			return found ? {path: found[1], external: true} : undefined;
		});
	},
};

rmSync('dist', {recursive: true, force: true});
await build({
	...common,
	entryPoints: {print: 'source/commands/print.ts', demo: 'source/demo/demo.ts', 'demo-agent': 'source/demo/agent.ts'},
	splitting: true,
});
await build({...common, entryPoints: {dashboard: 'source/ui/run.tsx'}, splitting: false});
await build({...common, entryPoints: {cli: 'source/cli.ts'}, splitting: false, plugins: [...common.plugins, commandsApart]});
// The installed command: a launcher that starts Node on cli.js (why: see the file).
copyFileSync('source/session-status.sh', 'dist/session-status');
chmodSync('dist/session-status', 0o755);
