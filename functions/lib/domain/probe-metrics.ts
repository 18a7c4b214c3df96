/**
 * What the scheduled health probe publishes per cluster (pure): figures derived from one bounded health
 * snapshot (the roll's own reading, domain/roll.ts) and the endpoint connections, as CloudWatch metric data in
 * the `KafkaPlc` namespace with the dimension `Cluster`. A partition the bounded output left out is, by the
 * health script's rule, one that is not fully replicated: it counts as under-replicated.
 */
import type { HealthSnapshot } from './roll';

export const PROBE_NAMESPACE = 'KafkaPlc';

export interface ProbeMetrics {
  RegisteredBrokers: number;
  ActiveControllerPresent: 0 | 1;
  UnderReplicatedPartitions: number;
  UnderMinIsrPartitions: number;
  OfflinePartitions: number;
  PendingConnections: number;
}

export interface MetricDatum {
  MetricName: keyof ProbeMetrics;
  Dimensions: { Name: 'Cluster'; Value: string }[];
  Value: number;
  Unit: 'Count';
}

export function probeMetrics(snapshot: HealthSnapshot, pendingConnections: number): ProbeMetrics {
  const minIsr = (topic: string) =>
    snapshot.topicMinInsyncReplicas[topic] ?? snapshot.brokerMinInsyncReplicas;
  let underReplicated = snapshot.omittedPartitions ?? 0;
  let underMinIsr = 0;
  let offline = 0;
  for (const partition of snapshot.partitions) {
    const target = partition.replicas.length - (partition.addingReplicas?.length ?? 0);
    if (partition.isr.length < target) underReplicated += 1;
    if (partition.isr.length < minIsr(partition.topic)) underMinIsr += 1;
    if (partition.leader === null) offline += 1;
  }
  return {
    RegisteredBrokers: snapshot.registeredBrokers.length,
    ActiveControllerPresent: snapshot.activeControllerId === null ? 0 : 1,
    UnderReplicatedPartitions: underReplicated,
    UnderMinIsrPartitions: underMinIsr,
    OfflinePartitions: offline,
    PendingConnections: pendingConnections,
  };
}

/** The metrics as PutMetricData's MetricData, one datum per metric present, dimension Cluster. */
export function metricData(cluster: string, metrics: Partial<ProbeMetrics>): MetricDatum[] {
  return (Object.keys(metrics) as (keyof ProbeMetrics)[]).flatMap((name) => {
    const value = metrics[name];
    return value === undefined
      ? []
      : [
          {
            MetricName: name,
            Dimensions: [{ Name: 'Cluster' as const, Value: cluster }],
            Value: value,
            Unit: 'Count' as const,
          },
        ];
  });
}
