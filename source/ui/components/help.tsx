import {Box, Text} from 'ink';
import {KEYMAP, MARKS} from '../keymap.js';
import {fit} from '../../text/fit.js';

/** The `?` overlay: the keymap table itself, by section. */
export function helpLines(readOnly: boolean): string[] {
	const lines: string[] = [];
	for (const section of ['Views', 'Move', 'Act', 'App'] as const) {
		lines.push(section);
		for (const binding of KEYMAP.filter(entry => entry.section === section)) {
			const note = binding.writes && readOnly ? ' (off: read-only)' : '';
			lines.push(`  ${binding.label.padEnd(9)} ${binding.description}${note}`);
		}
	}
	lines.push(
		'Tab bar',
		'  the count after each tab: what it lists (open alerts, unread messages, held locks and claims)',
		'  Sessions 2/5: 2 active of the 5 listed (the others are stale: heartbeat too old)',
		'  red: something there needs you (a dead or stale session, a lock or claim it holds, a critical alert)',
		'  yellow: a high-priority alert',
		'Marks',
	);
	for (const mark of MARKS) lines.push(`  ${mark.label.padEnd(9)} ${mark.description}`);
	lines.push('', 'Esc or ? closes this help.');
	return lines;
}

/** A title over `height` lines of text from `top`: the help and the detail views. */
export function TextPane({title, lines, width, height, top}: {title: string; lines: string[]; width: number; height: number; top: number}) {
	return (
		<Box flexDirection="column">
			<Text bold wrap="truncate">
				{fit(title, width)}
			</Text>
			{lines.slice(top, top + height).map((line, index) => (
				<Text key={index} wrap="truncate">
					{fit(line, width)}
				</Text>
			))}
		</Box>
	);
}
