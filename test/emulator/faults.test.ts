/**
 * Convergence under faults: every mutating call of a full run is made to fail once (after AWS carried
 * it out, so the response is lost: the hardest case for duplicates), then the workflow is re-run. (A run
 * where 20% of all calls are throttled is test/emulator/throttling.test.ts: mostly the SDK's backoff waits,
 * it runs beside CPU-bound files instead of after this one.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { counts, type Emulator, FAST, SEED, snapshot, startEmulator } from '../helpers/emulator';

const seed = SEED;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => emulator?.stop());

describe('fault injection', () => {
  it('converges with no duplicate resource whichever mutating call fails (k/k)', async () => {
    // Prepare: a clean run gives the mutating calls and the expected resource counts.
    await emulator.fresh();
    const clean = await runLocal('provision', seed, FAST);
    expect(clean.status).toBe('SUCCEEDED');
    const expected = counts(await snapshot('seed-usw2'));
    // every mutating call AWS carries out (those the AWS model or IAM refuse never happened)
    const operations = emulator.recorder.carriedOut().map((c) => c.operation);
    const total = operations.length;
    // PutMetricAlarm creates or replaces the alarm of that name ("PutMetricAlarm", Amazon CloudWatch API
    // Reference): a lost answer cannot duplicate one. Of the run of alarms, the first and the last are failed.
    const faulted = [...operations.keys()]
      .map((i) => i + 1)
      .filter(
        (k) =>
          operations[k - 1] !== 'PutMetricAlarm' ||
          operations[k - 2] !== 'PutMetricAlarm' ||
          operations[k] !== 'PutMetricAlarm',
      );
    expect(operations.filter((o) => o === 'PutMetricAlarm')).toHaveLength(10);
    const converged: string[] = [];
    const failures: string[] = [];
    // IAM judged the clean run above (and every suite judges provision's calls and re-runs); the loop below
    // measures convergence only, with the AWS model on: judging its 2 × total runs again would add ~2 minutes.
    expect(emulator.iam.denied()).toEqual([]);
    expect(emulator.iam.judged.length).toBeGreaterThan(200);
    emulator.iam.enabled = false;
    for (const k of faulted) {
      await emulator.fresh();
      emulator.recorder.failAfterSuccess = k;
      // Act
      const broken = await runLocal('provision', seed, FAST);
      const injected = emulator.recorder.injected?.operation ?? '(none)';
      emulator.recorder.failAfterSuccess = undefined;
      const rerun = await runLocal('provision', seed, FAST);
      // Assess
      const actual = counts(await snapshot('seed-usw2'));
      const ok =
        broken.status === 'FAILED' &&
        rerun.status === 'SUCCEEDED' &&
        JSON.stringify(actual) === JSON.stringify(expected);
      (ok ? converged : failures).push(
        `#${k} ${injected}: ${broken.status}/${rerun.status} ${ok ? '' : JSON.stringify(actual)}`,
      );
    }
    emulator.iam.enabled = true;
    console.info(
      `fault injection: ${converged.length}/${faulted.length} converged (${total} mutating calls)`,
    );
    expect(failures).toEqual([]);
    expect(converged).toHaveLength(faulted.length);
    expect(faulted.length).toBe(total - 8);
  }, 600_000);
});
