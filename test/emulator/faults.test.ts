/**
 * Convergence under faults: every mutating call of a full run is made to fail once (after AWS carried
 * it out, so the response is lost: the hardest case for duplicates), then the workflow is re-run; and a
 * run where 20% of all calls are throttled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { resetClients } from '../../functions/lib/aws/clients';
import { throttlingError } from '../helpers/aws-calls';
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

  it('completes when 20% of all AWS calls are throttled', async () => {
    // Prepare: SDK retries on (as deployed), a seeded pseudo-random 20% of attempts throttled.
    process.env.KAFKA_PLC_SDK_MAX_ATTEMPTS = '3';
    resetClients();
    await emulator.fresh();
    let seedState = 42;
    const random = () => {
      seedState = (seedState * 1103515245 + 12345) % 2 ** 31;
      return seedState / 2 ** 31;
    };
    let throttled = 0;
    emulator.recorder.fault = () => {
      if (random() < 0.2) {
        throttled++;
        throw throttlingError('injected');
      }
      return undefined;
    };
    try {
      // Act
      const result = await runLocal('provision', seed, FAST);
      // Assess
      expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
      expect(throttled).toBeGreaterThan(10);
      console.info(
        `throttling: ${throttled} of ${emulator.recorder.calls.length} calls throttled; provision succeeded`,
      );
    } finally {
      emulator.recorder.fault = undefined;
      process.env.KAFKA_PLC_SDK_MAX_ATTEMPTS = '1';
      resetClients();
    }
    const state = counts(await snapshot('seed-usw2'));
    expect(state).toMatchObject({
      vpcs: 1,
      instances: 3,
      natGateways: 1,
      loadBalancers: 1,
      targetGroups: 4,
      listeners: 4,
    });
  }, 120_000);
});
