import {useEffect, useLayoutEffect, useMemo, useRef, useState} from 'react';
import {Box, Text, useApp, useInput, type Key} from 'ink';
import type {LiveBus} from '../monitor/live.js';
import {BusError} from '../bus/open.js';
import {formatIso} from '../bus/time.js';
import type {Config} from '../settings.js';
import {renderLogEntry} from '../report/dashboard.js';
import {appendLogEntry, logAuthor, logFilePath, logProject} from '../report/session-log.js';
import {truncateStart} from '../text/truncate.js';
import {fit, stringWidth} from '../text/fit.js';
import {type Command, binding, commandFor} from './keymap.js';
import {TABS, type TabId, type Row} from './views.js';
import {
	type PendingAction,
	type UiState,
	cycleSort,
	initialUiState,
	moveSelection,
	screenOf,
	stepTab,
	switchTab,
	updateTab,
} from './state.js';
import {type DashboardModel, type OnScreen, useDashboard} from './hooks/use-dashboard.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {TabBar} from './components/tab-bar.js';
import {TableHeader, TableRows} from './components/table.js';
import {ScrollText, helpLines} from './components/help.js';
import {ThemeContext, toneStyle} from './theme.js';

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

export type AppProps = {
	live: LiveBus;
	config: Config;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	columns?: number;
	rows?: number;
	/** Raw terminal output outside the frame: the bell, OSC 52. */
	writeRaw: (data: string) => void;
};

/** The last confirmation or error; a `path` after the text is cut from its start in a narrow pane, keeping the file name. */
type Message = {text: string; tone: 'good' | 'bad' | 'normal'; path?: string};

const NO_KEY: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

const TAB_COMMANDS: Partial<Record<Command, TabId>> = Object.fromEntries(TABS.map(({id}, index) => [`tab-${index + 1}`, id]));

/** OSC 52: the terminal (and tmux with set-clipboard on) puts this text on the clipboard. */
export function osc52(text: string): string {
	return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}

function describeError(error: unknown): string {
	return error instanceof BusError ? error.message : `Failed: ${(error as Error).message}`;
}

export function App({live, config, columns: fixedColumns, rows: fixedRows, writeRaw}: AppProps) {
	const {exit} = useApp();
	const {columns, rows} = useTerminalSize({columns: fixedColumns, rows: fixedRows});
	const [ui, setUi] = useState<UiState>(() => initialUiState((TABS.find(tab => tab.id === config.defaultTab)?.id ?? 'sessions') as TabId));
	const [message, setMessage] = useState<Message | null>(null);
	const tabState = ui.tabs[ui.tab];
	// What a reading puts on screen, in this terminal and UI state: a new reading that changes
	// none of it (heartbeats, rows scrolled out of sight) draws no frame.
	const onScreen = (model: DashboardModel): OnScreen => {
		const screen = screenOf(model.view, tabState, ui.mode, columns, rows);
		const rowsShown = screen.visible.slice(screen.top, screen.top + screen.page);
		const shown = rowsShown.map(row => [row.key, row.cells, row.tone]);
		const detail =
			ui.mode.kind === 'detail' ? (model.view?.rows.find(row => row.key === (ui.mode as {key: string}).key)?.detail() ?? null) : null;
		const {view: shownView, state: shownState} = model;
		return {
			text: JSON.stringify([
				model.badges,
				shownView?.id,
				shownView?.empty,
				screen.header,
				shown,
				screen.selected,
				screen.visible.length,
				shownView?.rows.length,
				detail,
				shownState.error,
				shownState.paused,
			]),
			// A detail view gives ages to the second (unknown: judged again every few seconds); help never changes.
			changesAt:
				ui.mode.kind === 'detail'
					? null
					: ui.mode.kind === 'help'
						? Infinity
						: Math.min(...rowsShown.map(row => row.changesAt ?? Infinity)),
		};
	};
	const {state, view, badges} = useDashboard(live, ui.tab, ui.showEnded, onScreen);

	useEffect(() => {
		live.start();
		return () => live.stop();
	}, [live]);

	const {
		visible,
		selected,
		top,
		page,
		header: headerLines,
		filterLine,
	} = useMemo(() => screenOf(view, tabState, ui.mode, columns, rows), [view, tabState, ui.mode, columns, rows]);
	const selectedRow: Row | null = selected >= 0 ? visible[selected]! : null;
	const height = Math.max(1, rows - 1);

	// Shown alerts, and shown messages to the current session, become `delivered` (never while paused).
	useEffect(() => {
		if (state.paused || ui.mode.kind !== 'list' || (ui.tab !== 'alerts' && ui.tab !== 'unread')) return;
		const ids = visible.slice(top, top + page).flatMap(row => row.shownIds ?? []);
		if (ids.length > 0) void live.markShown(ids);
	}, [visible, top, page, ui.tab, ui.mode.kind, state.paused, live]);

	const say = (text: string, tone: Message['tone'] = 'normal') => setMessage({text, tone});

	const runWrite = (what: () => Promise<string | Message>) => {
		what().then(
			result => (typeof result === 'string' ? say(result, 'good') : setMessage(result)),
			(error: unknown) => say(describeError(error), 'bad'),
		);
	};

	const perform = (action: PendingAction) => {
		if (action.kind === 'acknowledge-all') {
			runWrite(async () => `Acknowledged ${await live.acknowledge(action.ids)} of ${action.ids.length} alerts`);
			return;
		}
		const target = action.row.release!;
		runWrite(async () => {
			const result = await live.release(target);
			const what = target.kind === 'session' ? `session ${target.sessionId}` : `${target.kind} ${target.key}`;
			if (result === 'released') return `Released ${what}`;
			if (result === 'changed') throw new Error(`Not released: ${what} changed since it was shown (it heartbeated or changed holder)`);
			throw new Error(`Not released: ${what} is gone already`);
		});
	};

	const writeLog = () => {
		runWrite(async () => {
			const reading = await live.exactReading();
			const now = Date.now();
			const file = logFilePath(config.logBase, logProject(reading.analysis), now);
			appendLogEntry(
				file,
				renderLogEntry({...reading, verbose: false, notes: []}, {timestamp: now, author: logAuthor(reading.analysis, config.author)}),
			);
			return {text: 'Log entry appended: ', path: file, tone: 'good'};
		});
	};

	const refuseReadOnly = (command: Command): boolean => {
		if (!config.readOnly || !binding(command).writes) return false;
		say(`Read-only: "${binding(command).description}" would write to the bus (started with --read-only)`, 'bad');
		return true;
	};

	const run = (command: Command) => {
		if (command === 'quit') {
			exit();
			return;
		}
		const tabTarget = TAB_COMMANDS[command];
		if (tabTarget) {
			setUi(current => switchTab(current, tabTarget));
			return;
		}
		if (refuseReadOnly(command)) return;
		const move = (motion: number | 'top' | 'bottom') =>
			setUi(current => updateTab(current, moveSelection(current.tabs[current.tab], visible, motion, page)));
		switch (command) {
			case 'help':
				setUi(current => ({...current, mode: {kind: 'help', scroll: 0}}));
				return;
			case 'tab-next':
				setUi(current => stepTab(current, 1));
				return;
			case 'tab-prev':
				setUi(current => stepTab(current, -1));
				return;
			case 'down':
				return move(1);
			case 'up':
				return move(-1);
			case 'page-down':
				return move(page);
			case 'page-up':
				return move(-page);
			case 'top':
				return move('top');
			case 'bottom':
				return move('bottom');
			case 'open':
				if (selectedRow) setUi(current => ({...current, mode: {kind: 'detail', key: selectedRow.key, scroll: 0}}));
				return;
			case 'back':
				if (tabState.filter !== '') setUi(current => updateTab(current, {filter: ''}));
				return;
			case 'filter':
				setUi(current => ({...current, mode: {kind: 'filter'}}));
				return;
			case 'sort':
				if (view) setUi(current => updateTab(current, cycleSort(current.tabs[current.tab], view.columns)));
				return;
			case 'sort-reverse':
				setUi(current => updateTab(current, {reverse: !current.tabs[current.tab].reverse}));
				return;
			case 'toggle-ended':
				setUi(current => ({...current, showEnded: !current.showEnded}));
				say(ui.showEnded ? 'Ended sessions hidden' : 'Ended sessions shown');
				return;
			case 'acknowledge': {
				const ids = selectedRow?.alertIds;
				if (ui.tab !== 'alerts' || !ids) return say('Select an open alert in the Alerts view to acknowledge it', 'bad');
				runWrite(async () =>
					(await live.acknowledge(ids)) > 0 ? `Acknowledged alert #${ids[0]}` : `Alert #${ids[0]} was already acknowledged`,
				);
				return;
			}
			case 'acknowledge-all': {
				if (ui.tab !== 'alerts') return say('A acknowledges the alerts of the Alerts view: press 4 first', 'bad');
				const ids = visible.flatMap(row => row.alertIds ?? []);
				if (ids.length === 0) return say('No open alerts in this view', 'bad');
				setUi(current => ({
					...current,
					mode: {
						kind: 'confirm',
						prompt: `Acknowledge ${ids.length} alert${ids.length === 1 ? '' : 's'}${tabState.filter ? ` matching "${tabState.filter}"` : ''}?`,
						action: {kind: 'acknowledge-all', ids},
					},
				}));
				return;
			}
			case 'release': {
				if (!selectedRow) return;
				if (!selectedRow.release) return say(selectedRow.releaseRefusal ?? 'Nothing to release here', 'bad');
				const target = selectedRow.release;
				const what =
					target.kind === 'session'
						? `session ${target.sessionId} (${target.reason.replace('released from the dashboard: ', '')}), its locks and claims`
						: `${target.kind} ${target.key} held by ${target.sessionId}`;
				setUi(current => ({...current, mode: {kind: 'confirm', prompt: `Release ${what}?`, action: {kind: 'release', row: selectedRow}}}));
				return;
			}
			case 'log':
				writeLog();
				return;
			case 'copy':
				if (!selectedRow) return;
				writeRaw(osc52(selectedRow.copy));
				say(`Copied ${selectedRow.copy}`);
				return;
			case 'refresh':
				live.refreshNow();
				say('Refreshed');
				return;
			case 'pause':
				live.setPaused(!state.paused);
				say(state.paused ? 'Resumed' : 'Paused: nothing is read or marked delivered until p');
				return;
		}
	};

	// Keys that arrive together (typed fast, or pasted) come as one string: take them one at a time, each on the state the previous one left.
	const [pending, setPending] = useState<string[]>([]);
	useEffect(() => {
		if (pending.length === 0) return;
		handleKey(pending[0]!, NO_KEY);
		setPending(rest => rest.slice(1));
	}, [pending]);

	// ink re-subscribes the input handler only in a passive effect, which runs some time after
	// the frame is drawn: a key arriving in between would act on the previous render's rows and
	// selection (and was lost when that render had no data yet). Keys go through a ref updated
	// in the same commit as the frame, so a key always acts on what is on screen.
	const onInput = useRef<(input: string, key: Key) => void>(() => {});
	useLayoutEffect(() => {
		onInput.current = (input: string, key: Key) => {
			const chars = Array.from(input);
			if (chars.length > 1 && ui.mode.kind !== 'filter' && !key.ctrl && !key.meta && !input.includes('\u001b'))
				setPending(rest => [...rest, ...chars]);
			else handleKey(input, key);
		};
	});
	useInput((input: string, key: Key) => onInput.current(input, key));

	function handleKey(input: string, key: Key) {
		const mode = ui.mode;
		if (key.ctrl && input === 'c') return exit();
		if (mode.kind === 'filter') {
			if (key.escape) setUi(current => ({...updateTab(current, {filter: ''}), mode: {kind: 'list'}}));
			else if (key.return) setUi(current => ({...current, mode: {kind: 'list'}}));
			else if (key.backspace || key.delete)
				setUi(current => updateTab(current, {filter: current.tabs[current.tab].filter.slice(0, -1), index: 0, top: 0}));
			else if (input && !key.ctrl && !key.meta)
				setUi(current => updateTab(current, {filter: current.tabs[current.tab].filter + input, index: 0, top: 0}));
			return;
		}
		if (mode.kind === 'confirm') {
			if (input === 'y' || input === 'Y') perform(mode.action);
			else say('Cancelled');
			setUi(current => ({...current, mode: {kind: 'list'}}));
			return;
		}
		const command = commandFor(input, key);
		// Help and detail scroll their text, kept within it (so k works at once after G).
		const scroll = (delta: number) =>
			setUi(current =>
				current.mode.kind === 'detail' || current.mode.kind === 'help'
					? {
							...current,
							mode: {...current.mode, scroll: Math.max(0, Math.min(scrollMax, Math.min(current.mode.scroll, scrollMax) + delta))},
						}
					: current,
			);
		const scrolled = (): boolean => {
			if (command === 'down') scroll(1);
			else if (command === 'up') scroll(-1);
			else if (command === 'page-down') scroll(textHeight);
			else if (command === 'page-up') scroll(-textHeight);
			else if (command === 'top') scroll(-Infinity);
			else if (command === 'bottom') scroll(Infinity);
			else return false;
			return true;
		};
		if (mode.kind === 'help') {
			if (key.escape || input === '?' || input === 'q') setUi(current => ({...current, mode: {kind: 'list'}}));
			else scrolled();
			return;
		}
		if (mode.kind === 'detail') {
			if (command === 'back') return setUi(current => ({...current, mode: {kind: 'list'}}));
			if (scrolled()) return;
		}
		if (command) run(command);
	}

	const theme = useMemo(() => ({color: config.color}), [config.color]);

	// The scrolling text of the help and detail views, under a one-line title.
	const bodyHeight = height - 2;
	const textHeight = Math.max(1, bodyHeight - 1);
	const detailKey = ui.mode.kind === 'detail' ? ui.mode.key : null;
	const detailRow = detailKey === null ? undefined : view?.rows.find(item => item.key === detailKey);
	const textLines =
		ui.mode.kind === 'help'
			? helpLines(config.readOnly)
			: ui.mode.kind === 'detail'
				? detailRow
					? detailRow.detail()
					: ['This item is no longer on the bus.']
				: [];
	const scrollMax = Math.max(0, textLines.length - textHeight);
	const textScroll = ui.mode.kind === 'help' || ui.mode.kind === 'detail' ? Math.min(ui.mode.scroll, scrollMax) : 0;
	const textRange =
		textLines.length > textHeight
			? ` (${textScroll + 1}-${Math.min(textLines.length, textScroll + textHeight)} of ${textLines.length})`
			: '';

	if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
		return <Text wrap="truncate">{fit(`Terminal too small: ${columns}x${rows}, need ${MIN_COLUMNS}x${MIN_ROWS}. q quits.`, columns)}</Text>;
	}

	let body: React.ReactNode;
	if (ui.mode.kind === 'help' || ui.mode.kind === 'detail') {
		const title =
			ui.mode.kind === 'help' ? `Keys${textRange ? ` — j/k scroll${textRange}` : ''}` : `Detail — Esc back, j/k scroll${textRange}`;
		body = (
			<Box flexDirection="column">
				<Text bold wrap="truncate">
					{fit(title, columns)}
				</Text>
				<ScrollText lines={textLines} width={columns} height={textHeight} top={textScroll} />
			</Box>
		);
	} else if (!view) {
		body = <Text wrap="truncate">{fit(state.error ?? 'Reading the bus...', columns)}</Text>;
	} else {
		body = (
			<Box flexDirection="column">
				{headerLines.map((line, index) => (
					<Text key={index} wrap="truncate" color={config.color ? 'cyan' : undefined}>
						{fit(line, columns)}
					</Text>
				))}
				{view.id === 'stats' ? null : (
					<TableHeader columns={view.columns} width={columns} sortColumn={tabState.sortColumn} reverse={tabState.reverse} />
				)}
				{visible.length === 0 ? (
					<Text wrap="truncate">
						{fit(tabState.filter ? `Nothing matches "${tabState.filter}" (Esc clears the filter)` : view.empty, columns)}
					</Text>
				) : (
					<TableRows
						columns={view.columns}
						rows={visible}
						width={columns}
						top={top}
						height={view.id === 'stats' ? page + 1 : page}
						selected={view.id === 'stats' ? -1 : selected}
					/>
				)}
			</Box>
		);
	}

	const filterText =
		ui.mode.kind === 'filter'
			? `/${tabState.filter}▏ (Enter keeps, Esc clears)`
			: tabState.filter
				? `filter: ${tabState.filter} (${visible.length} of ${view?.rows.length ?? 0}; / edits, Esc clears)`
				: '';

	return (
		<ThemeContext.Provider value={theme}>
			{/* Until the first reading the frame is only as tall as its three lines: ink builds every cell of a frame, and the first one should come at once. */}
			<Box flexDirection="column" width={columns} height={view ? height : undefined}>
				<TabBar active={ui.tab} badges={badges} width={columns} />
				<Box flexDirection="column" flexGrow={1}>
					{body}
				</Box>
				{filterLine && ui.mode.kind !== 'help' && ui.mode.kind !== 'detail' ? (
					<Text wrap="truncate">{fit(filterText, columns)}</Text>
				) : null}
				<StatusBar
					config={config}
					columns={columns}
					state={state}
					message={message}
					prompt={ui.mode.kind === 'confirm' ? ui.mode.prompt : null}
					selectedPosition={view && ui.mode.kind === 'list' && view.id !== 'stats' ? `${selected + 1}/${visible.length}` : ''}
				/>
			</Box>
		</ThemeContext.Provider>
	);
}

function StatusBar({
	config,
	columns,
	state,
	message,
	prompt,
	selectedPosition,
}: {
	config: Config;
	columns: number;
	state: ReturnType<LiveBus['getState']>;
	message: Message | null;
	prompt: string | null;
	selectedPosition: string;
}) {
	const theme = {color: config.color};
	if (prompt) {
		return (
			<Text inverse bold wrap="truncate">
				{fit(`${prompt} y confirms, any other key cancels`, columns)}
			</Text>
		);
	}
	const narrow = columns < 70;
	const flags = [state.paused ? 'PAUSED' : null, config.readOnly ? (narrow ? 'RO' : 'read-only') : null].filter(Boolean).join(' · ');
	const time = state.changedAt ? `${formatIso(state.changedAt).slice(11, 19)}Z` : '';
	const freshness = state.error
		? `OUT OF DATE: ${state.error.split('\n')[0]}`
		: state.changedAt
			? narrow
				? time
				: `live ${time}`
			: 'reading...';
	const database = narrow ? null : truncateStart(config.dbPath, Math.max(12, Math.floor(columns / 4)));
	// Characters that are graphemes on their own (source/text/graphemes.ts), as the first
	// frame's own text is: any other text loads ICU's break rules, some 15 ms of the first frame.
	const left = [database, flags, freshness, selectedPosition].filter(Boolean).join(' | ');
	const right = message ? message.text + (message.path ?? '') : narrow ? '? help' : '? help  q quit';
	// A message gets the room it needs, leaving the left part at least 12 cells.
	const rightWidth = Math.min(stringWidth(right), Math.max(0, columns - Math.min(stringWidth(left), 12) - 1));
	const leftWidth = Math.max(0, columns - rightWidth - 1);
	const style = toneStyle(state.error ? 'bad' : 'normal', theme);
	const messageStyle = message ? toneStyle(message.tone === 'good' ? 'good' : message.tone === 'bad' ? 'bad' : 'normal', theme) : {};
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
