/**
 * The CloudWatch alarms of one cluster, as PutMetricAlarm inputs (pure): created by provisioning, removed by
 * teardown (both by the `kafka-plc/<cluster>/` name prefix: `/` is not in a cluster name, so no cluster's prefix
 * is the start of another's — `kafka-plc-a-` would be the start of cluster `a-b`'s names).
 *
 * - NLB `UnHealthyHostCount` per target group (AWS/NetworkELB, dimensions TargetGroup and LoadBalancer: the
 *   ARNs' final parts, "CloudWatch metrics for your Network Load Balancer"), Maximum > 0 for 2 of 2 minutes:
 *   a broker restarting in a roll is out for well under that on a healthy cluster, so one minute would alarm
 *   on every roll. The NLB reports a metric only while traffic flows: missing data is not breaching.
 * - The health probe's metrics (KafkaPlc, dimension Cluster, one datum per 5-minute run): registered brokers
 *   below the plan's count, no active controller, under-min-ISR or offline partitions — each for 2 of 2 runs
 *   (10 minutes: longer than one broker's restart and catch-up in a roll); under-replicated partitions for 3 of
 *   3 (a roll makes them for a while by design); connections pending acceptance for 12 of 12 (an hour: the
 *   accept window's normal wait). Missing probe data is breaching for the liveness alarms (a probe that cannot
 *   read the cluster is itself the problem) and not for the others.
 */
import type { Plan } from './plan';
import { PROBE_NAMESPACE, type ProbeMetrics } from './probe-metrics';

export const PROBE_PERIOD_SECONDS = 300;

export interface AlarmInput {
  AlarmName: string;
  AlarmDescription: string;
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Statistic: 'Maximum' | 'Minimum';
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: 'GreaterThanThreshold' | 'LessThanThreshold';
  TreatMissingData: 'breaching' | 'notBreaching';
  AlarmActions: string[];
  OKActions: string[];
}

export function alarmPrefix(cluster: string): string {
  return `kafka-plc/${cluster}/`;
}

/** An alarm as DescribeAlarms reports it (the fields kafka-plc sets). */
export type LiveAlarm = {
  [K in keyof AlarmInput]: AlarmInput[K] extends number
    ? number
    : AlarmInput[K] extends string
      ? string
      : AlarmInput[K];
};

const sorted = (values: readonly string[]) => [...values].sort();
const dimensionKey = (d: { Name: string; Value: string }) => `${d.Name}=${d.Value}`;

/** The fields of `live` that differ from `desired` (dimensions and actions compared as sets). */
export function alarmDifferences(desired: AlarmInput, live: LiveAlarm): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (Object.keys(desired) as (keyof AlarmInput)[]).filter((field) => {
    if (field === 'Dimensions')
      return !same(sorted(desired.Dimensions.map(dimensionKey)), sorted(live.Dimensions.map(dimensionKey)));
    if (field === 'AlarmActions' || field === 'OKActions')
      return !same(sorted(desired[field]), sorted(live[field]));
    return !same(desired[field], live[field]);
  });
}

export interface AlarmChanges {
  /** Alarms to create or replace (PutMetricAlarm), each with why. */
  put: { alarm: AlarmInput; reason: string }[];
  /** Names of the cluster's alarms no longer planned (a removed consumer's or broker's). */
  remove: string[];
}

/** What to write so the live alarms (those with the cluster's prefix) are the desired ones; nothing when equal. */
export function alarmChanges(desired: readonly AlarmInput[], live: readonly LiveAlarm[]): AlarmChanges {
  const byName = new Map(live.map((a) => [a.AlarmName, a]));
  const put: AlarmChanges['put'] = [];
  for (const alarm of desired) {
    const current = byName.get(alarm.AlarmName);
    if (!current) {
      put.push({ alarm, reason: 'missing' });
      continue;
    }
    const fields = alarmDifferences(alarm, current);
    if (fields.length > 0) put.push({ alarm, reason: `differs in ${fields.join(', ')}` });
  }
  const wanted = new Set(desired.map((a) => a.AlarmName));
  return { put, remove: live.map((a) => a.AlarmName).filter((name) => !wanted.has(name)) };
}

/** arn:…:loadbalancer/net/name/id → net/name/id; arn:…:targetgroup/name/id → targetgroup/name/id. */
export function metricDimensionOf(arn: string): string {
  const resource = arn.split(':').at(-1) ?? '';
  return resource.startsWith('loadbalancer/') ? resource.slice('loadbalancer/'.length) : resource;
}

interface ProbeAlarm {
  metric: keyof ProbeMetrics;
  comparison: AlarmInput['ComparisonOperator'];
  threshold: number;
  periods: number;
  missing: AlarmInput['TreatMissingData'];
  why: string;
}

function probeAlarms(plan: Plan): ProbeAlarm[] {
  return [
    {
      metric: 'RegisteredBrokers',
      comparison: 'LessThanThreshold',
      threshold: plan.brokers.length,
      periods: 2,
      missing: 'breaching',
      why: `fewer than the ${plan.brokers.length} planned brokers registered`,
    },
    {
      metric: 'ActiveControllerPresent',
      comparison: 'LessThanThreshold',
      threshold: 1,
      periods: 2,
      missing: 'breaching',
      why: 'no active KRaft controller',
    },
    {
      metric: 'UnderMinIsrPartitions',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      periods: 2,
      missing: 'notBreaching',
      why: 'partitions below min.insync.replicas: acks=all writes are refused',
    },
    {
      metric: 'OfflinePartitions',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      periods: 2,
      missing: 'notBreaching',
      why: 'partitions without a leader',
    },
    {
      metric: 'UnderReplicatedPartitions',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      periods: 3,
      missing: 'notBreaching',
      why: 'partitions under-replicated for 15 minutes (longer than a roll makes them)',
    },
    {
      metric: 'PendingConnections',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      periods: 12,
      missing: 'notBreaching',
      why: 'an endpoint connection pending acceptance for an hour (kafka-plc connections says why)',
    },
  ];
}

export function clusterAlarms(
  plan: Plan,
  refs: { loadBalancerArn: string; targetGroupArns: Readonly<Record<string, string>> },
  topicArn: string,
): AlarmInput[] {
  const prefix = alarmPrefix(plan.clusterName);
  const actions = { AlarmActions: [topicArn], OKActions: [topicArn] };
  const loadBalancer = metricDimensionOf(refs.loadBalancerArn);
  const targets: AlarmInput[] = plan.loadBalancer.listeners.map((listener) => ({
    AlarmName: `${prefix}unhealthy-${listener.targetGroupName}`,
    AlarmDescription: `kafka-plc ${plan.clusterName}: a target of ${listener.targetGroupName} (NLB port ${listener.port}) unhealthy for 2 minutes`,
    Namespace: 'AWS/NetworkELB',
    MetricName: 'UnHealthyHostCount',
    Dimensions: [
      { Name: 'TargetGroup', Value: metricDimensionOf(refs.targetGroupArns[listener.targetGroupName] ?? '') },
      { Name: 'LoadBalancer', Value: loadBalancer },
    ],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 2,
    DatapointsToAlarm: 2,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    ...actions,
  }));
  const probe: AlarmInput[] = probeAlarms(plan).map((alarm) => ({
    AlarmName: `${prefix}${alarm.metric}`,
    AlarmDescription: `kafka-plc ${plan.clusterName}: ${alarm.why}`,
    Namespace: PROBE_NAMESPACE,
    MetricName: alarm.metric,
    Dimensions: [{ Name: 'Cluster', Value: plan.clusterName }],
    Statistic: alarm.comparison === 'LessThanThreshold' ? 'Minimum' : 'Maximum',
    Period: PROBE_PERIOD_SECONDS,
    EvaluationPeriods: alarm.periods,
    DatapointsToAlarm: alarm.periods,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparison,
    TreatMissingData: alarm.missing,
    ...actions,
  }));
  return [...targets, ...probe];
}
