import {Box, Text} from 'ink';
import {fit, wrapText} from '../../text/fit.js';

/** Text that must be read whole (an error, a hint): wrapped to the width, never cut. */
export function Sentences({text, width}: {text: string; width: number}) {
	const lines = text.split('\n').flatMap(line => wrapText(line, width, '  '));
	return (
		<Box flexDirection="column">
			{lines.map((line, index) => (
				<Text key={index} wrap="truncate">
					{fit(line, width)}
				</Text>
			))}
		</Box>
	);
}
