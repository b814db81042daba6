import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {ROOT} from './config.js';
import {childEnv} from './processes.js';
import {msSince, nowNs} from './time.js';

export type Timed = {ms: number; rssMb: number | null; status: number | null; stdoutBytes: number; stderr: string};

let gnuTime: boolean | null = null;
const hasGnuTime = () =>
	(gnuTime ??= fs.existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], {encoding: 'utf8'}).status === 0);

/** How timedRun reads peak RSS on this machine, for results.json. */
export function rssMethod(): string {
	return hasGnuTime()
		? '/usr/bin/time -f %M (max RSS from wait4 rusage, KB)'
		: 'python resource.getrusage(RUSAGE_CHILDREN).ru_maxrss after subprocess.run';
}

/** One whole process: wall clock around spawnSync; peak RSS from GNU time's %M, else python's RUSAGE_CHILDREN. */
export function timedRun(command: string[], workDir: string, python: string): Timed {
	const rssFile = path.join(workDir, 'rss.txt');
	fs.rmSync(rssFile, {force: true});
	const [file, args] = hasGnuTime()
		? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, ...command]]
		: [
				python,
				[
					'-c',
					`import resource,subprocess,sys\nr=subprocess.run(sys.argv[1:]).returncode\nopen(${JSON.stringify(rssFile)},'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\nsys.exit(r)`,
					...command,
				],
			];
	const started = nowNs();
	const result = spawnSync(file, args, {cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024});
	const ms = msSince(started);
	let rssMb: number | null = null;
	try {
		const kb = Number(/(\d+)\s*$/.exec(fs.readFileSync(rssFile, 'utf8').trim())?.[1]);
		if (Number.isFinite(kb) && kb > 0) rssMb = kb / 1024;
	} catch {
		// no figure
	}
	return {
		ms,
		rssMb,
		status: result.status,
		stdoutBytes: result.stdout?.length ?? 0,
		stderr: String(result.stderr ?? '')
			.split('\n')
			.filter(line => !/^\d+$/.test(line.trim()))
			.join('\n')
			.trim(),
	};
}
