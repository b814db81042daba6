import {useEffect, useState} from 'react';
import type {Fleet} from '../../fleet/fleet.js';

/** Ended sessions read at a time while `e` shows them. */
export const ENDED_PAGE = 200;

/**
 * While `e` shows the ended sessions, every machine lists a page of them, and a page more
 * each time the selection comes within a screen of the last one listed (`nearEnd`) while
 * more remain; hidden, none is read.
 */
export function useEndedPages(fleet: Fleet, showEnded: boolean, nearEnd: boolean): void {
	const [pages, setPages] = useState(1);
	useEffect(() => {
		if (!showEnded) setPages(1);
	}, [showEnded]);
	useEffect(() => {
		fleet.listEnded(showEnded ? pages * ENDED_PAGE : 0);
	}, [fleet, showEnded, pages]);
	useEffect(() => {
		if (showEnded && nearEnd) setPages(count => count + 1);
	}, [showEnded, nearEnd]);
}
