import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {formatStressSummary, runStress, stressFailures} from './helpers/stress.js';

/**
 * The short load test (`npm run stress` runs the same for 30 s with the strict freeze
 * limit): 8 writer processes using the bus writer with a 3 s busy timeout (register,
 * heartbeat every 100 ms, claim/release, lock/unlock, directed messages, alerts, reading
 * their own inbox) for 5 s, while this process runs the dashboard's loop (a LiveBus:
 * tick, markShown, acknowledge) as fast as it can. Triggers on the bus record every
 * delivery-state change, session status change and deleted lock or claim.
 *
 * The freeze limit, 100 ms, applies here to pauses the dashboard spends computing. On CI
 * this file runs beside another test file on a two-CPU machine, so a pause in which this
 * process was simply not scheduled is allowed, up to 1 s (which still catches a blocking
 * wait such as a long busy timeout); `npm run stress` holds every pause to 100 ms.
 */

describe('load: 8 writer processes and the dashboard on one bus', () => {
	it(
		'no writer fails, every acknowledgement lands, nothing moves backwards, nothing live is released, no freeze',
		{timeout: 90_000},
		async t => {
			const report = await runStress({durationMs: 5000});
			const summary = formatStressSummary(report);
			for (const line of summary.split('\n')) t.diagnostic(line);
			assert.deepEqual(stressFailures(report, {maxGapMs: 100, loadedMaxGapMs: 1000}), [], summary);
			// The run did real work on both sides.
			assert.ok(report.opsPerSecond > 100, summary);
			assert.ok(
				report.writers.every(writer => (writer.ops['heartbeat'] ?? 0) >= 20),
				'every writer heartbeated every 100 ms or so',
			);
			assert.ok(report.dashboard.acknowledge.ids > 10 && report.dashboard.markDelivered.changed > 10, summary);
			assert.equal(report.writerFailures.busy + report.writerFailures.other, 0);
			assert.deepEqual(report.checks.violations, []);
		},
	);
});
