/**
 * The batch selector (domain/batch.ts) against random health snapshots: every batch it returns is re-checked
 * by a brute-force oracle written apart from it; batches are maximal; maxBatchSize 1 is the one-at-a-time pick;
 * a rack-aware assignment gives a whole rack; nothing safe gives no batch. Plus the worked examples.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchConflict, pickNextBatch } from '../../../functions/lib/domain/batch';
import {
  canRollNow,
  type HealthSnapshot,
  type PartitionState,
  pickNextToRoll,
} from '../../../functions/lib/domain/roll';

const NOW = 1_800_000_000_000;
const RACKS = ['usw2-az1', 'usw2-az2', 'usw2-az3'];

/** Brokers 1..n over three racks round-robin (as the plan places them); voters are the first `voters`. */
function voterStates(ids: number[], caughtUp: boolean[]) {
  return ids.map((nodeId, i) => ({
    nodeId,
    logEndOffset: 100,
    lag: 0,
    lastFetchTimestamp: NOW,
    lastCaughtUpTimestamp: caughtUp[i] === false ? NOW - 60_000 : NOW,
  }));
}

const snapshotArbitrary = fc
  .record({
    n: fc.integer({ min: 2, max: 9 }),
    voterCount: fc.constantFrom(1, 3),
    controllerIndex: fc.integer({ min: -1, max: 2 }),
    caughtUp: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    unregistered: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 1 }),
    brokerMinIsr: fc.integer({ min: 1, max: 3 }),
    topics: fc.array(
      fc.record({
        rf: fc.integer({ min: 1, max: 5 }),
        partitions: fc.integer({ min: 1, max: 4 }),
        minIsr: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        seed: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 40, maxLength: 40 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    pendingMask: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
    maxBatchSize: fc.integer({ min: 1, max: 8 }),
  })
  .map((r) => {
    const ids = Array.from({ length: r.n }, (_, i) => i + 1);
    const voters = ids.slice(0, Math.min(r.voterCount, r.n));
    const controller = r.controllerIndex < 0 ? null : (voters[r.controllerIndex % voters.length] ?? null);
    const partitions: PartitionState[] = [];
    const topicMinInsyncReplicas: Record<string, number> = {};
    r.topics.forEach((t, ti) => {
      const topic = `t${ti}`;
      if (t.minIsr !== undefined) topicMinInsyncReplicas[topic] = t.minIsr;
      for (let p = 0; p < t.partitions; p++) {
        const pick = (k: number) => t.seed[(p * 7 + k) % t.seed.length] ?? 0;
        const shuffled = [...ids].sort((a, b) => ((pick(a) * 31 + a) % 97) - ((pick(b) * 31 + b) % 97));
        const replicas = shuffled.slice(0, Math.min(t.rf, r.n));
        const isr = replicas.filter((_, k) => pick(k + 11) % 5 !== 0);
        const leader = isr.length > 0 && pick(23) % 9 !== 0 ? (isr[0] ?? null) : null;
        const partition: PartitionState = { topic, partition: p, leader, replicas, isr };
        // Now and then a reassignment moving the last replica out (it is in the ISR until it is gone).
        if (replicas.length >= 3 && pick(29) % 4 === 0) partition.removingReplicas = replicas.slice(-1);
        partitions.push(partition);
      }
    });
    const snapshot: HealthSnapshot = {
      registeredBrokers: ids.filter((id) => !r.unregistered.includes(id)),
      activeControllerId: controller,
      voters: voterStates(voters, r.caughtUp),
      partitions,
      topicMinInsyncReplicas,
      brokerMinInsyncReplicas: r.brokerMinIsr,
    };
    const pending = ids.filter((id) => r.pendingMask[id - 1]);
    const rackOf = Object.fromEntries(ids.map((id) => [id, RACKS[(id - 1) % 3] ?? '']));
    return { snapshot, pending, options: { maxBatchSize: r.maxBatchSize, rackOf, brokerIds: ids } };
  });

/** The oracle: B1–B4 of domain/batch.ts, checked from the definitions (not from batchConflict). */
function violations(
  snapshot: HealthSnapshot,
  pending: readonly number[],
  batch: readonly number[],
  max: number,
  brokerIds: readonly number[],
): string[] {
  const found: string[] = [];
  if (new Set(batch).size !== batch.length) found.push('duplicate');
  if (batch.length > max) found.push('over maxBatchSize');
  for (const id of batch) {
    if (!pending.includes(id)) found.push(`${id} not pending`);
    if (!canRollNow(snapshot, id, { brokerIds }).ok) found.push(`${id} may not restart alone`);
  }
  if (batch.length < 2) return found;
  if (snapshot.activeControllerId !== null && batch.includes(snapshot.activeControllerId))
    found.push('controller in a batch');
  const voters = batch.filter((id) => snapshot.voters.some((v) => v.nodeId === id));
  if (voters.length > 1) found.push(`voters ${voters}`);
  for (const p of snapshot.partitions) {
    const inBatch = p.replicas.filter((id) => batch.includes(id));
    if (inBatch.length > 1) found.push(`${p.topic}-${p.partition} has ${inBatch}`);
    const minIsr = snapshot.topicMinInsyncReplicas[p.topic] ?? snapshot.brokerMinInsyncReplicas;
    const rf = p.replicas.length - (p.addingReplicas ?? []).length;
    const removing = p.removingReplicas ?? [];
    const staying = p.isr.filter((id) => !batch.includes(id) && !removing.includes(id));
    if (inBatch.length > 0 && rf > minIsr && staying.length < minIsr)
      found.push(`${p.topic}-${p.partition} under min ISR`);
  }
  return found;
}

describe('pickNextBatch, on random snapshots', () => {
  it('returns only admissible batches, maximal ones, and nothing exactly when nothing may restart', () => {
    fc.assert(
      fc.property(snapshotArbitrary, ({ snapshot, pending, options }) => {
        // Act
        const next = pickNextBatch(pending, snapshot, options);
        const single = pickNextToRoll(pending, snapshot, options);
        // Assess: admissible (brute force), non-empty iff one broker may restart
        expect(violations(snapshot, pending, next.batch, options.maxBatchSize, options.brokerIds)).toEqual(
          [],
        );
        expect(next.batch.length > 0).toBe(single.nodeId !== null);
        if (single.nodeId !== null) expect(next.batch[0]).toBe(single.nodeId);
        // maximal: no pending broker could join (while there is room) without breaking the oracle
        if (next.batch.length > 0 && next.batch.length < options.maxBatchSize)
          for (const c of pending.filter((id) => !next.batch.includes(id)))
            expect(
              violations(snapshot, pending, [...next.batch, c], options.maxBatchSize, options.brokerIds)
                .length,
              `node ${c} could join [${next.batch}]`,
            ).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('with maxBatchSize 1 is exactly the one-at-a-time pick', () => {
    fc.assert(
      fc.property(snapshotArbitrary, ({ snapshot, pending, options }) => {
        const next = pickNextBatch(pending, snapshot, { ...options, maxBatchSize: 1 });
        const single = pickNextToRoll(pending, snapshot, options);
        expect(next.batch).toEqual(single.nodeId === null ? [] : [single.nodeId]);
      }),
      { numRuns: 300 },
    );
  });

  it('a rack-aware assignment (one replica per rack) gives a whole rack, one voter in it, the controller last', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        (perRack, topicCount, minIsr) => {
          // Prepare: brokers 1..3k round-robin over three racks; voters 1-3 (one per rack), controller 3
          const n = 3 * perRack;
          const ids = Array.from({ length: n }, (_, i) => i + 1);
          const rackOf = Object.fromEntries(ids.map((id) => [id, RACKS[(id - 1) % 3] ?? '']));
          const partitions: PartitionState[] = [];
          for (let t = 0; t < topicCount; t++)
            for (let k = 0; k < perRack; k++) {
              const replicas = [1 + 3 * k, 2 + 3 * ((k + t) % perRack), 3 + 3 * ((k + 2 * t) % perRack)];
              partitions.push({
                topic: `t${t}`,
                partition: k,
                leader: replicas[0] ?? null,
                replicas,
                isr: replicas,
              });
            }
          const snapshot: HealthSnapshot = {
            registeredBrokers: ids,
            activeControllerId: 3,
            voters: voterStates([1, 2, 3], [true, true, true]),
            partitions,
            topicMinInsyncReplicas: {},
            brokerMinInsyncReplicas: minIsr,
          };
          // Act: roll every broker, batch after batch, as the state machine would
          const batches: number[][] = [];
          let pending = ids;
          while (pending.length > 0) {
            const { batch } = pickNextBatch(pending, snapshot, { maxBatchSize: n, rackOf, brokerIds: ids });
            expect(batch.length).toBeGreaterThan(0);
            batches.push(batch);
            pending = pending.filter((id) => !batch.includes(id));
          }
          // Assess: rack a, rack b, rack c without the controller, then the controller
          const rack = (r: number) => ids.filter((id) => (id - 1) % 3 === r);
          expect(batches.map((b) => [...b].sort((x, y) => x - y))).toEqual(
            [rack(0), rack(1), rack(2).filter((id) => id !== 3), [3]].filter((b) => b.length > 0),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('pickNextBatch, worked examples', () => {
  // 6 brokers over 3 racks: 1-3 voters (one per rack), 4-6 broker-only; rack a = {1,4}, b = {2,5}, c = {3,6}
  const ids = [1, 2, 3, 4, 5, 6];
  const rackOf = { 1: 'a', 2: 'b', 3: 'c', 4: 'a', 5: 'b', 6: 'c' };
  const snapshotWith = (partitions: PartitionState[]): HealthSnapshot => ({
    registeredBrokers: ids,
    activeControllerId: 3,
    voters: voterStates([1, 2, 3], [true, true, true]),
    partitions,
    topicMinInsyncReplicas: {},
    brokerMinInsyncReplicas: 2,
  });
  const p = (partition: number, replicas: number[], isr = replicas): PartitionState => ({
    topic: 'orders',
    partition,
    leader: replicas[0] ?? null,
    replicas,
    isr,
  });

  it('a topic with two replicas in one rack splits that rack instead of breaking it: [1,4,2] keeps 1 and 4 apart', () => {
    // Prepare
    const snapshot = snapshotWith([p(0, [1, 4, 2]), p(1, [2, 5, 3]), p(2, [3, 6, 1])]);
    // Act
    const next = pickNextBatch(ids, snapshot, { maxBatchSize: 6, rackOf, brokerIds: ids });
    // Assess: node 1 first (rack a); 4 shares orders-0 with it, so the batch fills from another rack instead
    expect(next.batch[0]).toBe(1);
    expect(next.batch).not.toContain(4);
    expect(batchConflict(snapshot, [1], 4)).toBe('node 4 shares orders-0 with node 1');
  });

  it('never two voters, never the controller with another, never a partition under its min ISR', () => {
    const snapshot = snapshotWith([p(0, [4, 5, 6], [4, 5])]);
    expect(batchConflict(snapshot, [1], 2)).toBe(
      'node 2 and node 1 are both KRaft voters: one voter per batch',
    );
    expect(batchConflict(snapshot, [1], 3)).toBe('node 3 is the active controller: it restarts alone');
    // orders-0 has ISR [4,5] at min ISR 2: neither 4 nor 5 may restart (R3), 6 (out of the ISR) may, alone or not
    const next = pickNextBatch([4, 5, 6], snapshot, { maxBatchSize: 3, rackOf, brokerIds: ids });
    expect(next.batch).toEqual([6]);
  });

  it('nothing safe: no batch, every refusal said', () => {
    const snapshot = { ...snapshotWith([p(0, [1, 2, 3], [1])]), activeControllerId: null };
    const next = pickNextBatch(ids, snapshot, { maxBatchSize: 6, rackOf, brokerIds: ids });
    expect(next.batch).toEqual([]);
    expect('refusals' in next && next.refusals.map((r) => r.nodeId)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
