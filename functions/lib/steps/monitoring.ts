/**
 * A cluster's monitoring: its CloudWatch alarms and dashboard (EnsureMonitoring in provision, expose-existing
 * and the roll; removed first by teardown) and the scheduled health probe that publishes the metrics the
 * alarms watch. Every write is preceded by a read: a re-run that finds what it wants writes nothing.
 */
import * as cw from '../aws/cloudwatch';
import * as elb from '../aws/elbv2';
import * as eps from '../aws/endpoint-service';
import { alarmChanges, alarmPrefix, clusterAlarms } from '../domain/alarms';
import { dashboardBody, dashboardName, rollStateMachineArnFor } from '../domain/dashboard';
import { ownedHere } from '../domain/ownership';
import { type Plan, planCluster } from '../domain/plan';
import { metricData, PROBE_NAMESPACE, type ProbeMetrics, probeMetrics } from '../domain/probe-metrics';
import { ROLES } from '../domain/tags';
import { ApiNotImplementedError } from '../errors';
import { moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';
import { readAppliedSpec } from './cluster-record';
import { readHealth } from './health';
import { clusterParameters } from './ownership';
import { liveBrokers } from './status';

const log = moduleLogger('monitoring');

export interface MonitoringRefs {
  loadBalancerArn: string;
  targetGroupArns: Readonly<Record<string, string>>;
}

export interface MonitoringSummary {
  alarms: number;
  created: string[];
  updated: string[];
  removed: string[];
  dashboard: string;
  dashboardWritten: boolean;
  topicArn: string;
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

export async function ensureMonitoring(
  spec: ClusterSpec,
  refs: MonitoringRefs,
  topicArn: string,
  stage: string,
): Promise<MonitoringSummary> {
  const plan = planCluster(spec);
  const region = plan.region;
  const desired = clusterAlarms(plan, refs, topicArn);
  const changes = alarmChanges(desired, await cw.alarmsWithPrefix(region, alarmPrefix(plan.clusterName)));
  const replaced = new Set(changes.put.filter((p) => p.reason !== 'missing').map((p) => p.alarm.AlarmName));
  for (const { alarm, reason } of changes.put) {
    await cw.putAlarm(region, alarm, plan.clusterName);
    log.info('alarm written', { alarm: alarm.AlarmName, reason });
  }
  if (changes.remove.length > 0) {
    await cw.deleteAlarms(region, changes.remove);
    log.info('alarms no longer planned deleted', { alarms: changes.remove });
  }
  const name = dashboardName(plan.clusterName);
  const body = JSON.stringify(
    dashboardBody(plan, {
      ...refs,
      rollStateMachineArn: rollStateMachineArnFor(refs.loadBalancerArn, stage),
    }),
  );
  const current = await cw.dashboardBodyOf(region, name);
  const dashboardWritten = current === undefined || !sameJson(current, body);
  if (dashboardWritten) {
    await cw.putDashboard(region, name, body);
    log.info('dashboard written', { dashboard: name, created: current === undefined });
  }
  return {
    alarms: desired.length,
    created: changes.put.filter((p) => !replaced.has(p.alarm.AlarmName)).map((p) => p.alarm.AlarmName),
    updated: [...replaced],
    removed: changes.remove,
    dashboard: name,
    dashboardWritten,
    topicArn,
  };
}

/** Teardown's first step (no alarm about brokers being removed on purpose): the alarms and the dashboard. */
export async function removeMonitoring(
  region: string,
  cluster: string,
): Promise<{ alarmsDeleted: string[]; dashboardDeleted: boolean }> {
  const alarms = (await cw.alarmsWithPrefix(region, alarmPrefix(cluster))).map((a) => a.AlarmName);
  if (alarms.length > 0) await cw.deleteAlarms(region, alarms);
  const name = dashboardName(cluster);
  const dashboardDeleted =
    (await cw.dashboardBodyOf(region, name)) !== undefined && (await cw.deleteDashboard(region, name));
  log.info('monitoring removed', { alarms: alarms.length, dashboardDeleted });
  return { alarmsDeleted: alarms, dashboardDeleted };
}

/** Endpoint connections pending acceptance, or undefined when they cannot be read (an emulator's gap). */
async function pendingConnections(plan: Plan): Promise<number | undefined> {
  const lb = await elb.findLoadBalancer(plan.region, plan.loadBalancer.name);
  const service = await eps.findService(plan.region, plan.clusterName, ROLES.endpointService, lb?.arn ?? '');
  if (!service) return 0;
  try {
    return (await eps.endpointConnections(plan.region, service.serviceId, 'pendingAcceptance')).length;
  } catch (error) {
    if (error instanceof ApiNotImplementedError) return undefined;
    throw error;
  }
}

export interface ProbeResult {
  cluster: string;
  /** What was published; a metric left out is missing data for its alarm. */
  metrics: Partial<ProbeMetrics>;
  /** Why Kafka's metrics were not published (the liveness alarms treat that as breaching). */
  healthError?: string;
}

/**
 * One probe of one cluster: the bounded health read (as the roll reads it) through a running broker and the
 * pending endpoint connections, published as KafkaPlc metrics. A health read that fails publishes no Kafka
 * metric: missing data is what the liveness alarms alarm on.
 */
export async function probeCluster(spec: ClusterSpec): Promise<ProbeResult> {
  const plan = planCluster(spec);
  const pending = await pendingConnections(plan);
  let metrics: Partial<ProbeMetrics> = {};
  let healthError: string | undefined;
  const running = (await liveBrokers(spec, plan, [], { registration: false })).filter(
    (b) => b.state === 'running',
  );
  try {
    if (running.length === 0) throw new Error('no broker instance is running');
    const { snapshot } = await readHealth(plan, running);
    metrics = probeMetrics(snapshot, pending ?? 0);
  } catch (error) {
    healthError = error instanceof Error ? error.message : String(error);
    log.error('health read failed: no Kafka metric published', { cluster: plan.clusterName, healthError });
  }
  if (pending === undefined) delete metrics.PendingConnections;
  else metrics.PendingConnections = pending;
  const data = metricData(plan.clusterName, metrics);
  if (data.length > 0) await cw.putMetricData(plan.region, PROBE_NAMESPACE, data);
  log.info('probe published', { cluster: plan.clusterName, metrics });
  return { cluster: plan.clusterName, metrics, ...(healthError ? { healthError } : {}) };
}

const APPLIED_SPEC = /^\/kafka-plc\/([a-z][a-z0-9-]{0,31})\/spec$/;

/**
 * The scheduled probe: every cluster of this stage with an applied spec in this region (provisioned or
 * exposed), probed concurrently; one cluster's failure is reported and does not stop the others. Another
 * stage's clusters are its own probe's (domain/ownership.ts).
 */
export async function probeClusters(
  region: string,
  stage: string,
): Promise<{ clusters: number; results: ProbeResult[]; failed: { cluster: string; error: string }[] }> {
  const { names, owners } = await clusterParameters(region);
  const clusters = names.flatMap((name) => {
    const cluster = APPLIED_SPEC.exec(name)?.[1];
    if (!cluster) return [];
    const decision = ownedHere(cluster, owners.get(cluster), stage);
    if (!decision.ok) log.info('cluster left to its own stage', { cluster, reason: decision.reason });
    return decision.ok ? [cluster] : [];
  });
  const settled = await Promise.allSettled(
    clusters.map(async (cluster) => {
      const spec = await readAppliedSpec(region, cluster);
      if (!spec) throw new Error(`no applied spec for ${cluster}`);
      return probeCluster(spec);
    }),
  );
  const results: ProbeResult[] = [];
  const failed: { cluster: string; error: string }[] = [];
  settled.forEach((outcome, i) => {
    const cluster = clusters[i] ?? '';
    if (outcome.status === 'fulfilled') results.push(outcome.value);
    else {
      const error = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      log.error('probe failed', { cluster, error });
      failed.push({ cluster, error });
    }
  });
  return { clusters: clusters.length, results, failed };
}
