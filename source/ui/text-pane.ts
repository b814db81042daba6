import {wrapText} from '../text/fit.js';
import {helpLines} from './components/help.js';
import type {UiState} from './state.js';
import type {TabView, WholePayload} from './tabs/types.js';

export type Pane = {title: string; lines: string[]; top: number; height: number; max: number};

/**
 * The text of the help or a detail: wrapped to the width (UUIDs and paths are shown whole,
 * continuation lines indented) and scrolled, a title over what fits.
 */
export function textPane(
	ui: UiState,
	view: TabView | null,
	readOnly: boolean,
	columns: number,
	rows: number,
	payload?: WholePayload,
): Pane {
	const height = Math.max(1, rows - 4);
	const {mode} = ui;
	const detail = mode.kind === 'detail' ? view?.rows.find(row => row.key === mode.key) : undefined;
	const text =
		mode.kind === 'help'
			? helpLines(readOnly)
			: mode.kind === 'detail'
				? (detail?.detail(payload) ?? ['This item is no longer on the bus.'])
				: [];
	const lines = text.flatMap(line => wrapText(line, columns, ' '.repeat(Math.min(8, line.length - line.trimStart().length + 2))));
	const max = Math.max(0, lines.length - height);
	const top = mode.kind === 'help' || mode.kind === 'detail' ? Math.min(mode.scroll, max) : 0;
	const range = lines.length > height ? ` (${top + 1}-${Math.min(lines.length, top + height)} of ${lines.length})` : '';
	const title = mode.kind === 'help' ? `Keys${range ? ` — j/k scroll${range}` : ''}` : `Detail — Esc back, j/k scroll${range}`;
	return {title, lines, top, height, max};
}
