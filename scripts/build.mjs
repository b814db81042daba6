// Bundles the CLI with esbuild: everything but the native better-sqlite3 in,
// react in its production build, react-devtools-core (which ink imports only for
// its devtools) replaced by a stub, and code split so `--once` never loads ink.
// `--status-line`, run every few seconds by a status bar, runs from cli.js alone:
// each extra module file costs it start-up time.
import {build} from 'esbuild';
import {chmodSync, copyFileSync, readFileSync, rmSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import path from 'node:path';

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

// ink measures every line and every character of every frame with string-width, which
// segments any text that is not pure ASCII (a table line with an ellipsis or a dash).
// Each importer's string-width gets source/text/fit.ts's fast path for text whose every
// character is one cell wide, and keeps its own version for the rest.
const fastStringWidth = {
	name: 'fast-string-width',
	setup(build) {
		build.onResolve({filter: /^string-width$/}, async args => {
			if (args.pluginData === 'real' || /[/\\]source[/\\]text[/\\]fit\.ts$/.test(args.importer)) return undefined;
			const real = await build.resolve('string-width', {resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real'});
			if (real.errors.length > 0) return {errors: real.errors};
			// Relative, so the bundle's comments name no folder of the machine that built it.
			return {path: path.relative(process.cwd(), real.path), namespace: 'fast-string-width'};
		});
		build.onLoad({filter: /.*/, namespace: 'fast-string-width'}, args => ({
			contents: [
				"import {narrowWidth} from './source/text/fit.ts';",
				`import stringWidth from ${JSON.stringify(`./${args.path}`)};`,
				'export default (text, options) => (options === undefined && typeof text === "string" ? narrowWidth(text) : null) ?? stringWidth(text, options);',
			].join('\n'),
			loader: 'js',
			resolveDir: process.cwd(),
		}));
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
await build({...common, entryPoints: {main: 'source/commands/main.ts', 'demo-agent': 'source/demo/agent.ts'}, splitting: true, plugins: [yogaWithoutFetch, fastStringWidth]});
await build({...common, entryPoints: {cli: 'source/cli.ts'}, splitting: false, plugins: [mainApart]});
// The installed command: a launcher that starts Node on cli.js (why: see the file).
copyFileSync('source/session-status.sh', 'dist/session-status');
chmodSync('dist/session-status', 0o755);
