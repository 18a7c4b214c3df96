/**
 * A provision where a seeded 20% of all AWS calls are throttled completes, with the SDK's own retries on as
 * deployed. (Apart from test/emulator/faults.test.ts: this file is mostly the SDK's backoff waits.)
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

describe('throttling', () => {
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
