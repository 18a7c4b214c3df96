/**
 * The set-up the real-Kafka roll files share (roll.test.ts, batch-roll.test.ts): one harness per file, the AWS
 * emulator, the roll's test backoff, the control plane attached (provisioning the harness's cluster); on a
 * failed test the roll's log, the last commands run on the brokers and the kafkajs log. Registered with
 * vitest's hooks by `useRollHarness`; the returned object is filled in by its beforeAll.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ClusterSpecInput } from '../../functions/lib/spec';
import { type Emulator, FAST, startEmulator } from '../helpers/emulator';
import { attachControlPlane, type ControlPlane } from './control-plane';
import { type KafkaCluster, startKafkaCluster } from './harness';
import { stopAllProcesses } from './processes';
import { TEST_ROLL_RETRY_ENV } from './roll-under-load';

export interface RollHarness {
  cluster: KafkaCluster;
  emulator: Emulator;
  control: ControlPlane;
  /** kafkajs's log lines of the current test (printed when it fails). */
  clientLog: string[];
  /** Prints a line and keeps it for the failure report. */
  log(line: string): void;
}

export function useRollHarness(
  spec?: ClusterSpecInput,
  options: {
    /** Runs once the cluster and the emulator are up, before the control plane provisions. */
    prepare?: (cluster: KafkaCluster) => Promise<void>;
  } = {},
): RollHarness {
  const rollLog: string[] = [];
  const harness = {
    clientLog: [] as string[],
    log(line: string) {
      rollLog.push(line);
      console.info(line);
    },
  } as RollHarness;

  beforeAll(async () => {
    harness.cluster = await startKafkaCluster(spec);
    const { cluster } = harness;
    console.info(
      `kafka harness (${cluster.brokers.length} brokers): up in ${cluster.timings.total} ms ${JSON.stringify(cluster.timings)}`,
    );
    harness.emulator = await startEmulator();
    await harness.emulator.fresh();
    Object.assign(process.env, TEST_ROLL_RETRY_ENV);
    await options.prepare?.(cluster);
    harness.control = await attachControlPlane(cluster, harness.emulator.moto.endpoint, FAST);
    console.info(
      `control plane: provisioned ${harness.control.provision?.status}; ${harness.control.executor.commands.length} commands run on the brokers`,
    );
  }, 300_000);

  afterAll(async () => {
    const started = Date.now();
    await harness.control?.stop();
    await harness.emulator?.stop();
    await (harness.cluster ? harness.cluster.stop() : stopAllProcesses());
    for (const key of Object.keys(TEST_ROLL_RETRY_ENV)) delete process.env[key];
    console.info(`kafka harness: stopped in ${Date.now() - started} ms`);
  }, 120_000);

  beforeEach(({ onTestFailed }) => {
    harness.clientLog.length = 0;
    rollLog.length = 0;
    onTestFailed(() => {
      console.error(`roll log of the failed test:\n${rollLog.join('\n')}`);
      for (const c of harness.control?.executor.commands.slice(-4) ?? []) {
        console.error(`--- ${c.comment} ${c.status}\n${c.stdout.slice(-1500)}\n${c.stderr.slice(-1500)}`);
      }
      if (harness.clientLog.length > 0)
        console.error(`kafkajs log of the failed test:\n${harness.clientLog.join('\n')}`);
    });
  });

  return harness;
}
