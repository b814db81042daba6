import {stripVTControlCharacters} from 'node:util';
// Generates media/screenshot.svg (and .txt) from a real run: the built CLI's demo
// in a tmux pane, captured with its colours and turned into an SVG.
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';

const socket = `session-status-shot-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const [columns, rows] = [110, 24];

const env = {...process.env};
delete env.CI; // ink draws nothing under CI=true
tmux(
	'new-session',
	'-d',
	'-s',
	'shot',
	'-x',
	String(columns),
	'-y',
	String(rows),
	'-e',
	'TERM=xterm-256color',
	'sh',
	'-c',
	'dist/session-status demo; sleep 5',
);
let screen = '';
try {
	for (let waited = 0; waited < 15_000 && !/4 Alerts/.test(screen); waited += 200) {
		await sleep(200);
		screen = tmux('capture-pane', '-p', '-t', 'shot');
	}
	// Let the agents message and lock for a few seconds, then show the Sessions tab.
	await sleep(4000);
	screen = tmux('capture-pane', '-p', '-e', '-t', 'shot');
	tmux('send-keys', '-t', 'shot', 'q');
	await sleep(1500);
} finally {
	try {
		tmux('kill-server');
	} catch {
		// No server left to kill.
	}
}

const PALETTE = ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4'];
const BRIGHT = ['#5c6370', '#ff7b86', '#b5e890', '#ffd68a', '#82c4ff', '#de9bff', '#7fd7e3', '#ffffff'];
const FG = '#dcdfe4';
const BG = '#1e1e1e';

function color256(n) {
	if (n < 8) return PALETTE[n];
	if (n < 16) return BRIGHT[n - 8];
	if (n >= 232) {
		const v = 8 + (n - 232) * 10;
		return `rgb(${v},${v},${v})`;
	}
	const i = n - 16;
	const c = v => (v === 0 ? 0 : 55 + v * 40);
	return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

const escapeXml = text => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function lineToSpans(line) {
	const spans = [];
	let style = {fg: null, bg: null, bold: false, inverse: false};
	let text = '';
	const flush = () => {
		if (text) spans.push({text, ...style});
		text = '';
	};
	for (let i = 0; i < line.length; i++) {
		if (line[i] === '\u001b' && line[i + 1] === '[') {
			const end = line.indexOf('m', i);
			flush();
			const codes = line
				.slice(i + 2, end)
				.split(';')
				.map(Number);
			for (let k = 0; k < codes.length; k++) {
				const code = codes[k] || 0;
				if (code === 0) style = {fg: null, bg: null, bold: false, inverse: false};
				else if (code === 1) style = {...style, bold: true};
				else if (code === 22) style = {...style, bold: false};
				else if (code === 7) style = {...style, inverse: true};
				else if (code === 27) style = {...style, inverse: false};
				else if (code >= 30 && code <= 37) style = {...style, fg: PALETTE[code - 30]};
				else if (code >= 90 && code <= 97) style = {...style, fg: BRIGHT[code - 90]};
				else if (code === 39) style = {...style, fg: null};
				else if (code >= 40 && code <= 47) style = {...style, bg: PALETTE[code - 40]};
				else if (code === 49) style = {...style, bg: null};
				else if ((code === 38 || code === 48) && codes[k + 1] === 5) {
					style = {...style, [code === 38 ? 'fg' : 'bg']: color256(codes[k + 2])};
					k += 2;
				} else if ((code === 38 || code === 48) && codes[k + 1] === 2) {
					style = {...style, [code === 38 ? 'fg' : 'bg']: `rgb(${codes[k + 2]},${codes[k + 3]},${codes[k + 4]})`};
					k += 4;
				}
			}
			i = end;
		} else text += line[i];
	}
	flush();
	return spans;
}

const cell = {w: 8.4, h: 18};
const lines = screen.replace(/\n$/, '').split('\n').slice(0, rows);
let body = '';
lines.forEach((line, row) => {
	let x = 0;
	for (const span of lineToSpans(line)) {
		const length = [...span.text].length;
		const fg = span.inverse ? (span.bg ?? BG) : (span.fg ?? FG);
		const bg = span.inverse ? (span.fg ?? FG) : span.bg;
		if (bg)
			body += `<rect x="${(x * cell.w).toFixed(1)}" y="${row * cell.h}" width="${(length * cell.w).toFixed(1)}" height="${cell.h}" fill="${bg}"/>`;
		if (span.text.trim()) {
			body += `<text x="${(x * cell.w).toFixed(1)}" y="${row * cell.h + 13}" fill="${fg}"${span.bold ? ' font-weight="bold"' : ''} xml:space="preserve">${escapeXml(span.text)}</text>`;
		}
		x += length;
	}
});
const width = Math.ceil(columns * cell.w) + 20;
const height = rows * cell.h + 20;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14"><rect width="100%" height="100%" rx="6" fill="${BG}"/><g transform="translate(10,10)">${body}</g></svg>\n`;
mkdirSync('media', {recursive: true});
writeFileSync('media/screenshot.svg', svg);
writeFileSync('media/screenshot.txt', lines.map(line => stripVTControlCharacters(line)).join('\n') + '\n');
console.log('wrote media/screenshot.svg and media/screenshot.txt');
