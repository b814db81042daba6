// Lint: typescript-eslint's type-aware checks for mistakes that compile (floating
// promises, unused values, switches that miss a case), React's rules of hooks, and the
// layers: an import never runs from a lower layer up to a higher one.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The layers, lowest first, by the folders and root modules in each: a module may import
 * its own layer and lower ones, never a higher one; SQLite stays below the views and Ink
 * above the data.
 */
const LAYERS = [
	{
		files: ['source/text/**', 'source/bus/**', 'source/processes/**', 'source/exit-codes.ts', 'source/tab-ids.ts'],
		names: ['text', 'bus', 'processes', 'exit-codes', 'tab-ids'],
	},
	{files: ['source/analysis/**'], names: ['analysis']},
	{
		files: ['source/report/**', 'source/monitor/**', 'source/fleet/**', 'source/settings/**', 'source/settings.ts'],
		names: ['report', 'monitor', 'fleet', 'settings'],
	},
	{files: ['source/ui/**', 'source/commands/**', 'source/demo/**'], names: ['ui', 'commands', 'demo']},
	{files: ['source/cli.ts'], names: ['cli']},
];
const UI_PACKAGES = ['ink', 'react', 'ink-testing-library'];

function layerRules() {
	return LAYERS.slice(0, -1).map((layer, index) => {
		const above = LAYERS.slice(index + 1).flatMap(higher => higher.names);
		const patterns = [
			{regex: `(^|/)(${above.join('|')})(/|\\.js$)`, message: 'An import may not run up to a higher layer (see eslint.config.js).'},
		];
		if (index < 3) patterns.push({regex: `^(${UI_PACKAGES.join('|')})(/|$)`, message: 'Ink and React belong to the views (source/ui).'});
		if (index > 0) patterns.push({regex: '^better-sqlite3$', allowTypeImports: true, message: 'SQLite belongs to source/bus.'});
		return {files: layer.files, rules: {'no-restricted-imports': ['error', {patterns}]}};
	});
}

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'bench/cache/**', 'media/**', 'test/golden/**']},
	js.configs.recommended,
	...tseslint.configs.recommendedTypeChecked,
	{
		languageOptions: {globals: globals.node, parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname}},
		rules: {
			'@typescript-eslint/no-floating-promises': [
				'error',
				{
					allowForKnownSafeCalls: [
						{
							from: 'package',
							package: 'node:test',
							name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
						},
					],
				},
			],
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
	...layerRules(),
	// The tests write and look for control characters on purpose.
	{files: ['test/**'], rules: {'no-control-regex': 'off'}},
	{files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked},
);
