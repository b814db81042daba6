import {Text} from 'ink';
import {formatIso} from '../../bus/time.js';
import {fit, stringWidth} from '../../text/fit.js';
import type {DashboardState} from '../hooks/use-dashboard.js';
import {truncateStart} from '../../text/truncate.js';
import type {Message} from '../state.js';
import {toneStyle, useTheme} from '../theme.js';

/**
 * The bottom line: the database, PAUSED / read-only, when the data last changed (or
 * OUT OF DATE and why), the position, and the last confirmation or error on the right;
 * or, while a prompt is open (a confirmation, a choice, the message editor), its line.
 */
export function StatusBar({
	dbPath,
	readOnly,
	columns,
	state,
	message,
	prompt,
	position,
}: {
	dbPath: string;
	readOnly: boolean;
	columns: number;
	state: DashboardState;
	message: Message | null;
	prompt: string | null;
	position: string;
}) {
	const theme = useTheme();
	if (prompt) {
		return (
			<Text inverse bold wrap="truncate">
				{fit(prompt, columns)}
			</Text>
		);
	}
	const narrow = columns < 70;
	const flags = [state.paused ? 'PAUSED' : null, readOnly ? (narrow ? 'RO' : 'read-only') : null].filter(Boolean).join(' · ');
	const time = state.changedAt ? `${formatIso(state.changedAt).slice(11, 19)}Z` : '';
	// An error after a reading leaves it on screen, out of date; before any, nothing was read.
	const freshness = state.error
		? `${state.changedAt ? 'OUT OF DATE' : 'NOT READ'}: ${state.error.split('\n')[0]}`
		: state.changedAt
			? narrow
				? time
				: `live ${time}`
			: 'reading...';
	const database = narrow ? null : truncateStart(dbPath, Math.max(12, Math.floor(columns / 4)));
	// Characters that are graphemes on their own (source/text/graphemes.ts), as the first
	// frame's own text is: any other text loads ICU's break rules at the first frame.
	const left = [database, flags, freshness, position].filter(Boolean).join(' | ');
	const right = message ? message.text + (message.path ?? '') : narrow ? '? help' : '? help  q quit';
	// A message gets the room it needs, leaving the left part at least 12 cells.
	const rightWidth = Math.min(stringWidth(right), Math.max(0, columns - Math.min(stringWidth(left), 12) - 1));
	const leftWidth = Math.max(0, columns - rightWidth - 1);
	const style = toneStyle(state.error ? 'bad' : 'normal', theme);
	const messageStyle = message ? toneStyle(message.tone, theme) : {};
	const leftShown = fit(left, Math.min(stringWidth(left), leftWidth));
	const room = columns - stringWidth(leftShown) - 1;
	const rightShown =
		message?.path && stringWidth(right) > room && stringWidth(message.text) < room - 8
			? fit(message.text + fit(message.path, room - stringWidth(message.text), 'left', 'start'), room, 'right')
			: fit(right, room, 'right');
	return (
		<Text wrap="truncate">
			<Text inverse color={style.color} bold={style.bold}>
				{leftShown}
			</Text>
			<Text> </Text>
			<Text color={messageStyle.color} bold={messageStyle.bold}>
				{rightShown}
			</Text>
		</Text>
	);
}
