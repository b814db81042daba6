import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export type Size = {columns: number; rows: number};

/** The terminal's size, updated on `resize`; a fixed size (tests) wins. */
export function useTerminalSize(fixed?: Partial<Size>): Size {
	const {stdout} = useStdout();
	const read = (): Size => ({
		columns: fixed?.columns ?? (stdout.columns || 80),
		rows: fixed?.rows ?? (stdout.rows || 24),
	});
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed?.columns !== undefined && fixed?.rows !== undefined) return;
		const onResize = () => setSize(read());
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixed?.columns, fixed?.rows]);
	return fixed?.columns !== undefined && fixed?.rows !== undefined ? {columns: fixed.columns, rows: fixed.rows} : size;
}
