/**
 * mustStopRoll (domain/batch.ts): what a restarting batch cannot explain stops the roll at once instead of
 * after the health wait's bound (issue 15: "abort on under-min-ISR or offline partitions … or a lost quorum
 * leader"); what it does explain, or what was already so when it was picked, is waited out.
 */
import { describe, expect, it } from 'vitest';
import { mustStopRoll, unhealthyPartitions } from '../../../functions/lib/domain/batch';
import type { HealthSnapshot, PartitionState } from '../../../functions/lib/domain/roll';

function part(topic: string, partition: number, replicas: number[], isr: number[]): PartitionState {
  return { topic, partition, leader: isr[0] ?? null, replicas, isr };
}

const voter = (nodeId: number) => ({
  nodeId,
  logEndOffset: 1000,
  lag: 0,
  lastFetchTimestamp: 1,
  lastCaughtUpTimestamp: 1,
});

/**
 * Six brokers, 1–3 the voters (1 the active controller), min ISR 2; brokers 2 and 5 restarting: out of the
 * metadata and of the ISR of their partitions, which keep two in sync each.
 */
function duringBatch(overrides: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    registeredBrokers: [1, 3, 4, 6],
    activeControllerId: 1,
    voters: [voter(1), voter(2), voter(3)],
    partitions: [
      part('orders', 0, [1, 2, 3], [1, 3]),
      part('orders', 1, [4, 5, 6], [4, 6]),
      part('orders', 2, [3, 4, 1], [3, 4, 1]),
    ],
    topicMinInsyncReplicas: {},
    brokerMinInsyncReplicas: 2,
    ...overrides,
  };
}

const BATCH = [2, 5];

describe('mustStopRoll', () => {
  it('waits out what the batch explains: its replicas out of the ISR, the others at min ISR or above', () => {
    // Act
    const check = mustStopRoll(duringBatch(), BATCH);
    // Assess
    expect(check).toEqual({ ok: true });
  });

  it('stops on a partition under min.insync.replicas: another replica fell out (acks=all producers fail)', () => {
    // Prepare: broker 3 left the ISR of orders-0 while broker 2 restarts
    const snapshot = duringBatch({
      partitions: [part('orders', 0, [1, 2, 3], [1]), ...duringBatch().partitions.slice(1)],
    });
    // Act
    const check = mustStopRoll(snapshot, BATCH);
    // Assess
    expect(check).toEqual({
      ok: false,
      reason: 'under min.insync.replicas: orders-0 (ISR 1) — not what restarting b2, b5 does',
    });
  });

  it('stops on an offline partition, and names every reason at once', () => {
    // Prepare: orders-2 has no leader (its brokers are not restarting) and orders-1's ISR is empty
    const snapshot = duringBatch({
      partitions: [
        duringBatch().partitions[0] as PartitionState,
        part('orders', 1, [4, 5, 6], []),
        { ...part('orders', 2, [3, 4, 1], [3, 4, 1]), leader: null },
      ],
    });
    // Act
    const check = mustStopRoll(snapshot, BATCH);
    // Assess
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toBe(
      'under min.insync.replicas: orders-1 (ISR empty); offline (no leader): orders-1, orders-2 — not what restarting b2, b5 does',
    );
  });

  it('stops when the quorum has no leader and no voter restarts; waits while a voter restarts', () => {
    // Prepare
    const leaderless = duringBatch({ activeControllerId: null });
    // Act
    const brokersOnly = mustStopRoll(leaderless, [5]);
    const withVoter = mustStopRoll(leaderless, BATCH);
    // Assess
    expect(brokersOnly).toEqual({
      ok: false,
      reason: 'the KRaft quorum has no leader, and no voter is restarting — not what restarting b5 does',
    });
    expect(withVoter).toEqual({ ok: true });
  });

  it('leaves out partitions whose replication factor is at or below min ISR (R3 warned they go down)', () => {
    // Prepare: RF 2 with min ISR 2, and RF 1, both on restarting broker 5
    const snapshot = duringBatch({
      partitions: [
        ...duringBatch().partitions,
        part('pairs', 0, [5, 6], [6]),
        { ...part('single', 0, [5], []), leader: null },
      ],
    });
    // Act
    const check = mustStopRoll(snapshot, BATCH);
    // Assess
    expect(check).toEqual({ ok: true });
  });

  it('leaves out partitions already unhealthy when the batch was picked (restarting their broker is the remedy)', () => {
    // Prepare: at the pick, broker 5 was down and orders-1 had only broker 6 in sync; the roll restarts 5
    const atPick = duringBatch({
      registeredBrokers: [1, 2, 3, 4, 6],
      partitions: [part('orders', 1, [4, 5, 6], [6]), part('orders', 0, [1, 2, 3], [1, 2, 3])],
    });
    const unhealthy = unhealthyPartitions(atPick);
    const now = duringBatch({ partitions: [part('orders', 1, [4, 5, 6], [6])] });
    // Act
    const check = mustStopRoll(now, [5], unhealthy);
    const withoutPick = mustStopRoll(now, [5]);
    // Assess
    expect(unhealthy).toEqual(['orders-1']);
    expect(check).toEqual({ ok: true });
    expect(withoutPick.ok).toBe(false);
  });
});
