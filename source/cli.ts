#!/usr/bin/env node
import {parseArgs} from 'node:util';

// `--status-line` runs every few seconds from a status bar: it takes a short path
// that loads neither the flag parser of the full CLI nor any UI code. Anything it
// does not understand goes to the full CLI, which explains the problem.

async function statusLineFastPath(): Promise<boolean> {
	const argv = process.argv.slice(2);
	if (!argv.includes('--status-line')) return false;
	let values;
	try {
		({values} = parseArgs({
			args: argv,
			strict: true,
			options: {
				'status-line': {type: 'boolean'},
				format: {type: 'string'},
				db: {type: 'string'},
				config: {type: 'string'},
				session: {type: 'string'},
				'machine-uuid': {type: 'string'},
				'stale-timeout': {type: 'string'},
			},
		}));
	} catch {
		return false;
	}
	const format = values.format ?? 'plain';
	const staleTimeout = values['stale-timeout'] === undefined ? undefined : Number(values['stale-timeout']);
	if ((format !== 'plain' && format !== 'tmux') || (staleTimeout !== undefined && !(staleTimeout > 0))) return false;
	const [{loadConfig}, {statusLine}] = await Promise.all([import('./config.js'), import('./commands/status-line.js')]);
	const {config} = loadConfig(process.env, values.config);
	if (values.db !== undefined) config.dbPath = values.db;
	if (values.session !== undefined) config.sessionId = values.session;
	if (values['machine-uuid'] !== undefined) config.machineUuid = values['machine-uuid'];
	if (staleTimeout !== undefined) config.staleTimeoutMs = staleTimeout * 1000;
	process.stdout.write(`${statusLine(config, format)}\n`);
	return true;
}

if (!(await statusLineFastPath())) {
	const {runMain} = await import('./commands/main.js');
	runMain();
}
