import { describe, expect, it } from 'vitest';
import { metricData, probeMetrics } from '../../../functions/lib/domain/probe-metrics';
import type { HealthSnapshot, PartitionState } from '../../../functions/lib/domain/roll';

const partition = (p: number, leader: number | null, isr: number[], topic = 'orders'): PartitionState => ({
  topic,
  partition: p,
  leader,
  replicas: [1, 2, 3],
  isr,
});

function snapshot(overrides: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    registeredBrokers: [1, 2, 3],
    activeControllerId: 1,
    voters: [],
    partitions: [partition(0, 1, [1, 2, 3]), partition(1, 2, [1, 2, 3])],
    topicMinInsyncReplicas: {},
    brokerMinInsyncReplicas: 2,
    ...overrides,
  };
}

describe('probeMetrics (from one health snapshot)', () => {
  it('a healthy cluster: 3 brokers, a controller, nothing under-replicated, offline or pending', () => {
    expect(probeMetrics(snapshot(), 0)).toEqual({
      RegisteredBrokers: 3,
      ActiveControllerPresent: 1,
      UnderReplicatedPartitions: 0,
      UnderMinIsrPartitions: 0,
      OfflinePartitions: 0,
      PendingConnections: 0,
    });
  });

  it.each([
    [
      'one broker down: 2 registered, its partitions under-replicated but at min ISR',
      snapshot({ registeredBrokers: [1, 3], partitions: [partition(0, 1, [1, 3]), partition(1, 3, [1, 3])] }),
      { RegisteredBrokers: 2, UnderReplicatedPartitions: 2, UnderMinIsrPartitions: 0 },
    ],
    [
      'two down: under min ISR (acks=all writes refused)',
      snapshot({ registeredBrokers: [1], partitions: [partition(0, 1, [1])] }),
      { UnderReplicatedPartitions: 1, UnderMinIsrPartitions: 1, OfflinePartitions: 0 },
    ],
    [
      'no leader: offline',
      snapshot({ partitions: [partition(0, null, [])] }),
      { OfflinePartitions: 1, UnderMinIsrPartitions: 1 },
    ],
    ['no quorum leader', snapshot({ activeControllerId: null }), { ActiveControllerPresent: 0 }],
    [
      "a topic's own min.insync.replicas",
      snapshot({ topicMinInsyncReplicas: { orders: 3 }, partitions: [partition(0, 1, [1, 2])] }),
      { UnderMinIsrPartitions: 1, UnderReplicatedPartitions: 1 },
    ],
    [
      'partitions the bounded output left out count as under-replicated',
      snapshot({ omittedPartitions: 40 }),
      { UnderReplicatedPartitions: 40 },
    ],
    [
      'a replica being added is not counted missing',
      snapshot({
        partitions: [{ ...partition(0, 1, [1, 2, 3]), replicas: [1, 2, 3, 4], addingReplicas: [4] }],
      }),
      { UnderReplicatedPartitions: 0 },
    ],
  ])('%s', (_, given, expected) => {
    expect(probeMetrics(given, 0)).toMatchObject(expected);
  });

  it('counts connections pending acceptance', () => {
    expect(probeMetrics(snapshot(), 2).PendingConnections).toBe(2);
  });
});

describe('metricData', () => {
  it('leaves out a metric not known (missing data, not a zero)', () => {
    expect(metricData('seed-usw2', { RegisteredBrokers: 2 })).toEqual([
      {
        MetricName: 'RegisteredBrokers',
        Dimensions: [{ Name: 'Cluster', Value: 'seed-usw2' }],
        Value: 2,
        Unit: 'Count',
      },
    ]);
    expect(metricData('seed-usw2', {})).toEqual([]);
  });

  it('one Count datum per metric with the Cluster dimension', () => {
    const data = metricData('seed-usw2', probeMetrics(snapshot(), 1));
    expect(data).toHaveLength(6);
    expect(data[0]).toEqual({
      MetricName: 'RegisteredBrokers',
      Dimensions: [{ Name: 'Cluster', Value: 'seed-usw2' }],
      Value: 3,
      Unit: 'Count',
    });
    expect(data.find((d) => d.MetricName === 'PendingConnections')?.Value).toBe(1);
  });
});
