import type {Config} from '../lib/config.js';
import {type Dashboard, commitToScreen, removeMarkers} from '../lib/dashboard.js';
import type {CommitFigures} from '../lib/figures.js';
import {stats} from '../lib/stats.js';
import {sleep} from '../lib/time.js';

/** A new local agent's commit to its id on the running dashboard's screen, with nothing else committed; the bus as it was after. */
export async function measureCommitToScreen(dashboard: Dashboard, config: Config): Promise<CommitFigures> {
	const latency: number[] = [];
	let timeouts = 0;
	for (let i = 0; i < config.latencySamples; i++) {
		const value = await commitToScreen(dashboard, i, 'q');
		if (value === null) timeouts++;
		else latency.push(value);
		await sleep(400 + Math.random() * 600);
	}
	removeMarkers(dashboard);
	return {commit_to_screen: {...stats(latency, 1), timeouts}};
}
