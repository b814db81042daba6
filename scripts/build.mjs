// Bundles the CLI with esbuild (the options: scripts/bundle-options.mjs), code split so
// `--once` never loads ink. `--status-line`, run every few seconds by a status bar, runs
// from cli.js alone: each extra module file costs it start-up time.
import {build} from 'esbuild';
import {chmodSync, copyFileSync, readFileSync, rmSync} from 'node:fs';
import {bundleOptions} from './bundle-options.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
	...bundleOptions,
	outdir: 'dist',
	external: ['better-sqlite3'],
	define: {...bundleOptions.define, PACKAGE_VERSION: JSON.stringify(pkg.version), PACKAGE_DESCRIPTION: JSON.stringify(pkg.description)},
};

// cli.js is one file with the status line in it; everything else is imported from main.js.
const mainApart = {
	name: 'main-apart',
	setup(build) {
		build.onResolve({filter: /[/\\]commands[/\\]main\.js$/}, () => ({path: './main.js', external: true}));
	},
};

rmSync('dist', {recursive: true, force: true});
await build({...common, entryPoints: {main: 'source/commands/main.ts', 'demo-agent': 'source/demo/agent.ts'}, splitting: true});
await build({...common, entryPoints: {cli: 'source/cli.ts'}, splitting: false, plugins: [...common.plugins, mainApart]});
// The installed command: a launcher that starts Node on cli.js (why: see the file).
copyFileSync('source/session-status.sh', 'dist/session-status');
chmodSync('dist/session-status', 0o755);
