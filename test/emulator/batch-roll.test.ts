/**
 * Batch rolls at the NLB's size on the emulator: 48 brokers over three AZs provisioned by the provision ASL,
 * then rolled by the roll ASL with roll.maxBatchSize 16; and the NLB's maximum, 49 brokers of an existing
 * cluster, exposed (50 listeners, under the AWS model's listener quota) and patched in batches. SSM commands never run in moto, so the health comes
 * from the real health script run here (KAFKA_PLC_HEALTH_SOURCE=local) with a `java` stand-in printing a
 * healthy 48-broker cluster whose partitions have one replica per AZ (test/helpers/health-output.ts): the
 * parser and the decisions are the deployed ones; the real-Kafka suite runs them against real brokers.
 */

import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalEvent, runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import { type Emulator, FAST, SEED, startEmulator } from '../helpers/emulator';
import { createExistingCluster, existingSpec } from '../helpers/existing-cluster';
import {
  type Cluster,
  cleanUpGeneratedOutput,
  electionsRun,
  emulatedHealthEnv,
  rackAwareCluster,
} from '../helpers/health-output';

const BROKERS = 48;
const spec = { ...SEED, clusterName: 'big-usw2', brokersPerAz: BROKERS / 3 };
let emulator: Emulator;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator();
  // Prepare: 48 brokers provisioned once for the file (the roll is what each test varies)
  await emulator.fresh();
  const provisioned = await runLocal('provision', spec, FAST);
  expect(provisioned.status, `${provisioned.error}: ${provisioned.cause}`).toBe('SUCCEEDED');
}, 300_000);
afterAll(async () => {
  process.env = saved;
  cleanUpGeneratedOutput();
  await emulator?.stop();
});
/** The emulated health: `cluster`'s tool output, read by the real health script here. */
function serveHealth(cluster: Cluster) {
  Object.assign(process.env, emulatedHealthEnv(cluster, saved.PATH));
}

beforeEach(() => {
  emulator.recorder.clear();
  serveHealth(rackAwareCluster(BROKERS, { leader: 1 }));
});

/** Rolls `spec` to `uniqueName`; returns the result and each RestartBatch's brokers, in order. */
async function roll(uniqueName: string, maxBatchSize?: number) {
  const events: LocalEvent[] = [];
  const result = await runLocal(
    'roll-brokers',
    {
      spec: { ...spec, uniqueName, ...(maxBatchSize === undefined ? {} : { roll: { maxBatchSize } }) },
      previousUniqueName: 'unique_name',
    },
    { ...FAST, onEvent: (e) => events.push(e) },
  );
  const batches = events
    .filter((e) => e.type === 'StateExited' && e.state === 'RestartBatch')
    .map((e) => ((e.output as { commands: { nodeId: number }[] }).commands ?? []).map((c) => c.nodeId));
  return { result, batches, events };
}

const rackOf = (id: number) => (id - 1) % 3;
const byId = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('a 48-broker roll on the emulator', () => {
  it('with maxBatchSize 16 restarts whole AZs: az2, az3, az1 without the controller, then the controller — 4 batches', async () => {
    // Act
    const { result, batches } = await roll('tidb-big16', 16);
    // Assess: every broker once, in four batches, each one AZ, the controller alone and last
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const ids = Array.from({ length: BROKERS }, (_, i) => i + 1);
    expect(byId(batches.flat())).toEqual(ids);
    expect(batches.map(byId)).toEqual([
      ids.filter((id) => rackOf(id) === 1),
      ids.filter((id) => rackOf(id) === 2),
      ids.filter((id) => rackOf(id) === 0 && id !== 1),
      [1],
    ]);
    // One roll command per broker, each carrying the new name; the done list has all 48
    const sends = emulator.recorder.calls.filter((c) => c.operation === 'SendCommand');
    expect(sends).toHaveLength(BROKERS);
    for (const send of sends)
      expect((send.input.Parameters as { commands: string[] }).commands[0]).toContain('.tidb-big16.');
    const output = result.output as { brokers: { nodeId: number }[] };
    expect(byId(output.brokers.map((b) => b.nodeId))).toEqual(ids);
    // One preferred-leader election per batch, run by the read that saw it caught up (no election of its own)
    expect(electionsRun()).toBe(4);
  }, 300_000);
});

describe('the 49-broker maximum: an existing cluster exposed with roll.maxBatchSize 16', () => {
  it('builds all 50 NLB listeners (the quota: bootstrap + 49) and patches the brokers in 4 batches', async () => {
    // Prepare: 49 running brokers of someone else's cluster (broker N in usw2-az((N − 1) mod 3 + 1))
    await emulator.fresh();
    serveHealth(rackAwareCluster(49, { leader: 1 }));
    const spec = existingSpec(await createExistingCluster(49), 'legacy-49', { roll: { maxBatchSize: 16 } });
    // they run long since: none of them is new to EC2's eventual consistency any more
    emulator.model.state.invisible.clear();
    emulator.recorder.clear();
    const events: LocalEvent[] = [];
    // Act
    const result = await runLocal('expose-existing', spec, { ...FAST, onEvent: (e) => events.push(e) });
    // Assess: 50 listeners, none refused by the quota; each broker patched once, az2, az3, az1 − 1, then 1
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const { elbv2 } = clients('us-west-2');
    const [lb] = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const listeners = await elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn, PageSize: 400 }),
    );
    expect(listeners.Listeners).toHaveLength(50);
    expect(emulator.model.fired.get('nlb-listener-quota')).toBeUndefined();
    const batches = events
      .filter((e) => e.type === 'StateExited' && e.state === 'RestartBatch')
      .map((e) => ((e.output as { commands: { nodeId: number }[] }).commands ?? []).map((c) => c.nodeId));
    const ids = Array.from({ length: 49 }, (_, i) => i + 1);
    expect(batches.map(byId)).toEqual([
      ids.filter((id) => rackOf(id) === 1),
      ids.filter((id) => rackOf(id) === 2),
      ids.filter((id) => rackOf(id) === 0 && id !== 1),
      [1],
    ]);
  }, 300_000);
});
