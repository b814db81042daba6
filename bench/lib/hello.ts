import fs from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';
import {bundleOptions} from '../../scripts/bundle-options.mjs';
import {BENCH_DIR} from './config.js';

/** What the hello-world app draws: the pattern its first frame is timed to. */
export const HELLO_TEXT = 'hello=Hello from Ink';

/** The hello-world app's two start commands: by a copy of the dashboard's launcher (so both start alike), and by plain `node`. */
export type Hello = {launched: string[]; plain: string[]};

/** Bundles bench/hello.tsx with the CLI's esbuild options into `outDir`, beside a copy of `launcher`. */
export async function buildHello(outDir: string, launcher: string): Promise<Hello> {
	// Named cli.js, beside a copy of the launcher, which starts the cli.js in its folder.
	await build({...bundleOptions, entryPoints: {cli: path.join(BENCH_DIR, 'hello.tsx')}, outdir: outDir, splitting: true});
	fs.copyFileSync(launcher, path.join(outDir, 'hello'));
	return {launched: [path.join(outDir, 'hello')], plain: [process.execPath, path.join(outDir, 'cli.js')]};
}
