import {execFile} from 'node:child_process';
import {escapeControls} from '../text/sanitize.js';
import {type HostIdentity, type ProcessTable, isThisHost, readProcessTable} from './liveness.js';

/**
 * `o`: switch the tmux client the dashboard is shown in to the pane where an agent runs,
 * on the tmux server of $TMUX. The pane is the one whose tty is the session's TTY
 * (`pts/3` and `/dev/pts/3` alike), else the one whose process is an ancestor of the
 * session's PID. tmux runs as argv (execFile), never through a shell.
 */

/** What a session gives to find its pane (a SessionView's row has all of it). */
export type PaneTarget = {
	sessionId: string;
	tty: string | null;
	pid: number | null;
	hostname: string | null;
	machineUuid: string | null;
	/** The PID now belongs to another process: its ancestors say nothing of the agent. */
	pidReused: boolean;
};

export type Pane = {paneId: string; windowId: string; sessionId: string; tty: string; pid: number};

/** Runs one tmux command on the dashboard's server; resolves with its stdout. */
export type TmuxRunner = (args: string[]) => Promise<string>;

export type JumpOptions = {
	env: NodeJS.ProcessEnv;
	host: HostIdentity;
	run?: TmuxRunner;
	readTable?: () => Promise<ProcessTable>;
};

/** A sentence for the status bar: done, or why not. */
export type JumpResult = {ok: boolean; text: string};

/** The socket of the tmux server the dashboard runs in ($TMUX is `socket,server-pid,session`); null outside tmux. */
export function tmuxSocket(env: NodeJS.ProcessEnv): string | null {
	const value = env['TMUX'];
	if (!value) return null;
	const parts = value.split(',');
	return parts.length >= 3 ? parts.slice(0, -2).join(',') : value;
}

function runTmux(socket: string): TmuxRunner {
	return args =>
		new Promise((resolve, reject) => {
			execFile('tmux', ['-S', socket, ...args], {timeout: 3000, encoding: 'utf8'}, (error, stdout, stderr) => {
				if (!error) return resolve(stdout);
				const said = stderr.trim().split('\n')[0] || error.message;
				reject(new Error(`tmux ${args[0]} failed: ${escapeControls(said)}`));
			});
		});
}

const PANE_FORMAT = '#{pane_id}\t#{window_id}\t#{session_id}\t#{pane_tty}\t#{pane_pid}';

export function parsePanes(text: string): Pane[] {
	return text
		.split('\n')
		.map(line => line.split('\t'))
		.filter(fields => fields.length === 5)
		.map(([paneId, windowId, sessionId, tty, pid]) => ({paneId, windowId, sessionId, tty, pid: Number(pid)}));
}

const normaliseTty = (tty: string) => tty.trim().replace(/^\/dev\//, '');

/** The agent's pane: by tty, else the pane whose process is the PID or one of its ancestors. Pure. */
export function findPane(panes: Pane[], target: PaneTarget, table: ProcessTable): Pane | null {
	if (target.tty !== null && normaliseTty(target.tty) !== '') {
		const tty = normaliseTty(target.tty);
		const byTty = panes.find(pane => normaliseTty(pane.tty) === tty);
		if (byTty) return byTty;
	}
	if (target.pid === null || target.pidReused) return null;
	const seen = new Set<number>();
	for (let pid: number | undefined = target.pid; pid !== undefined && pid > 0 && !seen.has(pid); pid = table.get(pid)?.ppid) {
		seen.add(pid);
		const byProcess = panes.find(pane => pane.pid === pid);
		if (byProcess) return byProcess;
	}
	return null;
}

/** The client showing the dashboard's pane; else one attached to its session; else the most recently active. */
async function dashboardClient(run: TmuxRunner, ownPane: string | undefined): Promise<string | null> {
	const clients = (await run(['list-clients', '-F', '#{client_name}\t#{pane_id}\t#{session_id}\t#{client_activity}']))
		.split('\n')
		.map(line => line.split('\t'))
		.filter(fields => fields.length === 4)
		.map(([name, pane, session, activity]) => ({name, pane, session, activity: Number(activity)}))
		.sort((a, b) => b.activity - a.activity);
	if (clients.length === 0) return null;
	if (!ownPane) return clients[0].name;
	const showing = clients.find(client => client.pane === ownPane);
	if (showing) return showing.name;
	const ownSession = (await run(['display-message', '-p', '-t', ownPane, '#{session_id}'])).trim();
	return (clients.find(client => client.session === ownSession) ?? clients[0]).name;
}

export async function jumpToAgent(target: PaneTarget, options: JumpOptions): Promise<JumpResult> {
	const name = target.sessionId;
	const placed = target.hostname !== null || target.machineUuid !== null;
	if (placed && !isThisHost(target, options.host)) {
		return {
			ok: false,
			text: `${name} runs on another machine (${target.hostname ?? target.machineUuid}): its pane is not reachable from here`,
		};
	}
	const socket = tmuxSocket(options.env);
	if (socket === null) return {ok: false, text: "Not inside tmux: o switches to an agent's pane when the dashboard runs in tmux"};
	const run = options.run ?? runTmux(socket);
	try {
		const panes = parsePanes(await run(['list-panes', '-a', '-F', PANE_FORMAT]));
		let pane = findPane(panes, target, new Map());
		if (!pane && target.pid !== null && !target.pidReused) pane = findPane(panes, target, await (options.readTable ?? readProcessTable)());
		if (!pane) {
			const facts = [target.tty ? `tty ${target.tty}` : 'no tty', target.pid === null ? 'no PID' : `PID ${target.pid}`];
			return {ok: false, text: `No pane of this tmux server holds ${name} (${facts.join(', ')})`};
		}
		const client = await dashboardClient(run, options.env['TMUX_PANE']);
		if (client === null) return {ok: false, text: 'No tmux client is attached to show the pane'};
		await run(['switch-client', '-c', client, '-t', pane.sessionId]);
		await run(['select-window', '-t', `${pane.sessionId}:${pane.windowId}`]);
		await run(['select-pane', '-t', pane.paneId]);
		return {ok: true, text: `Switched to ${name}'s pane (${escapeControls(pane.paneId)})`};
	} catch (error) {
		return {ok: false, text: (error as Error).message};
	}
}
