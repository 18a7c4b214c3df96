/**
 * Batch rolls on real Kafka 3.7.1: six brokers over three racks (broker.rack = AZ ID; brokers 1–3 the KRaft
 * voters, 4–6 broker-only), rolled by the deployed roll state machine with roll.maxBatchSize 3 under an acks=all
 * idempotent producer and a consumer through haproxy (the NLB). Rack-aware placement gives each partition one
 * replica per rack, so the roll restarts rack by rack — the controller's rack without it, then the controller
 * alone — losing nothing and never leaving a partition under min.insync.replicas. The negative control: a
 * topic placed [1,4,2] (two replicas in one rack) makes the same decisions, on the live cluster's health, keep
 * 1 and 4 apart; restarting that rack naively (test-only) gets NotEnoughReplicas, which the check prevents.
 */
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as canRollNow } from '../../functions/can-roll-now/handler';
import { parseCommandComment } from '../../functions/lib/domain/commands';
import type { RollPick } from '../../functions/lib/steps/roll';
import { asFunction } from '../aws-model/iam';
import { seedSpec } from '../fixtures/specs';
import { lambdaContext } from '../helpers/lambda';
import type { ControlPlane } from './control-plane';
import type { KafkaCluster } from './harness';
import { consumerSideKafka } from './load';
import { waitFor } from './processes';
import { useRollHarness } from './roll-harness';
import {
  clientSide,
  electionAfterEachBatch,
  type RollUnderLoadResult,
  rollUnderLoad,
} from './roll-under-load';
import { expectTicdcLoadSound } from './ticdc-check';
import { waitUntilServed } from './topics';

const SPEC = seedSpec({ brokersPerAz: 2, roll: { maxBatchSize: 3 } });
/** Node n's rack: plan.ts places brokers round-robin over the AZ IDs. */
const rackOf = (id: number) => SPEC.azIds[(id - 1) % 3];
const harness = useRollHarness(SPEC);
let cluster: KafkaCluster;
let control: ControlPlane;
beforeAll(() => {
  ({ cluster, control } = harness);
});
const { clientLog, log } = harness;

const byId = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('a batch roll of six brokers over three racks', () => {
  let result: RollUnderLoadResult;

  it('restarts rack by rack, the controller alone and last, under load', async () => {
    // Act
    result = await rollUnderLoad(cluster, control, {
      uniqueName: 'tidb-batch6',
      topic: 'batch-topic',
      log,
      clientLog,
      ticdc: true,
    });
    // Assess: four batches — each a whole rack except the controller's, which loses it to a last batch of one
    const { roll } = result;
    expect(roll.run.status).toBe('SUCCEEDED');
    const batches = roll.batches;
    console.info(
      `batch roll: ${roll.ms} ms; batches ${batches.map((b) => `{${b.join(',')}}`).join(' ')}; ` +
        `${result.load.acked.length} acked, ${result.load.failed.length} failed sends; ` +
        `${result.isr.samples} ISR samples, ${result.isr.underMinIsr.length} under min ISR`,
    );
    expect(batches).toHaveLength(4);
    const controller = batches.at(-1)?.[0] as number;
    expect(batches.at(-1)).toEqual([controller]);
    expect([1, 2, 3]).toContain(controller);
    for (const batch of batches.slice(0, 3)) {
      const rack = rackOf(batch[0] as number);
      const wholeRack = [1, 2, 3, 4, 5, 6].filter((id) => rackOf(id) === rack && id !== controller);
      expect(byId(batch)).toEqual(wholeRack);
    }
    // the controller was the KRaft leader when its batch was picked; no other batch held it
    expect(roll.leaderAtPick.get(controller)).toBe(controller);
    expect(byId(roll.rolled.map((r) => r.nodeId))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(roll.serviceActions.filter((a) => a.verb === 'stop')).toHaveLength(6);
    // after each batch a preferred-leader election, in the health read that saw it caught up (on a broker outside
    // it, no second command), ended before the next batch restarts (and before the roll ends): leaders are back
    // where Kafka placed them
    expect(roll.commands.filter((c) => c.purpose === 'elect')).toEqual([]);
    for (const { batch, readOn, election } of electionAfterEachBatch(roll)) {
      expect(batch).not.toContain(readOn);
      expect(election).toEqual({ ran: true, elected: true, detail: 'elected' });
    }
    expect(result.notPreferredAfter).toEqual([]);
  }, 300_000);

  it('loses no acknowledged message, had no failed send, and no partition went under min ISR', () => {
    // Assess
    const { load, isr } = result;
    expect(load.acked.length).toBeGreaterThan(200);
    expect(load.lost).toEqual([]);
    expect(load.failed).toEqual([]);
    expect(isr.samples).toBeGreaterThan(10);
    expect(isr.underMinIsr).toEqual([]);
    expect(result.advertisedAfter.every((b) => b.host.includes('.tidb-batch6.'))).toBe(true);
    // TiCDC's own client (Sarama, TiCDC's settings) wrote through the batches: no send given up on after its
    // retries, nothing acknowledged lost
    expectTicdcLoadSound(result.ticdc, 300);
  });
});

describe('a topic with two replicas in one rack (negative control)', () => {
  const topic = 'two-in-rack-a';
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = consumerSideKafka(clientSide(cluster, cluster.consumerNames, clientLog), 'kafka-plc-negative');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            replicaAssignment: [{ partition: 0, replicas: [1, 4, 2] }],
            configEntries: [{ name: 'min.insync.replicas', value: '2' }],
          },
        ],
        // topics.ts: ready only when every broker serves it (waitUntilServed), not when the controller says so
        waitForLeaders: false,
      });
      await waitUntilServed(admin, cluster.haproxyAddress, topic, { partitions: 1, replicas: 3 });
    } finally {
      await admin.disconnect();
    }
  }, 120_000);

  it('the batch decisions on the live cluster keep 1 and 4 apart', async () => {
    // Prepare: every broker pending, as a roll to a new name would find them
    const brokers = control.executor.commands
      .filter((c) => parseCommandComment(c.comment)?.purpose === 'configure')
      .map((c) => ({ nodeId: c.nodeId, instanceId: c.instanceId }));
    const spec = { ...SPEC, uniqueName: 'tidb-batch6' };
    // Act: CanRollNow (the deployed Lambda, its health read through Run Command) asked batch after batch,
    // each batch taken out of pending as if it had restarted (the cluster stays healthy)
    const batches: number[][] = [];
    let pending = [1, 2, 3, 4, 5, 6];
    while (pending.length > 0) {
      const roll = { brokers, pending, done: [], previousUniqueName: 'tidb-batch6', retiredListeners: [] };
      const pick = (await asFunction('canRollNow', () =>
        canRollNow({ spec, roll, pick: { attempt: 0 } }, lambdaContext('canRollNow')),
      )) as RollPick;
      if (pick.action !== 'roll') throw new Error(`CanRollNow answered ${JSON.stringify(pick)}`);
      batches.push(pick.nodeIds);
      pending = pending.filter((id) => !pick.nodeIds.includes(id));
    }
    log(`batches with ${topic} [1,4,2]: ${batches.map((b) => `{${b.join(',')}}`).join(' ')}`);
    // Assess: 1 and 4 (one rack) never together, nor any two replicas of one partition
    const batchOf = (id: number) => batches.findIndex((b) => b.includes(id));
    expect(batchOf(1)).not.toBe(batchOf(4));
    expect(batchOf(2)).not.toBe(batchOf(4));
    expect(batchOf(1)).not.toBe(batchOf(2));
    expect(byId(batches.flat())).toEqual([1, 2, 3, 4, 5, 6]);
  }, 180_000);

  it('restarting rack a naively (1 and 4 together, test-only) gets NotEnoughReplicas for it', async () => {
    // Prepare: a producer that reports each failure (no retries), acks=all
    const sender = consumerSideKafka(
      clientSide(cluster, cluster.consumerNames, clientLog),
      'kafka-plc-naive',
    );
    const naive = sender.producer({ retry: { retries: 0 } });
    await naive.connect();
    const errors: string[] = [];
    try {
      await naive.send({ topic, acks: -1, messages: [{ key: 'before', value: 'both up' }] });
      // Act: what a rack-label batch would do — both brokers of rack a down at once
      await Promise.all([cluster.stopBroker(1), cluster.stopBroker(4)]);
      await waitFor(
        'an acks=all send to be refused with NotEnoughReplicas',
        async () => {
          try {
            await naive.send({ topic, acks: -1, messages: [{ key: 'during', value: 'rack a down' }] });
            return false;
          } catch (error) {
            const text = (error as Error).message;
            errors.push(text);
            return /NOT_ENOUGH_REPLICAS|fewer in-sync replicas/i.test(text);
          }
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    } finally {
      await Promise.all([cluster.startBroker(1), cluster.startBroker(4)]);
      await naive.disconnect();
    }
    // Assess: refused for lack of in-sync replicas — the condition the batch check keeps
    log(`naive rack batch {1,4}: ${errors.length} refused sends, last: ${errors.at(-1)}`);
    expect(errors.at(-1)).toMatch(/NOT_ENOUGH_REPLICAS|fewer in-sync replicas/i);
    // … and both come back into its ISR (a broker just started may still close connections: polled)
    const admin = sender.admin();
    try {
      await admin.connect();
      await waitFor(
        `${topic}'s ISR to hold 1, 4 and 2 again`,
        async () => {
          const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
          return metadata?.topics[0]?.partitions[0]?.isr.length === 3;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    } finally {
      await admin.disconnect();
    }
  }, 240_000);
});
