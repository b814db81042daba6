import path from 'node:path';
import type {Config, Setup} from '../lib/config.js';
import type {FirstFrameFigures} from '../lib/figures.js';
import {HELLO_TEXT, type Hello} from '../lib/hello.js';
import {DATA_FRAME, FIRST_FRAME, PtyRun} from '../lib/pty.js';
import {median, round, stats} from '../lib/stats.js';

/** Process start to the dashboard's tab bar, and to the tab bar with counts, beside the hello-world app started both ways; interleaved, after one warm-up each. */
export async function measureFirstFrame(bus: string, config: Config, setup: Setup): Promise<FirstFrameFigures> {
	const {python, launcher, hello, workDir} = setup;
	const first: number[] = [];
	const firstData: number[] = [];
	const helloFirst: Record<keyof Hello, number[]> = {launched: [], plain: []};
	for (let i = 0; i < config.firstFrameRuns + 1; i++) {
		const tui = new PtyRun(python, [launcher, '--read-only', '--db', bus], {
			first: [FIRST_FRAME, DATA_FRAME],
			dump: i === 0 ? path.join(workDir, 'tui-first.out') : undefined,
		});
		const frame = tui.since(await tui.wait(event => event.event === 'first' && event.name === 'frame', 30_000));
		const data = tui.since(await tui.wait(event => event.event === 'first' && event.name === 'data', 30_000));
		if (i > 0 && frame !== null) first.push(frame);
		if (i > 0 && data !== null) firstData.push(data);
		await tui.quit();
		for (const way of ['launched', 'plain'] as const) {
			const helloRun = new PtyRun(python, hello[way], {first: [HELLO_TEXT]});
			const helloFrame = helloRun.since(await helloRun.wait(event => event.event === 'first', 30_000));
			if (i > 0 && helloFrame !== null) helloFirst[way].push(helloFrame);
			await helloRun.exited;
			helloRun.child.stdin!.end();
		}
	}
	return {
		first_frame: stats(first, 1),
		first_data_frame: stats(firstData, 1),
		hello_first_frame: stats(helloFirst.launched, 1),
		hello_plain_first_frame: stats(helloFirst.plain, 1),
		first_frame_ratio: round(median(first) / median(helloFirst.launched)),
		first_data_frame_ratio: round(median(firstData) / median(helloFirst.launched)),
		first_frame_ratio_to_plain: round(median(first) / median(helloFirst.plain)),
	};
}
