import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawn, type ChildProcess} from 'node:child_process';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {BusWriter} from '../bus/writer.js';
import type {RemoteSpec} from '../fleet/transport.js';

/**
 * A demo bus in a temporary folder with live simulated agents (real child
 * processes), and a second machine's bus (`gpu-box`) read as a remote by a real
 * `session-status serve` child through the exec transport. `start` returns once every
 * agent has registered; `stop` kills the agents and removes the folder.
 */

export type DemoBus = {dir: string; dbPath: string; logBase: string; agents: string[]; remotes: RemoteSpec[]; stop: () => void};

const PROJECT_ROOT = '/home/dev/projects/coditect-rollout-master';

export const DEMO_AGENTS = [
	{
		vendor: 'claude',
		model: 'opus-4.6',
		project: 'PILOT',
		cwd: PROJECT_ROOT,
		role: 'steady',
		tasks: ['H.13.7', 'H.14.1'],
		files: ['scripts/core/session_message_bus.py', 'scripts/core/paths.py'],
	},
	{
		vendor: 'codex',
		model: 'o3',
		project: 'PILOT',
		cwd: `${PROJECT_ROOT}/submodules/core/coditect-core`,
		role: 'steady',
		tasks: ['J.27.4'],
		files: ['docs/adr/ADR-173.md'],
	},
	{
		vendor: 'gemini',
		model: '2.5-pro',
		project: 'DOCS',
		cwd: '/home/dev/projects/docs-site',
		role: 'dies',
		tasks: ['D.2.1'],
		files: ['content/guide.md'],
	},
	{
		vendor: 'claude',
		model: 'sonnet-4.5',
		project: 'INFRA',
		cwd: '/srv/build/infra',
		role: 'remote',
		tasks: ['I.9.2'],
		files: ['terraform/main.tf'],
	},
] as const;

/** The demo's second machine: its agents carry its hostname and machine UUID, and its serve is given that UUID, so it judges their PIDs exactly. */
export const GPU_BOX = {name: 'gpu-box', hostname: 'gpu-box', machineUuid: '5e0c2a7b-9d41-4f3a-8b6e-2c1d0f9a7e34'} as const;

const GPU_AGENTS = [
	{vendor: 'claude', model: 'opus-4.6', project: 'TRAIN', cwd: '/data/train', role: 'steady', tasks: ['T.4.2'], files: ['train/loop.py']},
	{vendor: 'codex', model: 'o3', project: 'TRAIN', cwd: '/data/train/eval', role: 'dies', tasks: ['T.5.1'], files: ['eval/metrics.py']},
] as const;

/** Where the agent script is: beside the bundle when built, in source when run through tsx. */
function agentCommand(): string[] {
	const here = path.dirname(fileURLToPath(import.meta.url));
	const built = path.join(here, 'demo-agent.js');
	if (fs.existsSync(built)) return [built];
	return ['--import', 'tsx', path.join(here, 'agent.ts')];
}

/** The command line itself (for the second machine's serve): beside the bundle when built, in source through tsx. */
function cliCommand(): string[] {
	const here = path.dirname(fileURLToPath(import.meta.url));
	const built = path.join(here, 'cli.js');
	if (fs.existsSync(built)) return [process.execPath, built];
	return [process.execPath, '--import', 'tsx', path.join(here, '..', 'cli.ts')];
}

/** Starts one agent on `dbPath`; resolves with its session id once it has registered. */
async function startAgent(children: ChildProcess[], dbPath: string, agent: object, index: number): Promise<string> {
	const [command, ...rest] = [process.execPath, ...agentCommand()];
	const child = spawn(command, [...rest, JSON.stringify({db: dbPath, ...agent})], {stdio: ['ignore', 'pipe', 'ignore']});
	children.push(child);
	return new Promise<string>((resolve, reject) => {
		const lines = createInterface({input: child.stdout});
		lines.once('line', line => resolve(line.trim()));
		child.once('exit', code => reject(new Error(`demo agent ${index} exited (${code})`)));
	});
}

export async function startDemo(): Promise<DemoBus> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-status-demo-'));
	const dbPath = path.join(dir, 'messaging.db');
	const logBase = path.join(dir, 'session-logs');
	const bus = new BusWriter(dbPath);
	const gpuPath = path.join(dir, 'gpu-box.db');
	const gpu = new BusWriter(gpuPath);
	const children: ChildProcess[] = [];
	let stopped = false;

	const stop = () => {
		if (stopped) return;
		stopped = true;
		for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
		const deadline = Date.now() + 1500;
		// Give agents a moment to end cleanly; then make sure.
		while (children.some(child => child.exitCode === null && child.signalCode === null) && Date.now() < deadline) {
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
		}
		for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		for (const writer of [bus, gpu]) {
			try {
				writer.close();
			} catch {
				// already closed
			}
		}
		fs.rmSync(dir, {recursive: true, force: true});
	};
	process.once('exit', stop);

	try {
		// History: a session that ended yesterday and one that went stale on another machine.
		const dayAgo = Date.now() - 86_400_000;
		bus.register({
			sessionId: 'codex-88200',
			vendor: 'codex',
			model: 'o3',
			projectId: 'PILOT',
			cwd: PROJECT_ROOT,
			hostname: os.hostname(),
			pid: 88200,
			registeredAt: dayAgo,
		});
		bus.end('codex-88200', 'session ended normally');
		bus.register({
			sessionId: 'claude-51234',
			sessionUuid: 'b7e2c1d0-3f4a-4b5c-8d9e-0f1a2b3c4d5e',
			vendor: 'claude',
			model: 'opus-4.6',
			projectId: 'INFRA',
			cwd: '/srv/build/infra',
			hostname: 'build-box.example',
			machineUuid: '7c1e9a40-5b2f-4e8d-9f61-0a3b5c7d9e21',
			pid: 51234,
			registeredAt: Date.now() - 3 * 3_600_000,
		});
		bus.heartbeat('claude-51234', Date.now() - 12 * 60_000);
		bus.lock('terraform/modules/vpc.tf', 'claude-51234');

		const agents: string[] = [];
		for (const [index, agent] of DEMO_AGENTS.entries()) agents.push(await startAgent(children, dbPath, agent, index));
		const gpuAgents: string[] = [];
		for (const [index, agent] of GPU_AGENTS.entries())
			gpuAgents.push(await startAgent(children, gpuPath, {...agent, hostname: GPU_BOX.hostname, machineUuid: GPU_BOX.machineUuid}, index));
		gpu.alert({
			type: 'cwd_overlap',
			priority: 2,
			sessions: gpuAgents,
			cwd: '/data/train',
			action: 'One session should work in a subdirectory',
		});
		// A conversation, with a reply thread.
		const [claude, codex, gemini, remote] = agents as [string, string, string, string];
		bus.send({
			senderId: codex,
			recipientId: claude,
			channel: 'coordination',
			priority: 2,
			payload: {text: 'I am taking J.27.4; leaving the bus module to you.'},
		});
		const question = bus.send({
			senderId: claude,
			recipientId: codex,
			channel: 'coordination',
			payload: {text: 'Are you touching ADR-173.md?'},
		});
		bus.send({
			senderId: codex,
			recipientId: claude,
			channel: 'coordination',
			replyTo: question,
			payload: {text: 'Yes, until the migration lands.'},
		});
		bus.send({
			senderId: gemini,
			recipientId: claude,
			channel: 'review',
			payload: {text: 'Docs for the delivery loop are ready for review.'},
		});

		// The conflict detector's alerts: every type, and one it does not know.
		bus.alert({
			type: 'project_conflict',
			priority: 3,
			sessions: [claude, codex],
			projectId: 'PILOT',
			action: 'Coordinate task boundaries to avoid overlap',
		});
		bus.alert({
			type: 'cwd_overlap',
			priority: 2,
			sessions: [claude, codex],
			cwd: PROJECT_ROOT,
			action: 'One session should work in a subdirectory',
		});
		bus.alert({
			type: 'task_conflict',
			priority: 2,
			sessions: [claude, remote],
			taskId: 'H.13.7',
			action: 'One session should release the task',
		});
		bus.alert({type: 'budget_exceeded', priority: 1, sessions: [gemini], projectId: 'DOCS', action: 'Review token spend'});
		setTimeout(() => {
			try {
				bus.alert({
					type: 'file_conflict',
					priority: 3,
					sessions: [claude, gemini],
					filePath: 'scripts/core/paths.py',
					action: 'One session should unlock the file',
				});
			} catch {
				// the demo is ending
			}
		}, 8000).unref();
		// From here on gpu-box's bus is its agents' and its serve's alone.
		gpu.close();
		const gpuRemote: RemoteSpec = {
			name: GPU_BOX.name,
			transport: {kind: 'exec', argv: [...cliCommand(), 'serve', '--db', gpuPath, '--machine-uuid', GPU_BOX.machineUuid], db: null},
		};
		return {dir, dbPath, logBase, agents, remotes: [gpuRemote], stop};
	} catch (error) {
		stop();
		throw error;
	}
}
