import {observations} from '../../report/observations.js';
import {statsLines} from '../../report/describe.js';
import {valueFormat} from '../../report/format.js';
import {tabInfo} from '../../tab-ids.js';
import type {Row, TabModule} from './types.js';

/** Stats: the bus statistics and the observations, as sentences. */

const plain = valueFormat('plain');

export const statsTab: TabModule<'stats'> = {
	...tabInfo('stats'),
	layout: 'text',
	columns: [{id: 'text', priority: 1, title: '', width: 10, grow: true}],
	rows: ({snapshot, analysis}, {countsNote}) => {
		const lines = [
			'Bus Statistics',
			...statsLines(snapshot, analysis, plain, false).map(line => `  ${line}`),
			`  ${countsNote}`,
			'',
			'Observations',
			...observations(snapshot, analysis, plain).map(line => `  ${line}`),
		];
		return lines.map((line, index): Row => ({
			key: `stat:${index}`,
			cells: {text: line},
			// Observations give ages to the second: always due.
			changesAt: analysis.now,
			tone: index === 0 || line === 'Observations' ? 'accent' : 'normal',
			sort: {order: index},
			search: line,
			copy: line.trim(),
			detail: () => [line],
		}));
	},
	badge: () => null,
	empty: () => '',
};
