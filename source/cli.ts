#!/usr/bin/env node
import {EXIT_CODES, UsageError} from './exit-codes.js';
import {type ParsedArgs, parseFlags} from './settings.js';

// What each command needs is imported when it runs: `--status-line` (every few
// seconds from a status bar) runs from this file alone and loads no printing
// code; printing loads no UI code.

process.title = 'session-status';

function usageError(message: string, helpHint = true): never {
	process.stderr.write(`session-status: ${message}\n${helpHint ? 'Run session-status --help for usage.\n' : ''}`);
	process.exit(EXIT_CODES.usage);
}

let args: ParsedArgs;
try {
	args = parseFlags(process.argv.slice(2));
} catch (error) {
	if (!(error instanceof UsageError)) throw error;
	usageError(error.message, error.helpHint);
}

if (args.flags['status-line']) {
	const {printStatusLine} = await import('./commands/status-line.js');
	await printStatusLine(args.flags);
} else {
	const {runMain} = await import('./commands/main.js');
	runMain(args, usageError);
}
