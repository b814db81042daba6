import {useEffect, useMemo, useReducer, useState} from 'react';
import {Box, Text, useApp} from 'ink';
import type {Fleet} from '../fleet/fleet.js';
import type {Notifications} from '../monitor/notify.js';
import {isTabId} from '../tab-ids.js';
import {fit} from '../text/fit.js';
import {StatusBar} from './components/status-bar.js';
import {TabBar} from './components/tab-bar.js';
import {TextPane} from './components/help.js';
import {ListView} from './components/list-view.js';
import {Sentences} from './components/sentences.js';
import {type DashboardModel, type OnScreen, useDashboard} from './hooks/use-dashboard.js';
import {useActions} from './hooks/use-actions.js';
import {useChooseInput} from './hooks/use-choose-input.js';
import {useComposeInput} from './hooks/use-compose-input.js';
import {useDelivery} from './hooks/use-delivery.js';
import {useEndedPages} from './hooks/use-ended-pages.js';
import {useWholePayload} from './hooks/use-whole-payload.js';
import {useKeyQueue} from './hooks/use-keys.js';
import {runCommand, useNormalInput} from './hooks/use-normal-input.js';
import {useConfirmInput, useDetailInput, useHelpInput} from './hooks/use-overlay-input.js';
import {useFilterInput} from './hooks/use-text-input.js';
import {useNotices} from './hooks/use-notices.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {type Command, binding, commandFor} from './keymap.js';
import {linkLine, linkLineChangesAt} from './link-line.js';
import {promptLine} from './prompt.js';
import {screenOf} from './screen.js';
import {textPane} from './text-pane.js';
import {initialUiState, uiReducer} from './state.js';
import {ThemeContext, toneStyle} from './theme.js';

export const MIN_COLUMNS = 40;

/** The refusal of a write with one bus, started with --read-only. */
function readOnlyText(what: string): string {
	return `Read-only: "${what}" would write to the bus (started with --read-only)`;
}

export const MIN_ROWS = 10;

/** What the App needs of the settings. */
export type AppConfig = {
	dbPath: string;
	logBase: string;
	author: string;
	operator: string;
	readOnly: boolean;
	color: boolean;
	defaultTab: string;
};

export type AppProps = {
	/** The machines whose buses the dashboard shows (`localFleet` for this machine's alone). */
	fleet: Fleet;
	config: AppConfig;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	columns?: number;
	rows?: number;
	/** Raw terminal output outside the frame: the bell, OSC 52. */
	writeRaw: (data: string) => void;
	/** What goes wrong with a notifier is said in the status bar. */
	notifications?: Notifications | null;
	/** The environment the dashboard runs in ($TMUX and $TMUX_PANE for `o`); default process.env. */
	environment?: NodeJS.ProcessEnv;
};

export function App({fleet, config, columns: fixedColumns, rows: fixedRows, writeRaw, notifications, environment = process.env}: AppProps) {
	const {exit} = useApp();
	const {columns, rows} = useTerminalSize({columns: fixedColumns, rows: fixedRows});
	const [ui, dispatch] = useReducer(uiReducer, isTabId(config.defaultTab) ? config.defaultTab : 'sessions', initialUiState);
	const tabState = ui.tabs[ui.tab];
	// A reconnecting link's countdown is the one text that changes each second: redrawn only while there is one.
	const [now, setNow] = useState(() => Date.now());
	// The remotes' link line takes a line of the frame from the rows.
	const bodyRows = rows - (fleet.sources.some(source => !source.getState().local) ? 1 : 0);
	const links = (machines: Parameters<typeof linkLine>[0]) => linkLine(machines, columns, now);
	// What a reading puts on screen in this terminal and UI state: a reading that changes none of it draws no frame.
	const onScreen = (model: DashboardModel): OnScreen => {
		const screen = screenOf(model.view, tabState, ui.mode, columns, bodyRows);
		const rowsShown = screen.visible.slice(screen.top, screen.top + screen.page);
		const shown = rowsShown.map(row => [row.key, row.cells, row.tone]);
		const detail = ui.mode.kind === 'detail' ? textPane(ui, model.view, config.readOnly, columns, bodyRows, wholePayload).lines : null;
		const {view, state} = model;
		return {
			text: JSON.stringify([
				model.badges,
				view?.id,
				view?.empty,
				screen.header,
				shown,
				screen.selected,
				screen.visible.length,
				view?.rows.length,
				detail,
				state.error,
				state.paused,
				links(model.fleet.machines)?.text,
			]),
			// A detail gives ages to the second (unknown: judged again every few seconds); the help never changes.
			changesAt:
				ui.mode.kind === 'detail'
					? null
					: ui.mode.kind === 'help'
						? Infinity
						: Math.min(...rowsShown.map(row => row.changesAt ?? Infinity)),
		};
	};
	const {state, view, badges, fleet: fleetState} = useDashboard(fleet, ui.tab, ui.showEnded, onScreen);
	const detailKey = ui.mode.kind === 'detail' ? ui.mode.key : null;
	const wholePayload = useWholePayload(fleet, detailKey === null ? undefined : view?.rows.find(row => row.key === detailKey));
	useEffect(() => {
		fleet.start();
		return () => fleet.stop();
	}, [fleet]);
	const nextLinkChange = linkLineChangesAt(fleetState.machines, now);
	useEffect(() => {
		if (nextLinkChange === Infinity) return;
		const timer = setTimeout(() => setNow(Date.now()), Math.max(0, nextLinkChange - Date.now()));
		return () => clearTimeout(timer);
	}, [nextLinkChange]);
	const screen = useMemo(() => screenOf(view, tabState, ui.mode, columns, bodyRows), [view, tabState, ui.mode, columns, bodyRows]);
	useDelivery(fleet, screen, ui.mode, state.paused);
	const moreEnded = view?.id === 'sessions' && view.total !== null;
	useEndedPages(fleet, ui.showEnded, moreEnded && screen.selected >= screen.visible.length - screen.page);

	const actions = useActions(fleet, config, dispatch, writeRaw, environment);
	useNotices(notifications, dispatch);
	const queue = useKeyQueue(exit);
	const pane = textPane(ui, view, config.readOnly, columns, bodyRows, wholePayload);
	// A write on a machine that refuses writes is refused here, naming the machine when there are several.
	const writeRefusal = (command: Command, machines: Array<string | undefined>): string | null => {
		const what = binding(command).description;
		const only = fleetState.machines.length === 1 ? fleetState.machines[0] : null;
		// --read-only: no write on any machine.
		if (config.readOnly || (only?.local && only.readOnly)) return readOnlyText(what);
		const refusing = fleetState.machines.filter(
			machine => machine.readOnly && machines.some(name => (name ?? fleetState.machines[0].name) === machine.name),
		);
		if (refusing.length === 0) return null;
		const why = refusing.map(machine => `${machine.name} ${machine.local ? 'was started with --read-only' : 'serves read-only'}`);
		return `Read-only: ${why.join('; ')}: "${what}" would write to its bus`;
	};
	const normal = {ui, dispatch, view, screen, actions, writeRefusal, exit};
	const onCommand = (input: string, key: Parameters<typeof commandFor>[1]) => {
		const command = commandFor(input, key);
		if (command) runCommand(command, normal);
	};
	useNormalInput(queue, normal, {isActive: ui.mode.kind === 'list'});
	useFilterInput(queue, dispatch, {isActive: ui.mode.kind === 'filter'});
	useConfirmInput(
		queue,
		{dispatch, action: ui.mode.kind === 'confirm' ? ui.mode.action : null, actions},
		{isActive: ui.mode.kind === 'confirm'},
	);
	useDetailInput(queue, {dispatch, text: pane, onCommand}, {isActive: ui.mode.kind === 'detail'});
	useHelpInput(queue, {dispatch, text: pane}, {isActive: ui.mode.kind === 'help'});
	useChooseInput(queue, {dispatch, mode: ui.mode, actions}, {isActive: ui.mode.kind === 'choose'});
	useComposeInput(queue, {dispatch, mode: ui.mode, actions}, {isActive: ui.mode.kind === 'compose'});
	const theme = useMemo(() => ({color: config.color}), [config.color]);
	const link = links(fleetState.machines);

	if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
		return (
			<Sentences text={`Terminal too small: ${columns}x${rows}, need at least ${MIN_COLUMNS}x${MIN_ROWS}. q quits.`} width={columns} />
		);
	}
	const overlay = ui.mode.kind === 'help' || ui.mode.kind === 'detail';
	const body = overlay ? (
		<TextPane title={pane.title} lines={pane.lines} width={columns} height={pane.height} top={pane.top} />
	) : view ? (
		<ListView view={view} screen={screen} tab={tabState} width={columns} color={config.color} />
	) : (
		<Sentences text={state.error ?? 'Reading the bus...'} width={columns} />
	);
	const filterText =
		ui.mode.kind === 'filter'
			? `/${tabState.filter}▏ (Enter keeps, Esc clears)`
			: `filter: ${tabState.filter} (${screen.visible.length} of ${view?.rows.length ?? 0}; / edits, Esc clears)`;
	// Of a bounded list, the count too: `12/500 of 532`.
	const position =
		view && ui.mode.kind === 'list' && view.layout === 'table'
			? `${screen.selected + 1}/${screen.visible.length}${view.total !== null ? ` of ${view.total}` : ''}`
			: '';
	return (
		<ThemeContext.Provider value={theme}>
			{/* Until the first reading the frame is only as tall as its three lines: the first one comes at once. */}
			<Box flexDirection="column" width={columns} height={view ? Math.max(1, rows - 1) : undefined}>
				<TabBar active={ui.tab} badges={badges} width={columns} />
				<Box flexDirection="column" flexGrow={1}>
					{body}
				</Box>
				{screen.filterLine && !overlay ? <Text wrap="truncate">{fit(filterText, columns)}</Text> : null}
				{link ? (
					<Text wrap="truncate" color={toneStyle(link.tone, theme).color}>
						{link.text}
					</Text>
				) : null}
				<StatusBar
					dbPath={config.dbPath}
					readOnly={config.readOnly}
					columns={columns}
					state={state}
					message={ui.message}
					prompt={promptLine(ui.mode, columns)}
					position={position}
				/>
			</Box>
		</ThemeContext.Provider>
	);
}
