import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export type Size = {columns: number; rows: number};

/** The terminal's size, updated on `resize`; a fixed size (tests) wins. */
export function useTerminalSize(fixed?: Partial<Size>): Size {
	const {stdout} = useStdout();
	const read = (): Size => ({columns: stdout.columns || 80, rows: stdout.rows || 24});
	const [size, setSize] = useState(read);
	const fixedSize = fixed?.columns !== undefined && fixed?.rows !== undefined;
	useEffect(() => {
		if (fixedSize) return;
		const onResize = () => setSize({columns: stdout.columns || 80, rows: stdout.rows || 24});
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixedSize]);
	return {columns: fixed?.columns ?? size.columns, rows: fixed?.rows ?? size.rows};
}
