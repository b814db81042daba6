import {priorityLabel} from '../analysis/alerts.js';
import {fit, stringWidth} from '../text/fit.js';
import type {Mode} from './state.js';

/**
 * The bottom line while a prompt is open: a confirmation, a choice among an alert's
 * sessions, or the message editor (the end of what is typed stays in view). Pure; null
 * when no prompt is open. Ids come from the snapshot, already escaped; typed text has
 * had its control characters removed.
 */
export function promptLine(mode: Mode, columns: number): string | null {
	switch (mode.kind) {
		case 'confirm':
			return `${mode.prompt} y confirms, any other key cancels`;
		case 'choose': {
			const verb = mode.purpose === 'jump' ? 'Jump to' : 'Message';
			const choices = mode.agents.slice(0, 9).map((agent, index) => `${index + 1} ${agent.sessionId}`);
			return `${verb} which session? ${choices.join('  ')}  (Esc cancels)`;
		}
		case 'compose': {
			const on = mode.machine === undefined ? '' : ` on ${mode.machine}`;
			const to = mode.to.kind === 'reply' ? `Reply to ${mode.to.senderId} (#${mode.to.messageId})${on}` : `To ${mode.to.sessionId}${on}`;
			const head = `${to} [${priorityLabel(mode.priority)}] > `;
			const typed = mode.text === '' ? '▏ (type your message)' : `${mode.text}▏`;
			const hint = '  Enter sends, Tab priority, Esc cancels';
			const room = columns - stringWidth(head) - stringWidth(hint);
			// In a narrow pane the text keeps the room the hint would take.
			if (room < 12) return head + fit(typed, Math.max(1, columns - stringWidth(head)), 'left', 'start');
			return head + fit(typed, room, 'left', 'start') + hint;
		}
		default:
			return null;
	}
}
