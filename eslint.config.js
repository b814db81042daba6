// Lint: typescript-eslint's type-aware checks for mistakes that compile (floating
// promises, unused values, switches that miss a case), React's rules of hooks, and the
// layers: an import never runs from a lower layer up to a higher one.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import boundaries from 'eslint-plugin-boundaries';

/** The layers, lowest first; a module may import its own layer's and lower ones' (and, within a layer, what `also` names). */
const LAYERS = [
	{type: 'base', pattern: ['source/text/**', 'source/bus/**', 'source/processes/**', 'source/exit-codes.ts', 'source/tab-ids.ts']},
	{type: 'analysis', pattern: ['source/analysis/**']},
	{type: 'middle', pattern: ['source/report/**', 'source/monitor/**', 'source/fleet/**', 'source/settings.ts', 'source/config.ts']},
	{type: 'top', pattern: ['source/ui/**', 'source/commands/**', 'source/demo/**']},
	{type: 'cli', pattern: ['source/cli.ts']},
];

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'bench/cache/**', 'media/**', 'test/golden/**']},
	js.configs.recommended,
	...tseslint.configs.recommendedTypeChecked,
	{
		languageOptions: {parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname}},
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/switch-exhaustiveness-check': ['error', {considerDefaultExhaustiveForUnions: true}],
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
			eqeqeq: ['error', 'always', {null: 'ignore'}],
		},
	},
	{
		files: ['**/*.tsx', 'source/ui/hooks/**'],
		plugins: {'react-hooks': reactHooks},
		rules: {'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error'},
	},
	{
		files: ['source/**'],
		plugins: {boundaries},
		settings: {
			'boundaries/elements': LAYERS.map(layer => ({type: layer.type, pattern: layer.pattern, mode: 'full'})),
			'import/resolver': {typescript: {alwaysTryTypes: true}},
		},
		rules: {
			'boundaries/dependencies': [
				'error',
				{
					default: 'disallow',
					policies: LAYERS.map((layer, index) => ({
						from: {element: {type: layer.type}},
						allow: {to: {element: {types: {anyOf: LAYERS.slice(0, index + 1).map(lower => lower.type)}}}},
					})),
				},
			],
		},
	},
	{files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked},
);
