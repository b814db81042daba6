import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {tempDir} from './fixtures.js';

/**
 * Simulated machines reached through real OpenSSH: one `sshd` per machine on 127.0.0.1
 * (a free port, a throwaway host key, its own config), every command it runs under
 * `unshare --uts` with the machine's own hostname. The client side is one `ssh -F`
 * config with a Host alias per machine, the user key and the known hosts. Killing a
 * machine's sshd (and the sessions it started) takes that machine down alone.
 * Needs root (sshd, unshare) and OpenSSH's server and client, as `.ci/run` installs.
 */

const SSHD = '/usr/sbin/sshd';

export type SshMachine = {
	name: string;
	/** The Host alias in the client config: what `ssh` and a remote spec's destination take. */
	destination: string;
	/** `['ssh', '-F', clientConfig]`: reaches every machine of its world by its alias. */
	sshCommand: string[];
	port: number;
	/** A folder of this machine's own (its bus, scripts), removed when the test process exits. */
	dir: string;
	/** Ends sshd and every session it runs; resolves once they are gone. */
	stop(): Promise<void>;
	/** SIGKILL to sshd and every session it runs: the machine goes down mid-stream. */
	kill(): void;
	/** Starts sshd again on the same port with the same keys, once it is down. */
	restart(): Promise<void>;
};

export type SshWorld = {
	machines: SshMachine[];
	/** The ssh command of a client that reaches every machine. */
	sshCommand: string[];
	/** A client config like the world's but with a key no machine authorises, or with no known host keys. */
	variant(kind: 'unauthorised-key' | 'unknown-host-key'): string[];
	stop(): Promise<void>;
};

// sshd processes still running when the test process exits are killed, with their sessions.
const running = new Set<() => void>();
process.once('exit', () => {
	for (const kill of running) kill();
});

function keygen(file: string, comment: string): string {
	execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], {stdio: 'ignore'});
	return fs.readFileSync(`${file}.pub`, 'utf8').trim();
}

async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
}

function accepts(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** Every descendant of `pid` (sshd's sessions start sessions of their own, so no process group holds them), from /proc. */
export function descendants(pid: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
	}
	const found: number[] = [];
	const walk = (at: number) => {
		for (const child of children.get(at) ?? []) {
			found.push(child);
			walk(child);
		}
	};
	walk(pid);
	return found;
}

function killTree(pid: number): void {
	for (const target of [pid, ...descendants(pid)]) {
		try {
			process.kill(target, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
}

/** Starts one sshd per name; all share one client config, user key and known hosts. */
export async function startSshMachines(names: string[]): Promise<SshWorld> {
	for (const name of names) if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`a machine name is a plain hostname, not ${name}`);
	fs.mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
	const root = tempDir('session-status-sshd-');
	const userKey = path.join(root, 'user_ed25519');
	fs.writeFileSync(path.join(root, 'authorized_keys'), `${keygen(userKey, 'user')}\n`);
	const knownHosts: string[] = [];
	const hosts: string[] = [];
	const machines: SshMachine[] = [];
	const clientConfig = path.join(root, 'ssh_config');
	const sshCommand = ['ssh', '-F', clientConfig];

	for (const name of names) {
		const dir = path.join(root, name);
		fs.mkdirSync(dir);
		const hostKey = path.join(dir, 'host_ed25519');
		knownHosts.push(`${name} ${keygen(hostKey, name)}`);
		// Every command sshd runs, in a UTS namespace of its own named after the machine.
		const wrapper = path.join(dir, 'machine.sh');
		fs.writeFileSync(
			wrapper,
			`#!/bin/sh\nexec unshare --uts sh -c 'hostname "$1" && exec sh -c "$SSH_ORIGINAL_COMMAND"' machine ${name}\n`,
			{mode: 0o755},
		);
		const port = await freePort();
		const config = path.join(dir, 'sshd_config');
		fs.writeFileSync(
			config,
			[
				'ListenAddress 127.0.0.1',
				`Port ${port}`,
				`HostKey ${hostKey}`,
				`PidFile ${path.join(dir, 'sshd.pid')}`,
				`AuthorizedKeysFile ${path.join(root, 'authorized_keys')}`,
				'StrictModes no',
				'UsePAM no',
				'PermitRootLogin yes',
				'PasswordAuthentication no',
				'KbdInteractiveAuthentication no',
				'PubkeyAuthentication yes',
				`ForceCommand ${wrapper}`,
				'MaxStartups 100',
				'',
			].join('\n'),
		);
		hosts.push(`Host ${name}`, '\tHostName 127.0.0.1', `\tPort ${port}`, '\tUser root', `\tHostKeyAlias ${name}`);

		let sshd: ChildProcess | null = null;
		let log = '';
		const start = async () => {
			const child = spawn(SSHD, ['-D', '-e', '-f', config], {stdio: ['ignore', 'ignore', 'pipe']});
			sshd = child;
			child.stderr.setEncoding('utf8');
			child.stderr.on('data', (chunk: string) => (log = (log + chunk).slice(-8192)));
			const kill = () => killTree(child.pid!);
			running.add(kill);
			const gone = new Promise(resolve => child.once('exit', resolve));
			child.once('exit', () => running.delete(kill));
			const deadline = Date.now() + 10_000;
			while (!(await accepts(port))) {
				if (child.exitCode !== null || Date.now() > deadline) {
					kill();
					await gone;
					throw new Error(`sshd for ${name} did not start: ${log}`);
				}
				await new Promise(resolve => setTimeout(resolve, 25));
			}
		};
		const down = async () => {
			const child = sshd;
			if (child === null || child.exitCode !== null || child.signalCode !== null) return;
			const gone = new Promise(resolve => child.once('exit', resolve));
			killTree(child.pid!);
			await gone;
		};
		await start();
		machines.push({
			name,
			destination: name,
			sshCommand,
			port,
			dir,
			stop: down,
			kill: () => {
				if (sshd?.pid !== undefined) killTree(sshd.pid);
			},
			restart: async () => {
				await down();
				await start();
			},
		});
	}

	const client = (file: string, identity: string, known: string) =>
		fs.writeFileSync(
			file,
			[
				...hosts,
				'Host *',
				`\tIdentityFile ${identity}`,
				'\tIdentitiesOnly yes',
				'\tIdentityAgent none',
				`\tUserKnownHostsFile ${known}`,
				'\tGlobalKnownHostsFile /dev/null',
				'\tStrictHostKeyChecking yes',
				'\tUpdateHostKeys no',
				'',
			].join('\n'),
		);
	fs.writeFileSync(path.join(root, 'known_hosts'), `${knownHosts.join('\n')}\n`);
	client(clientConfig, userKey, path.join(root, 'known_hosts'));

	return {
		machines,
		sshCommand,
		variant: kind => {
			const file = path.join(root, `ssh_config-${kind}`);
			if (kind === 'unauthorised-key') {
				const other = path.join(root, 'other_ed25519');
				if (!fs.existsSync(other)) keygen(other, 'other');
				client(file, other, path.join(root, 'known_hosts'));
			} else {
				fs.writeFileSync(path.join(root, 'known_hosts-empty'), '');
				client(file, userKey, path.join(root, 'known_hosts-empty'));
			}
			return ['ssh', '-F', file];
		},
		stop: async () => {
			await Promise.all(machines.map(machine => machine.stop()));
		},
	};
}
