// Bundles the CLI with esbuild: everything but the native better-sqlite3 in,
// react in its production build, react-devtools-core (which ink imports only for
// its devtools) replaced by a stub, and code split so `--once` never loads ink.
// `--status-line`, run every few seconds by a status bar, runs from cli.js alone:
// each extra module file costs it start-up time.
import {build} from 'esbuild';
import {chmodSync, copyFileSync, readFileSync, rmSync} from 'node:fs';
import {readFile} from 'node:fs/promises';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
	jsx: 'automatic',
	outdir: 'dist',
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	external: ['better-sqlite3'],
	alias: {'react-devtools-core': './scripts/devtools-stub.js'},
	define: {'process.env.NODE_ENV': '"production"', PACKAGE_VERSION: JSON.stringify(pkg.version), PACKAGE_DESCRIPTION: JSON.stringify(pkg.description)},
	// Bundled CommonJS (react) calls require(); give the ESM bundle one.
	banner: {js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);"},
	logLevel: 'warning',
	legalComments: 'none',
};

// yoga-layout (ink's layout engine) turns its embedded WebAssembly, a base64 data: URL,
// into bytes with fetch() when fetch exists: in Node that loads undici, some 60 ms of
// the dashboard's start. Without fetch it decodes the same bytes itself.
const yogaWithoutFetch = {
	name: 'yoga-without-fetch',
	setup(build) {
		build.onLoad({filter: /[/\\]yoga-layout[/\\]dist[/\\]binaries[/\\][^/\\]+\.js$/}, async args => {
			const source = await readFile(args.path, 'utf8');
			const uses = source.split('typeof fetch').length - 1;
			if (uses === 0) throw new Error(`${args.path}: no \`typeof fetch\` to replace; yoga-layout changed, check how it loads its WebAssembly`);
			return {contents: source.replaceAll('typeof fetch', 'typeof undefined'), loader: 'js'};
		});
	},
};

// cli.js is one file with the status line in it; everything else is imported from main.js.
const mainApart = {
	name: 'main-apart',
	setup(build) {
		build.onResolve({filter: /[/\\]commands[/\\]main\.js$/}, () => ({path: './main.js', external: true}));
	},
};

rmSync('dist', {recursive: true, force: true});
await build({...common, entryPoints: {main: 'source/commands/main.ts', 'demo-agent': 'source/demo/agent.ts'}, splitting: true, plugins: [yogaWithoutFetch]});
await build({...common, entryPoints: {cli: 'source/cli.ts'}, splitting: false, plugins: [mainApart]});
// The installed command: a launcher that starts Node on cli.js (why: see the file).
copyFileSync('source/session-status.sh', 'dist/session-status');
chmodSync('dist/session-status', 0o755);
