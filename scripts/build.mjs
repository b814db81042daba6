// Bundles the CLI with esbuild: everything but the native better-sqlite3 in,
// react in its production build, react-devtools-core (which ink imports only for
// its devtools) replaced by a stub, and code split so `--once` never loads ink.
import {build} from 'esbuild';
import {rmSync} from 'node:fs';

rmSync('dist', {recursive: true, force: true});
await build({
	entryPoints: {cli: 'source/cli.ts', 'demo-agent': 'source/demo/agent.ts'},
	jsx: 'automatic',
	outdir: 'dist',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	external: ['better-sqlite3'],
	alias: {'react-devtools-core': './scripts/devtools-stub.js'},
	define: {'process.env.NODE_ENV': '"production"'},
	// Bundled CommonJS (react) calls require(); give the ESM bundle one.
	banner: {js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);"},
	logLevel: 'warning',
	legalComments: 'none',
});
