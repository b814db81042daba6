// The esbuild options of this project's bundles: the CLI (scripts/build.mjs) and the
// benchmark's hello-world Ink app (bench/lib/hello.ts), so the two start alike. Everything
// but better-sqlite3's native addon and its lookup (`bindings`: scripts/build.mjs) in, react
// in its production build, ink's devtools (which it imports only when DEV=true, for a React
// DevTools this project does not ship) left out, and changes to how ink's dependencies
// start and measure text (below).
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const GRAPHEMES = path.join(ROOT, 'source', 'text', 'graphemes.ts');
const FRAME_CACHES = path.join(ROOT, 'source', 'text', 'frame-caches.ts');

// Changes to ink's dependencies: texts replaced in a file, and code put before it; the build
// fails when a text is gone (the package changed: check the change still does what it says).
const DEPENDENCY_CHANGES = [
	// yoga-layout (ink's layout engine) turns its embedded WebAssembly, a base64 data: URL,
	// into bytes with fetch() when fetch exists: in Node that loads undici, Node's HTTP
	// client, at the dashboard's start. Without fetch it decodes the same bytes itself.
	{file: /[/\\]yoga-layout[/\\]dist[/\\]binaries[/\\][^/\\]+\.js$/, replace: [['typeof fetch', 'typeof undefined']]},
	// Splitting text into graphemes: source/text/graphemes.ts (ink splits every line of every frame).
	...[
		/[/\\]string-width[/\\]index\.js$/,
		/[/\\]slice-ansi[/\\]tokenize-ansi\.js$/,
		/[/\\]@alcalzone[/\\]ansi-tokenize[/\\]build[/\\]tokenize\.js$/,
	].map(file => ({
		file,
		prepend: `import {GraphemeSegmenter} from ${JSON.stringify(GRAPHEMES)};`,
		replace: [['new Intl.Segmenter(', 'new GraphemeSegmenter(']],
	})),
	// string-width's emoji pattern is costly to compile as the module loads; it is needed
	// only for text that is not narrow (source/text/fit.ts), so it is made at its first use.
	{
		file: /[/\\]string-width[/\\]index\.js$/,
		replace: [
			[
				'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
				"let rgiEmojiPattern; const rgiEmojiRegex = {test: text => (rgiEmojiPattern ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(text)};",
			],
		],
	},
	// ink's frame builder keeps its caches from one frame to the next (source/text/frame-caches.ts),
	// and makes one blank cell, not one for every cell of every frame (ink never changes a cell).
	{
		file: /[/\\]ink[/\\]build[/\\]output\.js$/,
		prepend: [
			`import {FrameCaches} from ${JSON.stringify(FRAME_CACHES)};`,
			'const frameCaches = new FrameCaches({styledChars: line => styledCharsFromTokens(tokenize(line)), width: text => stringWidth(text)});',
			"const blankCell = Object.freeze({type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([])});",
		].join(' '),
		replace: [
			['caches = new OutputCaches();', 'caches = frameCaches.nextFrame();'],
			[
				"row.push({\n                    type: 'char',\n                    value: ' ',\n                    fullWidth: false,\n                    styles: [],\n                });",
				'row.push(blankCell);',
			],
		],
	},
	// Nor does it diff the styles of two characters styled alike (sameStyles: source/text/frame-caches.ts).
	{
		file: /[/\\]@alcalzone[/\\]ansi-tokenize[/\\]build[/\\]styledChars\.js$/,
		prepend: `import {sameStyles} from ${JSON.stringify(FRAME_CACHES)}; const stylesChange = (from, to) => (sameStyles(from, to) ? '' : ansiCodesToString(diffAnsiCodes(from, to)));`,
		replace: ['chars[i - 1].styles, char.styles', 'char.styles, []'].map(styles => [
			`ansiCodesToString(diffAnsiCodes(${styles}))`,
			`stylesChange(${styles})`,
		]),
	},
];

const dependencyChanges = {
	name: 'dependency-changes',
	setup(build) {
		build.onLoad({filter: new RegExp(DEPENDENCY_CHANGES.map(change => change.file.source).join('|')), namespace: 'file'}, async args => {
			let source = await readFile(args.path, 'utf8');
			const prepended = [];
			for (const change of DEPENDENCY_CHANGES.filter(each => each.file.test(args.path))) {
				for (const [from, to] of change.replace) {
					if (!source.includes(from))
						throw new Error(
							`${args.path}: no \`${from}\` to replace (scripts/bundle-options.mjs); the package changed, check the change still holds`,
						);
					source = source.replaceAll(from, () => to);
				}
				if (change.prepend) prepended.push(change.prepend);
			}
			return {contents: [...prepended, source].join('\n'), loader: 'js'};
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
// for text whose every character is one cell wide (once escape codes are out) in front of it.
async function resolvedFrom(build, name, resolveDir) {
	const found = await build.resolve(name, {resolveDir, kind: 'import-statement'});
	if (found.errors.length > 0) throw new Error(`${name} from ${resolveDir}: ${found.errors.map(error => error.text).join('; ')}`);
	return found.path;
}

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
		build.onLoad({filter: /.*/, namespace: 'fast-string-width'}, async args => ({
			contents: [
				"import {narrowWidth} from './source/text/fit.ts';",
				// The strip-ansi string-width itself uses.
				`import stripAnsi from ${JSON.stringify(await resolvedFrom(build, 'strip-ansi', path.dirname(path.join(ROOT, args.path))))};`,
				`import stringWidth from ${JSON.stringify(`./${args.path}`)};`,
				// As string-width does: escape codes out first (ink measures styled text: a status bar in inverse video).
				"const visible = text => (text.includes('\\u001b') || text.includes('\\u009b') ? stripAnsi(text) : text);",
				'export default (text, options) => (options === undefined && typeof text === "string" ? narrowWidth(visible(text)) : null) ?? stringWidth(text, options);',
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
	plugins: [inkWithoutDevtools, dependencyChanges, fastStringWidth],
};
