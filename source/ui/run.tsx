import fs from 'node:fs';
import {render} from 'ink';
import {App} from './app.js';
import {fleetFor} from '../fleet/connect.js';
import {notificationsFor} from '../monitor/notify.js';
import type {Config} from '../settings.js';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l\u001b[?25h';

/**
 * Runs the live dashboard on the alternate screen and restores the terminal on
 * every way out: q, Ctrl-C, SIGTERM, an uncaught error. A closed terminal
 * (SIGHUP, EIO on write) ends the process quietly.
 */
export async function runDashboard(config: Config): Promise<number> {
	const stdout = process.stdout;
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		try {
			if (process.stdin.isTTY) process.stdin.setRawMode(false);
			stdout.write(LEAVE_ALT_SCREEN);
		} catch {
			// The terminal is gone: nothing to restore.
		}
	};
	let exiting = false;
	const quietExit = (code: number) => {
		if (exiting) return;
		exiting = true;
		// Best effort (cooked mode, main screen) in case the terminal is still there; writes to
		// a terminal that is gone fail without a word.
		process.stdin.on('error', () => {});
		stdout.on('error', () => {});
		restore();
		// Node 20 resets the terminal at exit and aborts with a native stack trace when that
		// fails (tcsetattr: EIO), as it does on a terminal that is gone or going away (tmux
		// sends SIGHUP before it closes the pty): close the standard streams so it skips them.
		for (const fd of [0, 1, 2]) {
			try {
				fs.closeSync(fd);
			} catch {
				// already closed
			}
		}
		process.exit(code);
	};

	// ink hides the cursor through cli-cursor, whose restore-cursor writes ESC[?25h to
	// *stderr* at exit: into the file when stderr is redirected, into a closed terminal after
	// a hangup. LEAVE_ALT_SCREEN shows the cursor on the terminal already.
	const stderrWrite = process.stderr.write.bind(process.stderr);
	process.stderr.write = (chunk: unknown, ...rest: unknown[]) =>
		chunk === '\u001b[?25h' ? true : (stderrWrite as (...args: unknown[]) => boolean)(chunk, ...rest);

	stdout.on('error', () => quietExit(0));
	process.on('SIGHUP', () => quietExit(0));
	process.on('exit', restore);

	const notifications = notificationsFor(config, () => stdout.write('\u0007'));
	const fleet = fleetFor(config, {onReading: notifications?.observe});
	process.on('exit', () => notifications?.stop());

	stdout.write(ENTER_ALT_SCREEN);
	const instance = render(<App fleet={fleet} config={config} notifications={notifications} writeRaw={data => stdout.write(data)} />, {
		exitOnCtrlC: false,
		patchConsole: true,
	});

	const terminate = (signal: NodeJS.Signals) => {
		instance.unmount();
		fleet.stop();
		restore();
		process.exit(signal === 'SIGTERM' ? 143 : 130);
	};
	process.on('SIGTERM', () => terminate('SIGTERM'));
	process.on('SIGINT', () => terminate('SIGINT'));
	const onFatal = (error: unknown) => {
		try {
			instance.unmount();
		} catch {
			// already down
		}
		restore();
		process.stderr.write(`session-status: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	};
	process.on('uncaughtException', onFatal);
	process.on('unhandledRejection', onFatal);

	try {
		await instance.waitUntilExit();
	} finally {
		fleet.stop();
		restore();
	}
	return 0;
}
