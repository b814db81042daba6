import {createContext, useContext} from 'react';
import type {Tone} from './tabs/types.js';

/** Colours by tone; with colour off (NO_COLOR) tones fall back to bold and dim, which NO_COLOR allows. */
export type Theme = {color: boolean};

export const ThemeContext = createContext<Theme>({color: true});

export function useTheme(): Theme {
	return useContext(ThemeContext);
}

const TONE_COLORS: Record<Tone, string | undefined> = {
	normal: undefined,
	muted: 'gray',
	good: 'green',
	warn: 'yellow',
	bad: 'red',
	critical: 'redBright',
	accent: 'cyan',
};

export type TextStyle = {color?: string; bold?: boolean; dimColor?: boolean};

export function toneStyle(tone: Tone, theme: Theme): TextStyle {
	if (!theme.color) return {bold: tone === 'bad' || tone === 'critical', dimColor: false};
	return {color: TONE_COLORS[tone], bold: tone === 'critical'};
}
