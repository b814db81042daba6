import {useEffect, useState} from 'react';
import type {Fleet} from '../../fleet/fleet.js';
import type {Row, WholePayload} from '../tabs/types.js';

/**
 * The whole payload of the message a detail view shows, when its row holds a preview (a
 * remote's): asked of the row's machine once the detail opens, and kept while it stays open.
 * Undefined for any other row.
 */
export function useWholePayload(fleet: Fleet, row: Row | undefined): WholePayload | undefined {
	const [fetched, setFetched] = useState<{key: string; payload: WholePayload} | null>(null);
	const id = row?.cutPayload;
	const key = row && id !== undefined ? row.key : null;
	const machine = row?.machine ?? fleet.sources[0]?.name;
	useEffect(() => {
		if (key === null || id === undefined || machine === undefined) return;
		let open = true;
		const settle = (payload: WholePayload) => {
			if (open) setFetched({key, payload});
		};
		const source = fleet.machine(machine);
		if (!source) settle({state: 'failed', why: `${machine} is not in the fleet`});
		else
			source.payload(id).then(
				({value, cut}) => settle({state: 'whole', value, cut}),
				(error: unknown) => settle({state: 'failed', why: error instanceof Error ? error.message : String(error)}),
			);
		return () => {
			open = false;
		};
	}, [fleet, key, id, machine]);
	if (key === null) return undefined;
	return fetched?.key === key ? fetched.payload : {state: 'fetching'};
}
