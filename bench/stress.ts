/**
 * `npm run stress`: 8 writer processes for 30 s (STRESS_SECONDS to change) while the
 * dashboard's own loop refreshes, delivers and acknowledges as fast as it can.
 * Prints a summary; exits 1 when any check fails. The 5 s version runs in `npm test`
 * (test/stress.test.ts).
 */
import {formatStressSummary, runStress, stressFailures} from '../test/helpers/stress.js';

const seconds = Number(process.env['STRESS_SECONDS'] ?? 30);
const writers = Number(process.env['STRESS_WRITERS'] ?? 8);
if (!(seconds > 0) || !(writers >= 2)) {
	process.stderr.write('STRESS_SECONDS must be positive and STRESS_WRITERS at least 2\n');
	process.exit(2);
}

const report = await runStress({durationMs: seconds * 1000, writers, log: line => process.stdout.write(`${line}\n`)});
process.stdout.write(`${formatStressSummary(report)}\n`);
const failures = stressFailures(report, {maxGapMs: 100});
if (failures.length > 0) {
	process.stdout.write(`FAILED (${failures.length}):\n${failures.map(line => `  - ${line}`).join('\n')}\n`);
	process.exit(1);
}
process.stdout.write('All checks passed.\n');
