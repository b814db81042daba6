import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {type RemoteSpec, type Transport, explainFailure, shellQuote, startTransport, transportCommand} from '../source/fleet/transport.js';
import {UsageError} from '../source/exit-codes.js';
import {loadConfig, parseFlags} from '../source/settings.js';
import {type SshWorld, startSshMachines} from './helpers/sshd.js';
import {tempDir} from './helpers/fixtures.js';

// The transport through real OpenSSH: one sshd per simulated machine on 127.0.0.1, each
// command there in a UTS namespace with the machine's hostname.

const ssh = (destination: string, command: string | null, db: string | null = null): RemoteSpec => ({
	name: destination,
	transport: {kind: 'ssh', destination, db, command},
});
const exec = (argv: string[], db: string | null = null): RemoteSpec => ({name: 'box', transport: {kind: 'exec', argv, db}});

/** Everything the transport writes to stdout until it closes, with how it ended. */
async function drain(transport: Transport) {
	const chunks: Buffer[] = [];
	transport.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
	const exit = await transport.exited;
	await new Promise(resolve => (transport.stdout.readableEnded ? resolve(null) : transport.stdout.once('close', resolve)));
	return {stdout: Buffer.concat(chunks).toString('utf8'), exit};
}

function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) return false;
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	return true;
}

/** A script that prints its arguments as JSON. */
const ECHO_ARGV = path.join(tempDir('session-status-transport-'), 'echo-argv.mjs');
fs.writeFileSync(ECHO_ARGV, 'console.log(JSON.stringify(process.argv.slice(2)));\n');

/** Hostile text: a space, `;`, quotes, a command substitution, a newline, a glob. */
const HOSTILE = `/tmp/a b; touch /tmp/PWNED 'x' "y" $(touch /tmp/PWNED) \`id\` *\nsecond line`;

describe('the transport command', () => {
	it('quotes one word for a POSIX shell, whatever it holds', () => {
		const words = ['plain', 'a b', 'a;b', "it's", "''", '$(id) `id` $HOME', 'new\nline', '', '*', '\\'];
		const result = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], {encoding: 'utf8'});
		assert.deepEqual(result.stdout.split('\0').slice(0, -1), words);
	});

	it('gives ssh its options, -- and the destination, and the remote one command line with the db quoted', () => {
		assert.deepEqual(transportCommand(ssh('build-box', null, "/srv/my bus's.db"), ['ssh', '-F', '/x y/config']), {
			file: 'ssh',
			args: [
				'-F',
				'/x y/config',
				'-T',
				'-o',
				'BatchMode=yes',
				'-o',
				'ConnectTimeout=10',
				'-o',
				'ServerAliveInterval=15',
				'-o',
				'ServerAliveCountMax=3',
				'-o',
				'Compression=yes',
				'--',
				'build-box',
				`session-status serve '--db' '/srv/my bus'\\''s.db'`,
			],
		});
		assert.equal(
			transportCommand(ssh('h', '~/bin/session-status serve --read-only'), ['ssh']).args.at(-1),
			'~/bin/session-status serve --read-only',
		);
		assert.deepEqual(transportCommand(exec(['docker', 'exec', '-i', 'b', 'session-status', 'serve'], 'a b;c'), ['ssh']), {
			file: 'docker',
			args: ['exec', '-i', 'b', 'session-status', 'serve', '--db', 'a b;c'],
		});
	});

	it('a DEST starting with a dash never reaches ssh: the settings refuse it', () => {
		assert.throws(() => parseFlags(['--remote', '-oProxyCommand=touch /tmp/PWNED']), UsageError);
		assert.throws(() => parseFlags(['--remote=-oProxyCommand=touch /tmp/PWNED']), UsageError);
	});
});

describe('a local transport', () => {
	it('passes the db as two argv words, nothing interpolated', async () => {
		const {stdout, exit} = await drain(startTransport(exec([process.execPath, ECHO_ARGV], HOSTILE), []));
		assert.deepEqual(JSON.parse(stdout), ['--db', HOSTILE]);
		assert.deepEqual(exit, {code: 0, signal: null, error: null});
		assert.equal(fs.existsSync('/tmp/PWNED'), false);
	});

	it('stop() ends the whole process group, SIGKILL for what ignores SIGTERM, and may be called again', async () => {
		const transport = startTransport(exec(['sh', '-c', 'trap "" TERM; sleep 60 & sleep 60 & echo ready; wait']), []);
		await new Promise(resolve => transport.stdout.once('data', resolve));
		const pid = transport.pid!;
		assert.ok(groupAlive(pid));
		transport.stop();
		transport.stop();
		const exit = await transport.exited;
		assert.equal(exit.signal, 'SIGKILL', 'sh ignored SIGTERM');
		assert.ok(await until(() => !groupAlive(pid), 3000), 'no process of the group is left');
		transport.stop();
		assert.deepEqual(explainFailure(exec(['sh']), exit, transport.stderrText()), {why: 'ended by SIGKILL', transient: true});
	});

	it('keeps only the end of stderr, every control character escaped, and names its last line', async () => {
		const script = 'for i in $(seq 1 400); do printf "line %d \\033[2J \\342\\200\\256 bell\\a\\r\\n" $i >&2; done; exit 3';
		const transport = startTransport(exec(['sh', '-c', script]), []);
		const {exit} = await drain(transport);
		const text = transport.stderrText();
		assert.ok(text.length <= 4096 && text.length > 3000, `${text.length}`);
		assert.ok(text.endsWith('line 400 \\x1b[2J \\u202e bell\\x07\n'), text.slice(-60));
		assert.doesNotMatch(text, /line 1 /, 'the start is dropped');
		assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
		assert.deepEqual(explainFailure(exec(['sh']), exit, text), {why: 'exit 3: line 400 \\x1b[2J \\u202e bell\\x07', transient: true});
	});

	it('a program that cannot be run settles exited with the reason; nothing throws', async () => {
		for (const [spec, sshCommand] of [
			[exec(['/nonexistent/session-status', 'serve']), []],
			[ssh('h', null), ['/nonexistent/ssh', '-F', 'x']],
		] as const) {
			const transport = startTransport(spec, sshCommand);
			const {exit} = await drain(transport);
			assert.equal(exit.code, null);
			assert.match(exit.error ?? '', /^cannot run \/nonexistent\/(session-status|ssh): no such program$/);
			assert.deepEqual(explainFailure(spec, exit, transport.stderrText()), {why: exit.error, transient: false});
			transport.stdin.write('nobody reads this\n');
			transport.stop();
		}
		// spawn itself refuses (a NUL in the program's name): the same, with the name escaped.
		const refused = startTransport(exec(['/bin/sh\0x']), []);
		assert.equal(refused.pid, null);
		assert.match((await refused.exited).error ?? '', /^cannot run \/bin\/sh\\x00x: /);
		refused.stdin.write('nobody reads this\n');
		refused.stop();
	});

	it('explains a missing or too old session-status on the far side', () => {
		const exited = (code: number) => ({code, signal: null, error: null});
		assert.deepEqual(explainFailure(exec(['docker']), exited(127), 'exec: "session-status": executable file not found'), {
			why: 'session-status not found on the remote (exit 127): name it by an absolute path in "exec"',
			transient: false,
		});
		assert.deepEqual(explainFailure(exec(['docker']), exited(2), 'session-status: unknown command: serve\nRun session-status --help'), {
			why: `the remote's session-status is too old to serve (exit 2, "unknown command")`,
			transient: false,
		});
		// ssh's own words mean nothing from another transport.
		assert.equal(explainFailure(exec(['docker']), exited(255), 'Permission denied').transient, true);
		assert.deepEqual(explainFailure(ssh('h', null), exited(255), 'ssh: Could not resolve hostname h: Name or service not known'), {
			why: 'host not found',
			transient: false,
		});
		assert.deepEqual(explainFailure(ssh('h', null), exited(255), 'ssh: connect to host h port 22: Connection refused'), {
			why: 'connection refused',
			transient: true,
		});
		assert.deepEqual(explainFailure(ssh('h', null), exited(255), 'ssh: connect to host h port 22: Connection timed out'), {
			why: 'connection timed out',
			transient: true,
		});
	});
});

describe('through real sshd', {concurrency: true}, () => {
	let world: SshWorld;

	before(async () => {
		world = await startSshMachines(['alpha', 'beta', 'gamma']);
	});
	after(() => world.stop());

	it("a remote command's output arrives, on the machine's own hostname, with SESSION_STATUS_SSH_COMMAND as a user writes it", async () => {
		const written = world.sshCommand.map(shellQuote).join(' ');
		const {config, warnings} = loadConfig({SESSION_STATUS_SSH_COMMAND: written}, undefined);
		assert.deepEqual([warnings, config.sshCommand], [[], world.sshCommand]);
		const [alpha, gamma] = await Promise.all(
			['alpha', 'gamma'].map(name => drain(startTransport(ssh(name, 'hostname; echo "on $(hostname)"'), config.sshCommand))),
		);
		assert.equal(alpha.stdout, 'alpha\non alpha\n');
		assert.equal(gamma.stdout, 'gamma\non gamma\n');
		assert.deepEqual(alpha.exit, {code: 0, signal: null, error: null});
	});

	it('the db argument reaches the remote intact: a space, ;, quotes, $(), a newline', async () => {
		const command = `${shellQuote(process.execPath)} ${shellQuote(ECHO_ARGV)}`;
		const {stdout, exit} = await drain(startTransport(ssh('alpha', command, HOSTILE), world.sshCommand));
		assert.equal(exit.code, 0);
		assert.deepEqual(JSON.parse(stdout), ['--db', HOSTILE]);
		assert.equal(fs.existsSync('/tmp/PWNED'), false);
	});

	it('a key the machine does not authorise: auth refused, not transient', async () => {
		const transport = startTransport(ssh('alpha', 'true'), world.variant('unauthorised-key'));
		const {exit} = await drain(transport);
		assert.equal(exit.code, 255);
		assert.match(transport.stderrText(), /Permission denied \(publickey\)/);
		assert.deepEqual(explainFailure(ssh('alpha', 'true'), exit, transport.stderrText()), {why: 'auth refused', transient: false});
	});

	it('a host key not known: host key unknown or changed, not transient', async () => {
		const transport = startTransport(ssh('alpha', 'true'), world.variant('unknown-host-key'));
		const {exit} = await drain(transport);
		assert.deepEqual(explainFailure(ssh('alpha', 'true'), exit, transport.stderrText()), {
			why: 'host key unknown or changed',
			transient: false,
		});
	});

	it('session-status not found on the remote: exit 127, explained with the fix', async () => {
		const spec = ssh('gamma', '/nonexistent/bin/session-status serve', '/x.db');
		const transport = startTransport(spec, world.sshCommand);
		const {exit} = await drain(transport);
		assert.equal(exit.code, 127);
		assert.deepEqual(explainFailure(spec, exit, transport.stderrText()), {
			why: 'session-status not found on the remote (exit 127): give "command" an absolute path',
			transient: false,
		});
	});

	it('an old session-status without serve: too old, not transient', async () => {
		const spec = ssh('gamma', `echo 'session-status: unknown command: serve' >&2; exit 2`);
		const transport = startTransport(spec, world.sshCommand);
		const {exit} = await drain(transport);
		assert.deepEqual(explainFailure(spec, exit, transport.stderrText()), {
			why: `the remote's session-status is too old to serve (exit 2, "unknown command")`,
			transient: false,
		});
	});

	it('the machine going down mid-stream ends the transport, explained as transient; it comes back', async () => {
		const beta = world.machines.find(machine => machine.name === 'beta')!;
		const spec = ssh('beta', 'while :; do echo tick; sleep 0.1; done');
		const transport = startTransport(spec, world.sshCommand);
		await new Promise(resolve => transport.stdout.once('data', resolve));
		beta.kill();
		const exit = await transport.exited;
		assert.equal(exit.code, 255);
		const explained = explainFailure(spec, exit, transport.stderrText());
		assert.deepEqual(explained, {why: 'connection closed', transient: true}, transport.stderrText());
		assert.ok(await until(() => !groupAlive(transport.pid!), 2000));

		const down = startTransport(spec, world.sshCommand);
		const refused = await drain(down);
		assert.deepEqual(explainFailure(spec, refused.exit, down.stderrText()), {why: 'connection refused', transient: true});
		await beta.restart();
		assert.equal((await drain(startTransport(ssh('beta', 'hostname'), world.sshCommand))).stdout, 'beta\n');
	});
});
