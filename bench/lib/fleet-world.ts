import fs from 'node:fs';
import path from 'node:path';
import {BusWriter} from '../../source/bus/writer.js';
import {shellQuote} from '../../source/fleet/transport.js';
import {descendants, type SshWorld, startSshMachines} from '../../test/helpers/sshd.js';
import type {Setup} from './config.js';
import {spawnSleeper} from './processes.js';
import {freshenHeartbeats} from '../build-bus.js';
import {DATA_FRAME, PTY, PtyRun} from './pty.js';

/**
 * The fleet measures' world: four machines, each a real sshd on 127.0.0.1 under its own
 * hostname (test/helpers/sshd.ts), whose buses are read by the private copy of dist/'s
 * `serve` run by its absolute path, and a dashboard (the same copy's launcher) under the
 * pseudo-terminal that reaches them through `ssh -F` with the world's client config.
 */

export const MACHINE_NAMES = ['fleet-a', 'fleet-b', 'fleet-c', 'fleet-d'];
/** Sessions on each small bus (the local one and each idle remote's), one open alert beside them. */
export const SMALL_BUS_SESSIONS = 5;

/** One entry of the config file's `remotes`. */
export type Remote = {name: string; ssh: string; db: string; command: string};

export type FleetWorld = {
	world: SshWorld;
	/** The world's ssh command with the readme's connection sharing (ControlMaster auto, ControlPersist): a login once, then each link rides it. */
	sharedSsh: string[];
	/** A small bus of this machine's, beside the remotes'. */
	localBus: string;
	/** Remote `${machine letter}${n}` (fa1 … fd5): the n-th small bus on that machine. */
	remote(machine: number, n: number): Remote;
	/** A remote reading `db` on machine 0, named `name`. */
	remoteOn(name: string, db: string): Remote;
	/** Every small bus's live sessions heartbeat within the last two minutes (one commit each), so none turns stale in a window. */
	freshen(): void;
	/** The sshd process of each machine, from its pid file. */
	sshdPids(): number[];
	stop(): Promise<void>;
};

/** A bus with `SMALL_BUS_SESSIONS` live sessions of `hostname` (a live process each) and one open alert. */
function smallBus(file: string, hostname: string, prefix: string, pid: number): void {
	const bus = new BusWriter(file);
	const ids = Array.from({length: SMALL_BUS_SESSIONS}, (_, i) => `${prefix}-s${i}`);
	for (const sessionId of ids) bus.register({sessionId, hostname, pid, vendor: 'claude', model: 'opus-4.6', projectId: 'FLEET'});
	bus.alert({type: 'file_conflict', priority: 2, sessions: ids.slice(0, 2), filePath: 'src/a.ts', action: 'look'});
	bus.close();
}

/** Starts the machines and writes the buses: five small ones on each machine, one here. */
export async function startFleetWorld(setup: Setup, localHostname: string): Promise<FleetWorld> {
	const world = await startSshMachines(MACHINE_NAMES);
	// One live process stands for every agent: the machines share this PID namespace.
	const agent = await spawnSleeper();
	const serve = `${shellQuote(process.execPath)} ${shellQuote(path.join(path.dirname(setup.launcher), 'cli.js'))} serve`;
	const localBus = path.join(setup.workDir, 'fleet-local.db');
	smallBus(localBus, localHostname, 'here', agent.pid);
	world.machines.forEach((machine, m) => {
		for (let n = 1; n <= 5; n++) smallBus(path.join(machine.dir, `bus-${n}.db`), machine.name, `f${'abcd'[m]}${n}`, agent.pid);
	});
	const shared = path.join(path.dirname(world.sshCommand[2]), 'ssh_config-shared');
	fs.writeFileSync(
		shared,
		[
			`Include ${world.sshCommand[2]}`,
			'Host *',
			'\tControlMaster auto',
			`\tControlPath ${path.dirname(shared)}/cm-%C`,
			'\tControlPersist 120',
			'',
		].join('\n'),
	);
	return {
		world,
		sharedSsh: ['ssh', '-F', shared],
		localBus,
		remote: (m, n) => ({
			name: `f${'abcd'[m]}${n}`,
			ssh: world.machines[m].destination,
			db: path.join(world.machines[m].dir, `bus-${n}.db`),
			command: serve,
		}),
		remoteOn: (name, db) => ({name, ssh: world.machines[0].destination, db, command: serve}),
		freshen: () => {
			freshenHeartbeats(localBus);
			for (const machine of world.machines) for (let n = 1; n <= 5; n++) freshenHeartbeats(path.join(machine.dir, `bus-${n}.db`));
		},
		sshdPids: () => world.machines.map(machine => Number(fs.readFileSync(path.join(machine.dir, 'sshd.pid'), 'utf8').trim())),
		stop: async () => {
			agent.kill();
			await world.stop();
		},
	};
}

/** The command line a process was started with (its title, once it set one), or '' once it is gone. */
function commandLine(pid: number): string {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
	} catch {
		return '';
	}
}

/** The `serve` processes under `sshdPids`: descendants whose title is `session-status`. */
export function servePids(sshdPids: number[]): number[] {
	return sshdPids.flatMap(pid => descendants(pid)).filter(pid => commandLine(pid).startsWith('session-status'));
}

/** The ssh clients the dashboard `pid` started (one per remote). */
export function sshPids(pid: number): number[] {
	return descendants(pid).filter(child => /^ssh( |$)/.test(commandLine(child)));
}

/** A dashboard under the pseudo-terminal reading `remotes` (and `localBus` unless it is null) through the world's ssh. */
export function startFleetDashboard(
	fleet: FleetWorld,
	setup: Setup,
	remotes: Remote[],
	options: {localBus: string | null; tag: string; first?: string[]; ssh?: string[]},
): PtyRun {
	const config = path.join(setup.workDir, `fleet-${options.tag}.json`);
	fs.writeFileSync(config, JSON.stringify({remotes}, null, '\t'));
	const where = options.localBus === null ? ['--no-local'] : ['--db', options.localBus];
	return new PtyRun(setup.python, [setup.launcher, '--read-only', '--config', config, ...where], {
		first: [DATA_FRAME, ...(options.first ?? [])],
		dump: path.join(setup.workDir, `fleet-${options.tag}.out`),
		env: {SESSION_STATUS_SSH_COMMAND: (options.ssh ?? fleet.world.sshCommand).map(shellQuote).join(' ')},
	});
}

/** The link line once every remote in `names` is live: each named (`fa1: live · …`), or counted when the pane is too narrow. */
export function allLive(names: string[]): string {
	const full = names.map(name => `${name}: live`).join(' · ');
	return full.length <= PTY.cols ? `live=${full}` : `live=${names.length} live`;
}
