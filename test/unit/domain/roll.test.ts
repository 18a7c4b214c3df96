import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCluster } from '../../../functions/lib/domain/plan';
import {
  canRollNow,
  DEFAULT_ROLL_RETRY,
  type HealthSnapshot,
  isCaughtUp,
  nextRetry,
  orderForRoll,
  type PartitionState,
  pickNextToRoll,
  type QuorumReplicaState,
  type RetryPolicy,
  type RollOptions,
  rollRetryPolicy,
  shouldRoll,
  underReplicatedPartitions,
} from '../../../functions/lib/domain/roll';
import { ConfigurationError, RollAbortedError } from '../../../functions/lib/errors';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const T0 = 1_732_550_400_000;

/** A voter `behindMs` behind the leader's last caught-up time (null = -1 in the tool output). */
function voter(nodeId: number, behindMs: number | null = 0, lag = 0): QuorumReplicaState {
  const ts = behindMs === null ? null : T0 - behindMs;
  return { nodeId, logEndOffset: 1000 - lag, lag, lastFetchTimestamp: ts, lastCaughtUpTimestamp: ts };
}

function part(topic: string, partition: number, replicas: number[], isr: number[]): PartitionState {
  return { topic, partition, leader: isr[0] ?? null, replicas, isr };
}

/** Brokers 1–4 (1–3 voters, 2 the active controller, 4 broker-only), min ISR 2, every partition healthy. */
function snapshot(overrides: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    registeredBrokers: [1, 2, 3, 4],
    activeControllerId: 2,
    voters: [voter(2), voter(1, 150), voter(3, 400)],
    partitions: [
      part('orders', 0, [1, 2, 3], [1, 2, 3]),
      part('orders', 1, [2, 3, 4], [2, 3, 4]),
      part('orders', 2, [3, 4, 1], [3, 4, 1]),
    ],
    topicMinInsyncReplicas: {},
    brokerMinInsyncReplicas: 2,
    ...overrides,
  };
}

/** The healthy snapshot plus one more partition. */
const withPartition = (p: PartitionState, overrides: Partial<HealthSnapshot> = {}) =>
  snapshot({ partitions: [...snapshot().partitions, p], ...overrides });

function refusal(check: ReturnType<typeof canRollNow>): string {
  if (check.ok) throw new Error(`expected a refusal, got ok with warnings ${JSON.stringify(check.warnings)}`);
  return check.reason;
}

function warnings(check: ReturnType<typeof canRollNow>): string[] {
  if (!check.ok) throw new Error(`expected ok, got refusal: ${check.reason}`);
  return check.warnings;
}

describe('canRollNow: partitions hosted by the node (R3, Strimzi Availability)', () => {
  it('allows a broker of a healthy cluster, without warnings', () => {
    expect(canRollNow(snapshot(), 1)).toEqual({ ok: true, warnings: [] });
  });

  it.each([
    ['ISR above min ISR', part('t', 0, [1, 2, 3], [1, 2, 3]), {}, null],
    ['ISR at min ISR with the node in it', part('t', 0, [1, 2, 3], [1, 2]), {}, 'ISR at min.insync.replicas'],
    ['ISR at min ISR without the node', part('t', 0, [1, 2, 3], [2, 3]), {}, null],
    [
      'ISR under min ISR, node not in it',
      part('t', 0, [1, 2, 3], [2]),
      {},
      'already under min.insync.replicas',
    ],
    ['ISR under min ISR with the node in it', part('t', 0, [1, 2, 3], [1]), {}, 'already under'],
    ['an empty ISR', part('t', 0, [1, 2, 3], []), {}, 'already under'],
    ['a topic min ISR of 1 (spare ISR)', part('t', 0, [1, 2, 3], [1, 2]), { t: 1 }, null],
    ['a topic min ISR of 3 at min', part('t', 0, [1, 2, 3, 4], [1, 2, 3]), { t: 3 }, 'ISR at min'],
    ['a partition the node does not host', part('t', 0, [2, 3, 4], [2]), {}, null],
  ])('%s', (_name, partition, topicMinInsyncReplicas, refused) => {
    // Prepare
    const s = withPartition(partition, { topicMinInsyncReplicas });
    // Act
    const check = canRollNow(s, 1);
    // Assess
    if (refused === null) expect(warnings(check)).toEqual([]);
    else expect(refusal(check)).toContain(`${refused}`);
    if (refused !== null) expect(refusal(check)).toContain('t-0');
  });

  it.each([
    ['RF < min ISR', part('low', 0, [1, 2], [1, 2]), { low: 3 }],
    [
      'RF == min ISR (Strimzi skips it too: it could only ever block)',
      part('low', 0, [1, 2], [1, 2]),
      { low: 2 },
    ],
    ['RF 1, the only replica on the node', part('low', 0, [1], [1]), { low: 1 }],
    ['RF == min ISR and already under it', part('low', 0, [1, 2], [2]), { low: 2 }],
  ])('%s: a warning, never a refusal', (_name, partition, topicMinInsyncReplicas) => {
    const check = canRollNow(withPartition(partition, { topicMinInsyncReplicas }), 1);
    expect(warnings(check)).toEqual([expect.stringContaining('replication factor ≤ min.insync.replicas')]);
    expect(warnings(check)[0]).toContain('low (RF');
  });

  it('counts the replication factor without replicas being added by a reassignment (TopicCommand)', () => {
    // Prepare: replicas 1,2,4 with 4 being added → RF 2 == min ISR 2: warned, not refused.
    const reassigning = { ...part('r', 0, [1, 2, 4], [1, 2]), addingReplicas: [4] };
    // Act
    const check = canRollNow(withPartition(reassigning), 1);
    // Assess: counted as RF 3 it would have been refused (ISR 2 == min 2 with node 1 in it).
    expect(warnings(check)).toEqual([expect.stringContaining('r (RF 2, min ISR 2)')]);
    expect(refusal(canRollNow(withPartition(part('r', 0, [1, 2, 4], [1, 2])), 1))).toContain('r-0');
  });

  it('does not count replicas a reassignment is removing towards min.insync.replicas', () => {
    // Prepare: ISR 1,2,3 (full), replica 3 being removed, min ISR 2: without node 1 only node 2 stays.
    const moving = { ...part('m', 0, [1, 2, 3], [1, 2, 3]), removingReplicas: [3] };
    // Act
    const check = canRollNow(withPartition(moving), 1);
    // Assess: refused, naming the partition; the same ISR without a reassignment may restart
    expect(refusal(check)).toContain('replicas a reassignment is removing');
    expect(refusal(check)).toContain('m-0');
    expect(canRollNow(withPartition(part('m', 0, [1, 2, 3], [1, 2, 3])), 1).ok).toBe(true);
    // and the removed replica itself may restart: 1 and 2 stay
    expect(canRollNow(withPartition(moving), 3).ok).toBe(true);
  });

  it('reports the first five partitions and how many more', () => {
    const atMin = Array.from({ length: 8 }, (_, i) => part('big', i, [1, 2, 3], [1, 2]));
    const reason = refusal(canRollNow(snapshot({ partitions: atMin }), 1));
    expect(reason).toContain('big-0, big-1, big-2, big-3, big-4 (+3 more)');
    expect(reason).not.toContain('big-5');
  });
});

describe('canRollNow: registration (R1, R2)', () => {
  it('refuses while another broker is not registered', () => {
    const reason = refusal(canRollNow(snapshot({ registeredBrokers: [1, 2, 4] }), 1));
    expect(reason).toContain('broker(s) 3 not registered');
  });

  it('refuses when a planned broker hosting nothing is not registered', () => {
    const check = canRollNow(snapshot(), 1, { brokerIds: [1, 2, 3, 4, 5] });
    expect(refusal(check)).toContain('broker(s) 5 not registered');
  });

  it('allows rolling the unregistered node itself, with a warning', () => {
    // Prepare: broker 4 down; the ISRs it was in have shrunk (KRaft fences it).
    const s = snapshot({
      registeredBrokers: [1, 2, 3],
      partitions: [part('orders', 0, [1, 2, 3], [1, 2, 3]), part('orders', 1, [2, 3, 4], [2, 3])],
    });
    // Act / Assess
    expect(warnings(canRollNow(s, 4))).toEqual(['node 4 is not registered: restarting it is the remedy']);
  });

  it.each<[string, boolean, PartitionState]>([
    ['under min ISR, node not in the ISR', true, part('t', 0, [2, 3, 4], [2])],
    [
      'at min ISR, node still in the ISR, no leader',
      true,
      { ...part('t', 0, [2, 3, 4], [2, 4]), leader: null },
    ],
    [
      'under min ISR, node the last ISR member, no leader',
      true,
      { ...part('t', 0, [2, 3, 4], [4]), leader: null },
    ],
    ['at min ISR, node still in the ISR, a leader elected', false, part('t', 0, [2, 3, 4], [2, 4])],
  ])('unregistered node 4, a partition %s (allowed: %s)', (_name, allowed, partition) => {
    // Prepare
    const s = snapshot({ registeredBrokers: [1, 2, 3], partitions: [partition] });
    // Act
    const check = canRollNow(s, 4);
    // Assess
    if (allowed) expect(warnings(check)).toContainEqual(expect.stringContaining('is the remedy: t-0'));
    else expect(refusal(check)).toContain('ISR at min.insync.replicas with node 4 in it: t-0');
  });

  it('a registered node under min ISR is refused even when not in the ISR (do not prolong it)', () => {
    expect(refusal(canRollNow(withPartition(part('t', 0, [2, 3, 4], [2])), 4))).toContain('already under');
  });

  it('refuses a node that is not a broker of the cluster', () => {
    expect(refusal(canRollNow(snapshot(), 9, { brokerIds: [1, 2, 3, 4] }))).toContain(
      'node 9 is not a broker of this cluster [1,2,3,4]',
    );
  });

  it('refuses every node, voter or not, without an active controller', () => {
    const s = snapshot({ activeControllerId: null });
    expect(refusal(canRollNow(s, 4))).toContain('no active controller');
    expect(refusal(canRollNow(s, 1))).toContain('no active controller');
  });

  it('reports every refusal at once', () => {
    const s = withPartition(part('t', 0, [1, 2, 3], [1, 2]), { registeredBrokers: [1, 2, 3] });
    const reason = refusal(canRollNow(s, 1));
    expect(reason).toMatch(/^cannot restart node 1 now: broker\(s\) 4 not registered.*; ISR at min.*t-0/);
  });
});

describe('canRollNow: KRaft quorum (R4, Strimzi KafkaQuorumCheck)', () => {
  const quorum = (voters: QuorumReplicaState[], leader: number | null = voters[0]?.nodeId ?? null) =>
    snapshot({ voters, activeControllerId: leader, partitions: [] });

  it.each<[string, boolean, QuorumReplicaState[], number, RollOptions]>([
    ['3 voters all caught up, rolling a follower', true, [voter(2), voter(1, 150), voter(3, 400)], 1, {}],
    [
      '3 voters, rolling the leader, both others caught up',
      true,
      [voter(2), voter(1), voter(3, 1999)],
      2,
      {},
    ],
    ['3 voters, another follower 1999 ms behind', true, [voter(2), voter(1), voter(3, 1999)], 1, {}],
    ['3 voters, another follower 2000 ms behind', false, [voter(2), voter(1), voter(3, 2000)], 1, {}],
    ['3 voters, the node itself behind', true, [voter(2), voter(1, 60_000), voter(3)], 1, {}],
    ['3 voters, another follower never caught up (-1)', false, [voter(2), voter(1), voter(3, null)], 1, {}],
    [
      '3 voters, a longer fetch timeout',
      true,
      [voter(2), voter(1), voter(3, 4000)],
      1,
      { quorumFetchTimeoutMs: 5000 },
    ],
    ['3 voters, lag bound exceeded', false, [voter(2), voter(1), voter(3, 0, 10)], 1, { quorumMaxLag: 5 }],
    ['3 voters, lag within the bound', true, [voter(2), voter(1), voter(3, 0, 5)], 1, { quorumMaxLag: 5 }],
    ['3 voters, leader never caught up (-1)', false, [voter(2, null), voter(1), voter(3)], 1, {}],
    [
      '5 voters, 2 others behind',
      false,
      [voter(1), voter(2), voter(3), voter(4, 9000), voter(5, 9000)],
      2,
      {},
    ],
    ['5 voters, 1 other behind', true, [voter(1), voter(2), voter(3), voter(4), voter(5, 9000)], 2, {}],
    ['2 voters, the other caught up', true, [voter(2), voter(1)], 1, {}],
    ['2 voters, the other behind', false, [voter(2), voter(1, 5000)], 2, {}],
  ])('%s (allowed: %s)', (_name, allowed, voters, nodeId, options) => {
    // Prepare
    const s = quorum(voters);
    // Act
    const check = canRollNow(s, nodeId, options);
    // Assess
    expect(check.ok).toBe(allowed);
    if (!allowed) expect(refusal(check)).toContain(`KRaft quorum:`);
  });

  it('names the voters and the count it needed', () => {
    const reason = refusal(canRollNow(quorum([voter(2), voter(1), voter(3, 9000)]), 1));
    expect(reason).toContain(
      '1 of the other voters [2,3] caught up with leader 2, restarting voter 1 needs 2 of 3',
    );
  });

  it('allows the single voter with a warning (the quorum is down while it restarts)', () => {
    const check = canRollNow(quorum([voter(1, null)], 1), 1);
    expect(warnings(check)).toEqual([expect.stringContaining('only KRaft voter')]);
  });

  it('warns when two voters are rolled', () => {
    expect(warnings(canRollNow(quorum([voter(2), voter(1)]), 1))).toEqual([
      'two KRaft voters: the quorum cannot lose either',
    ]);
  });

  it('ignores the quorum for a broker-only node', () => {
    const s = quorum([voter(2), voter(1, 9000), voter(3, 9000)], 2);
    expect(canRollNow(s, 4)).toEqual({ ok: true, warnings: [] });
    expect(canRollNow(s, 1).ok).toBe(false);
  });

  it('refuses when the active controller is not among the voters', () => {
    expect(refusal(canRollNow(quorum([voter(1), voter(2), voter(3)], 7), 1))).toContain(
      'active controller 7 is not among the KRaft voters',
    );
  });
});

describe('isCaughtUp (WaitForBrokerHealthy)', () => {
  it.each<[string, HealthSnapshot, number, string | null]>([
    ['a healthy cluster', snapshot(), 1, null],
    ['the node not registered yet', snapshot({ registeredBrokers: [2, 3, 4] }), 1, 'not registered'],
    [
      'one of its replicas out of ISR',
      withPartition(part('t', 0, [1, 2, 3], [2, 3])),
      1,
      'not in the ISR of t-0',
    ],
    [
      'another partition under-replicated',
      withPartition(part('t', 5, [2, 3, 4], [2, 3])),
      1,
      'under-replicated: t-5',
    ],
    [
      'a leaderless partition',
      withPartition({ ...part('t', 0, [3], [3]), leader: null }),
      1,
      'without a leader: t-0',
    ],
    [
      'its quorum state behind',
      snapshot({ voters: [voter(2), voter(1, 2500), voter(3)] }),
      1,
      'KRaft voter not',
    ],
    [
      'its quorum state unknown',
      snapshot({ voters: [voter(2), voter(1, null), voter(3)] }),
      1,
      'KRaft voter not',
    ],
    ['no active controller', snapshot({ activeControllerId: null }), 4, 'no active controller'],
    ['a broker-only node while a voter lags', snapshot({ voters: [voter(2), voter(3, 9000)] }), 4, null],
  ])('%s', (_name, s, nodeId, expected) => {
    // Act
    const result = isCaughtUp(s, nodeId);
    // Assess
    if (expected === null) expect(result).toEqual({ ok: true });
    else expect(result).toEqual({ ok: false, reason: expect.stringContaining(expected) });
  });

  it('a reassignment adding a replica is not under-replicated', () => {
    const s = withPartition({ ...part('t', 0, [1, 2, 3, 4], [1, 2, 3]), addingReplicas: [4] });
    expect(underReplicatedPartitions(s)).toEqual([]);
    expect(isCaughtUp(s, 1)).toEqual({ ok: true });
    expect(underReplicatedPartitions(withPartition(part('t', 0, [1, 2, 3, 4], [1, 2, 3])))).toHaveLength(1);
  });
});

describe('orderForRoll', () => {
  it.each<[string, number[], Partial<HealthSnapshot>, number[]]>([
    ['by node id, the active controller last', [3, 2, 4, 1], {}, [1, 3, 4, 2]],
    ['unregistered nodes first', [1, 2, 3, 4], { registeredBrokers: [1, 2] }, [3, 4, 1, 2]],
    ['duplicates dropped', [2, 1, 2, 1], {}, [1, 2]],
    ['an unregistered active controller goes first', [1, 2, 3], { registeredBrokers: [1, 3] }, [2, 1, 3]],
    ['no active controller: by node id', [3, 2, 1], { activeControllerId: null }, [1, 2, 3]],
    ['the active controller not pending', [4, 3, 1], {}, [1, 3, 4]],
  ])('%s', (_name, brokers, overrides, expected) => {
    expect(orderForRoll(brokers, snapshot(overrides))).toEqual(expected);
  });
});

describe('pickNextToRoll', () => {
  it('takes the first node in roll order', () => {
    expect(pickNextToRoll([2, 3, 1], snapshot())).toEqual({ nodeId: 1, warnings: [] });
  });

  it('takes the active controller once it is the only pending node', () => {
    expect(pickNextToRoll([2], snapshot())).toEqual({ nodeId: 2, warnings: [] });
  });

  it('skips a refused node for the next one (Strimzi requeues it)', () => {
    const s = withPartition(part('t', 0, [1, 2, 3], [1, 2]));
    expect(pickNextToRoll([1, 3, 2], s)).toEqual({ nodeId: 3, warnings: [] });
  });

  it('never takes the active controller while others are pending, even when they are refused', () => {
    // Prepare: node 1 refused; node 2 is the controller.
    const s = withPartition(part('t', 0, [1, 3, 4], [1, 3]));
    // Act
    const next = pickNextToRoll([1, 2], s);
    // Assess
    expect(next).toEqual({
      nodeId: null,
      refusals: [
        { nodeId: 1, reason: expect.stringContaining('ISR at min.insync.replicas with node 1 in it: t-0') },
        { nodeId: 2, reason: 'node 2 is the active controller: rolled after the others' },
      ],
    });
  });

  it('takes an unregistered node first', () => {
    const s = snapshot({ registeredBrokers: [1, 2, 4] });
    expect(pickNextToRoll([1, 2, 3], s)).toEqual({
      nodeId: 3,
      warnings: [expect.stringContaining('node 3')],
    });
  });
});

describe('shouldRoll', () => {
  const plan = (uniqueName?: string) =>
    planCluster(parseClusterSpec(seedSpec(uniqueName ? { uniqueName } : {})));

  it('rolls when TiDB Cloud hands back the unique name: only advertised.listeners changed', () => {
    // Prepare
    const before = plan().brokers[0]!;
    const after = plan('tidb-abc').brokers[0]!;
    // Act
    const result = shouldRoll(before, before.serverProperties, after.serverProperties);
    // Assess
    expect(result).toEqual({
      roll: true,
      changedKeys: ['advertised.listeners'],
      reason: expect.stringContaining('node 1: 1 key(s) changed: advertised.listeners'),
    });
    expect(result.reason).toContain('unique_name.aws.plc.tidbcloud.com:9093 → ');
    expect(result.reason).toContain('tidb-abc.aws.plc.tidbcloud.com:9093');
  });

  it('does not roll an unchanged configuration, whatever its comments and order', () => {
    const broker = plan().brokers[1]!;
    const reordered = `# edited by hand\n${broker.serverProperties.split('\n').reverse().join('\n')}`;
    expect(shouldRoll(broker, reordered, broker.serverProperties)).toEqual({
      roll: false,
      reason: 'node 2: configuration unchanged',
    });
  });

  it.each([
    ['a key added', 'node.id=1\na=1', 'node.id=1\na=1\nb=2', ['b']],
    ['a key removed', 'node.id=1\na=1\nb=2', 'node.id=1\na=1', ['b']],
    ['several keys changed', 'node.id=1\na=1\nb=2', 'node.id=1\na=2\nb=3', ['a', 'b']],
  ])('rolls on %s', (_name, current, desired, keys) => {
    expect(shouldRoll({ nodeId: 1 }, current, desired)).toMatchObject({ roll: true, changedKeys: keys });
  });

  it('names changed keys but never prints their values (secrets)', () => {
    const result = shouldRoll(
      { nodeId: 1 },
      'node.id=1\nsasl.jaas.config=password="old-secret"',
      'node.id=1\nsasl.jaas.config=password="new-secret"',
    );
    expect(result.reason).toContain('sasl.jaas.config');
    expect(result.reason).not.toMatch(/secret/);
  });

  it('refuses to compare the configurations of two different nodes', () => {
    const p = plan();
    expect(() =>
      shouldRoll(p.brokers[0]!, p.brokers[1]!.serverProperties, p.brokers[0]!.serverProperties),
    ).toThrow(RollAbortedError);
  });

  it('rejects an empty planned configuration', () => {
    expect(() => shouldRoll({ nodeId: 1 }, 'node.id=1', '# nothing')).toThrow(RangeError);
  });
});

describe('nextRetry (bounded refusal backoff)', () => {
  it.each([
    [1, 15],
    [2, 30],
    [3, 60],
    [4, 120],
    [5, 240],
    [6, 300],
    [9, 300],
  ])('after refusal %i waits %i s', (attempt, waitSeconds) => {
    expect(nextRetry(attempt)).toEqual({ retry: true, waitSeconds });
  });

  it('gives up at the last attempt, saying how long it waited', () => {
    expect(nextRetry(10)).toEqual({ retry: false, reason: 'gave up after 10 attempts and 1665s of waiting' });
    expect(nextRetry(11).retry).toBe(false);
  });

  it('rounds fractional waits up to whole seconds (a Wait state takes integers)', () => {
    const policy: RetryPolicy = { initialSeconds: 10, multiplier: 1.5, maxSeconds: 60, maxAttempts: 5 };
    expect([1, 2, 3, 4].map((a) => nextRetry(a, policy))).toEqual(
      [10, 15, 23, 34].map((waitSeconds) => ({ retry: true, waitSeconds })),
    );
  });

  it.each<[string, number, Partial<RetryPolicy>]>([
    ['attempt 0', 0, {}],
    ['a fractional attempt', 1.5, {}],
    ['a NaN attempt', Number.NaN, {}],
    ['maxAttempts 0', 1, { maxAttempts: 0 }],
    ['a shrinking multiplier', 1, { multiplier: 0.5 }],
    ['maxSeconds below initialSeconds', 1, { maxSeconds: 5 }],
    ['initialSeconds 0', 1, { initialSeconds: 0 }],
  ])('rejects %s', (_name, attempt, override) => {
    expect(() => nextRetry(attempt, { ...DEFAULT_ROLL_RETRY, ...override })).toThrow(RangeError);
  });

  it('property: whole, non-decreasing, capped waits; retry exactly before the last attempt', () => {
    const policy = fc.record({
      initialSeconds: fc.integer({ min: 1, max: 60 }),
      multiplier: fc.double({ min: 1, max: 4, noNaN: true }),
      extra: fc.integer({ min: 0, max: 600 }),
      maxAttempts: fc.integer({ min: 1, max: 30 }),
    });
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 40 }), ({ extra, ...p }, attempt) => {
        const full: RetryPolicy = { ...p, maxSeconds: p.initialSeconds + extra };
        const now = nextRetry(attempt, full);
        expect(now.retry).toBe(attempt < full.maxAttempts);
        if (!now.retry) return;
        expect(Number.isInteger(now.waitSeconds)).toBe(true);
        expect(now.waitSeconds).toBeGreaterThanOrEqual(full.initialSeconds);
        expect(now.waitSeconds).toBeLessThanOrEqual(full.maxSeconds);
        const next = nextRetry(attempt + 1, full);
        if (next.retry) expect(next.waitSeconds).toBeGreaterThanOrEqual(now.waitSeconds);
      }),
    );
  });
});

describe('rollRetryPolicy: the refusal backoff a deployment sets (ROLL_RETRY_*)', () => {
  it('is the default without the variables, and takes each one that is set', () => {
    // Act / Assess
    expect(rollRetryPolicy({})).toEqual(DEFAULT_ROLL_RETRY);
    expect(
      rollRetryPolicy({
        ROLL_RETRY_INITIAL_SECONDS: '1',
        ROLL_RETRY_MAX_SECONDS: '4',
        ROLL_RETRY_MAX_ATTEMPTS: '5',
      }),
    ).toEqual({ initialSeconds: 1, multiplier: 2, maxSeconds: 4, maxAttempts: 5 });
    expect(rollRetryPolicy({ ROLL_RETRY_MAX_ATTEMPTS: '20' }).maxAttempts).toBe(20);
  });

  it.each([
    [
      { ROLL_RETRY_INITIAL_SECONDS: 'soon' },
      'ROLL_RETRY_INITIAL_SECONDS must be a whole number of seconds (got "soon")',
    ],
    [{ ROLL_RETRY_MAX_SECONDS: '-3' }, 'ROLL_RETRY_MAX_SECONDS must be a whole number of seconds (got "-3")'],
    [{ ROLL_RETRY_MAX_ATTEMPTS: '0' }, 'maxAttempts must be ≥ 1'],
    [{ ROLL_RETRY_INITIAL_SECONDS: '60', ROLL_RETRY_MAX_SECONDS: '30' }, 'maxSeconds ≥ initialSeconds'],
  ])('refuses %j with a ConfigurationError naming it', (env, message) => {
    // Act / Assess
    expect(() => rollRetryPolicy(env)).toThrow(ConfigurationError);
    expect(() => rollRetryPolicy(env)).toThrow(message);
  });
});
