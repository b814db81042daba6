import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import Database from 'better-sqlite3';
import {BusWriter} from '../source/bus/writer.js';
import {fleetFor} from '../source/fleet/connect.js';
import type {Fleet} from '../source/fleet/fleet.js';
import {type RemoteSpec, shellQuote} from '../source/fleet/transport.js';
import type {MachineState} from '../source/fleet/types.js';
import {defaultConfig} from '../source/settings.js';
import {CLI, requireBuiltCli} from './helpers/cli.js';
import {deadPid, liveProcess, until} from './helpers/fixtures.js';
import {type SshWorld, startSshMachines} from './helpers/sshd.js';

/**
 * Remotes through real OpenSSH: one sshd per simulated machine on 127.0.0.1, each
 * running its commands under its own hostname, and the built CLI's serve there.
 */

requireBuiltCli();

/** ssh logins are slow on a loaded machine: a link may take seconds to come up. */
const LINK_MS = 30_000;
const SERVE = `${shellQuote(process.execPath)} ${shellQuote(CLI)} serve`;
let world: SshWorld;
const fleets: Fleet[] = [];
const alive = liveProcess();

before(async () => {
	world = await startSshMachines(['alpha', 'beta']);
});
after(async () => {
	for (const fleet of fleets) fleet.stop();
	alive.kill();
	await world.stop();
});

/** A bus on `machine` holding claude-4242 (alive there) and a dead session; its path may hold any text. */
async function busOn(machine: string, name = 'messaging.db'): Promise<string> {
	const dbPath = path.join(world.machines.find(m => m.name === machine)!.dir, name);
	const bus = new BusWriter(dbPath);
	bus.register({sessionId: 'claude-4242', hostname: machine, pid: alive.pid!, vendor: 'claude', projectId: 'P'});
	bus.register({sessionId: `gone-${machine}`, hostname: machine, pid: await deadPid(), vendor: 'codex', projectId: 'P'});
	bus.alert({type: 'file_conflict', priority: 3, sessions: ['claude-4242'], filePath: 'a.ts', action: 'look'});
	bus.close();
	return dbPath;
}

function fleetOf(remotes: RemoteSpec[], sshCommand = world.sshCommand): Fleet {
	const fleet = fleetFor({...defaultConfig({}), noLocal: true, remotes, sshCommand});
	fleets.push(fleet);
	fleet.start();
	return fleet;
}

const ssh = (name: string, db: string | null, command: string | null = SERVE): RemoteSpec => ({
	name,
	transport: {kind: 'ssh', destination: name, db, command},
});

const machine = (fleet: Fleet, name: string): MachineState => fleet.getState().machines.find(m => m.name === name)!;
const why = (state: MachineState): string => ('why' in state.link ? state.link.why : state.link.kind);

describe('remotes through ssh', () => {
	test('two machines, one session id on each: two sessions, each judged alive or dead on its own machine', async () => {
		const fleet = fleetOf([ssh('alpha', await busOn('alpha')), ssh('beta', await busOn('beta'))]);
		await until('both readings', () => machine(fleet, 'alpha').reading && machine(fleet, 'beta').reading, LINK_MS);
		for (const name of ['alpha', 'beta']) {
			const state = machine(fleet, name);
			assert.equal(state.link.kind, 'live');
			assert.equal(state.hostname, name, 'serve ran on the machine, under its hostname');
			const byId = new Map(state.reading!.analysis.sessions.map(view => [view.row.sessionId, view.liveness.state]));
			assert.equal(byId.get('claude-4242'), 'alive');
			assert.equal(byId.get(`gone-${name}`), 'dead');
		}
	});

	test('a bus path with a space, a ; and a quote reaches serve there intact', async () => {
		const odd = await busOn('alpha', `my bus; echo 'pwned'.db`);
		const fleet = fleetOf([ssh('alpha', odd)]);
		await until('the reading', () => machine(fleet, 'alpha').reading, LINK_MS);
		assert.equal(machine(fleet, 'alpha').reading!.snapshot.database.path, odd);
	});

	test('a machine going down leaves its last reading and retries; it comes back on its own; the other machine goes on', async () => {
		const fleet = fleetOf([ssh('alpha', await busOn('alpha')), ssh('beta', await busOn('beta'))]);
		await until('both readings', () => machine(fleet, 'alpha').reading && machine(fleet, 'beta').reading, LINK_MS);
		const beta = world.machines.find(m => m.name === 'beta')!;
		beta.kill();
		const lost = await until(
			'beta reconnecting',
			() => (machine(fleet, 'beta').link.kind === 'reconnecting' ? machine(fleet, 'beta') : null),
			LINK_MS,
		);
		assert.ok(lost.reading, 'the last reading stays');
		assert.equal(machine(fleet, 'alpha').link.kind, 'live');
		await beta.restart();
		await until('beta live again', () => machine(fleet, 'beta').link.kind === 'live', LINK_MS);
	});

	test("acknowledging an alert on a remote changes that machine's bus", async () => {
		const dbPath = await busOn('beta');
		const fleet = fleetOf([ssh('beta', dbPath)]);
		const reading = await until('the reading', () => machine(fleet, 'beta').reading, LINK_MS);
		const alert = reading.analysis.openAlerts[0];
		assert.equal(await fleet.machine('beta')!.acknowledge([alert.id]), 1);
		const db = new Database(dbPath, {readonly: true});
		assert.equal((db.prepare('SELECT status FROM session_messages WHERE id = ?').get(alert.id) as {status: string}).status, 'read');
		db.close();
	});

	test('auth refused and an unknown host key fail and wait for r; they do not retry on their own', async () => {
		const dbPath = await busOn('alpha');
		const refused = fleetOf([ssh('alpha', dbPath)], world.variant('unauthorised-key'));
		const unknown = fleetOf([ssh('alpha', dbPath)], world.variant('unknown-host-key'));
		await until('auth refused', () => machine(refused, 'alpha').link.kind === 'failed', LINK_MS);
		assert.equal(why(machine(refused, 'alpha')), 'auth refused');
		await until('host key unknown', () => machine(unknown, 'alpha').link.kind === 'failed', LINK_MS);
		assert.match(why(machine(unknown, 'alpha')), /host key unknown/);
		const before = machine(refused, 'alpha');
		await new Promise(resolve => setTimeout(resolve, 2500));
		assert.equal(machine(refused, 'alpha'), before, 'nothing happened on its own');
		refused.retry();
		await until('connecting again on r', () => machine(refused, 'alpha') !== before, LINK_MS);
	});

	test('session-status missing on the remote, or too old to serve, is said in words', async () => {
		const old = path.join(world.machines[0].dir, 'old-session-status');
		fs.writeFileSync(
			old,
			'#!/bin/sh\necho "session-status: unknown command: serve" >&2\necho "Run session-status --help for usage." >&2\nexit 2\n',
			{mode: 0o755},
		);
		const fleet = fleetOf([
			ssh('alpha', null, '/nonexistent/bin/session-status serve'),
			{...ssh('beta', null, `${shellQuote(old)} serve`), name: 'old'},
		]);
		const missing = await until(
			'the missing one failed',
			() => (machine(fleet, 'alpha').link.kind === 'failed' ? machine(fleet, 'alpha') : null),
			LINK_MS,
		);
		assert.match(why(missing), /session-status not found on the remote \(exit 127\)/);
		const tooOld = await until(
			'the old one failed',
			() => (machine(fleet, 'old').link.kind === 'failed' ? machine(fleet, 'old') : null),
			LINK_MS,
		);
		assert.match(why(tooOld), /too old to serve \(exit 2, "unknown command"\)/);
	});
});
