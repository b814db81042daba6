// The esbuild options of this project's bundles: the CLI (scripts/build.mjs) and the
// benchmark's hello-world Ink app (bench/run.ts), so the two start alike. Everything
// but the native better-sqlite3 in, react in its production build, ink's devtools (which
// it imports only when DEV=true, for a React DevTools this project does not ship) left
// out, and two fixes to how ink's dependencies start and measure text (below).
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// yoga-layout (ink's layout engine) turns its embedded WebAssembly, a base64 data: URL,
// into bytes with fetch() when fetch exists: in Node that loads undici, some 60 ms of
// the dashboard's start. Without fetch it decodes the same bytes itself.
const yogaWithoutFetch = {
	name: 'yoga-without-fetch',
	setup(build) {
		build.onLoad({filter: /[/\\]yoga-layout[/\\]dist[/\\]binaries[/\\][^/\\]+\.js$/}, async args => {
			const source = await readFile(args.path, 'utf8');
			if (!source.includes('typeof fetch')) throw new Error(`${args.path}: no \`typeof fetch\` to replace; yoga-layout changed, check how it loads its WebAssembly`);
			return {contents: source.replaceAll('typeof fetch', 'typeof undefined'), loader: 'js'};
		});
	},
};

// ink's devtools module (ws and react-devtools-core, 130 KB) becomes an empty module.
const inkWithoutDevtools = {
	name: 'ink-without-devtools',
	setup(build) {
		build.onResolve({filter: /^\.\/devtools\.js$/}, args =>
			/[/\\]ink[/\\]build[/\\]/.test(args.importer) ? {path: path.join(ROOT, 'scripts', 'devtools-stub.js')} : undefined,
		);
	},
};

// ink measures every line and every character of every frame with string-width, which
// segments any text that is not pure ASCII (a table line with an ellipsis or a dash).
// Every importer gets this project's string-width (the version ink itself asks for;
// wrap-ansi's older one counts ▶ © ® as two cells), with source/text/fit.ts's fast path
// for text whose every character is one cell wide in front of it.
const fastStringWidth = {
	name: 'fast-string-width',
	setup(build) {
		build.onResolve({filter: /^string-width$/}, async args => {
			if (args.pluginData === 'real' || /[/\\]source[/\\]text[/\\]fit\.ts$/.test(args.importer)) return undefined;
			const real = await build.resolve('string-width', {resolveDir: ROOT, kind: args.kind, pluginData: 'real'});
			if (real.errors.length > 0) return {errors: real.errors};
			// Relative, so the bundle's comments name no folder of the machine that built it.
			return {path: path.relative(ROOT, real.path), namespace: 'fast-string-width'};
		});
		build.onLoad({filter: /.*/, namespace: 'fast-string-width'}, args => ({
			contents: [
				"import {narrowWidth} from './source/text/fit.ts';",
				`import stringWidth from ${JSON.stringify(`./${args.path}`)};`,
				'export default (text, options) => (options === undefined && typeof text === "string" ? narrowWidth(text) : null) ?? stringWidth(text, options);',
			].join('\n'),
			loader: 'js',
			resolveDir: ROOT,
		}));
	},
};

/** @type {import('esbuild').BuildOptions} */
export const bundleOptions = {
	jsx: 'automatic',
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	define: {'process.env.NODE_ENV': '"production"'},
	// Bundled CommonJS (react) calls require(); give the ESM bundle one.
	banner: {js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);"},
	logLevel: 'warning',
	legalComments: 'none',
	plugins: [inkWithoutDevtools, yogaWithoutFetch, fastStringWidth],
};
