/**
 * Convergence under faults: every mutating operation of a full run is made to fail, at its first and at its
 * last call (after AWS carried it out, so the response is lost: the hardest case for duplicates), then the
 * workflow is re-run. (A run
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
  it('converges with no duplicate resource whichever operation fails, at its first or its last call', async () => {
    // Prepare: a clean run gives the mutating calls and the expected resource counts.
    await emulator.fresh();
    const clean = await runLocal('provision', seed, FAST);
    expect(clean.status).toBe('SUCCEEDED');
    const expected = counts(await snapshot('seed-usw2'));
    // every mutating call AWS carries out (those the AWS model or IAM refuse never happened)
    const operations = emulator.recorder.carriedOut().map((c) => c.operation);
    const total = operations.length;
    // Each operation fails at its first and at its last call: a step that makes several calls of one operation
    // (a target group per broker, a command per broker, an alarm each) loops over the same code, so its first and
    // last call stand for the ones between (every call of the 65, as before, took 467 s of a CI worker; 41 now).
    const faulted = [
      ...new Set(
        [...new Set(operations)].flatMap((operation) => [
          operations.indexOf(operation) + 1,
          operations.lastIndexOf(operation) + 1,
        ]),
      ),
    ].sort((a, b) => a - b);
    const repeated = [...new Set(operations)].filter(
      (o) => operations.indexOf(o) !== operations.lastIndexOf(o),
    );
    expect(operations.filter((o) => o === 'PutMetricAlarm')).toHaveLength(10);
    expect(repeated.length).toBeGreaterThan(3);
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
    // every operation faulted, each repeated one twice
    expect(faulted.length).toBe(new Set(operations).size + repeated.length);
    expect(faulted.map((k) => operations[k - 1])).toEqual(expect.arrayContaining([...new Set(operations)]));
  }, 600_000);
});
