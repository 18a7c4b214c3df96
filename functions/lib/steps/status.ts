/**
 * `kafka-plc status`: the live cluster read from the account (read-only calls only) and compared with the
 * plan (domain/drift.ts). Emulator gaps (endpoint connections, SSM registration) are reported as notes, not
 * taken for a healthy answer.
 */

import * as instances from '../aws/ec2-instances';
import * as net from '../aws/ec2-network';
import * as elb from '../aws/elbv2';
import * as eps from '../aws/endpoint-service';
import { hasCode } from '../aws/errors';
import * as ssm from '../aws/ssm';
import { renderBrokerScript } from '../domain/broker-script';
import { scriptHash } from '../domain/commands';
import { diffCluster, type Finding, findingLine, kafkaFindings, type LiveCluster } from '../domain/drift';
import { APPLIED_CONFIG_TAG, ROLE_TAG } from '../domain/names';
import { type Plan, planCluster } from '../domain/plan';
import { probeMetrics } from '../domain/probe-metrics';
import { ROLES } from '../domain/tags';
import { ApiNotImplementedError } from '../errors';
import { moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';
import { readAppliedSpec } from './cluster-record';
import { secretVersionFor } from './consumer-secret';
import { readHealth } from './health';

const log = moduleLogger('status');

export interface ClusterStatus {
  cluster: string;
  region: string;
  findings: Finding[];
  /** What could not be read or compared, and why (never counted as in sync silently). */
  notes: string[];
  live: LiveCluster;
}

async function readVpc(spec: ClusterSpec): Promise<LiveCluster['vpc']> {
  if (spec.existing) return net.describeVpc(spec.region, spec.existing.vpcId);
  return (await net.findVpc(spec.region, spec.clusterName, ROLES.vpc)) ?? null;
}

/**
 * The cluster's broker instances (not terminated) with their node IDs; SSM registration where readable, unless
 * the caller needs no registration (`registration: false`: `managed` is null and SSM is not asked).
 */
export async function liveBrokers(
  spec: ClusterSpec,
  plan: Plan,
  notes: string[],
  options: { registration?: boolean } = {},
): Promise<LiveCluster['brokers']> {
  const region = plan.region;
  const found = spec.existing
    ? await instances.instancesById(
        region,
        spec.existing.brokers.map((b) => b.instanceId),
      )
    : await instances.clusterInstances(region, plan.clusterName);
  const nodeOf = (instance: instances.FoundInstance): number | undefined => {
    if (spec.existing) return spec.existing.brokers.find((b) => b.instanceId === instance.instanceId)?.nodeId;
    const match = /^broker-(\d+)$/.exec(instance.tags[ROLE_TAG] ?? '');
    return match ? Number(match[1]) : undefined;
  };
  const live = found.filter((i) => i.state !== 'terminated' && nodeOf(i) !== undefined);
  let online: Set<string> | undefined;
  if (options.registration !== false) {
    try {
      online = await ssm.onlineManagedInstances(
        region,
        live.map((i) => i.instanceId),
      );
    } catch (error) {
      if (!(error instanceof ApiNotImplementedError)) throw error;
      notes.push('SSM registration not readable here (emulator): not compared');
    }
  }
  return live.map((i) => ({
    nodeId: nodeOf(i) as number,
    instanceId: i.instanceId,
    privateIp: i.privateIp,
    state: i.state,
    instanceType: i.instanceType,
    managed: online ? online.has(i.instanceId) : null,
    appliedConfig: i.tags[APPLIED_CONFIG_TAG] ?? null,
  }));
}

async function readLoadBalancer(plan: Plan, vpcId: string | undefined) {
  const region = plan.region;
  const lb = await elb.findLoadBalancer(region, plan.loadBalancer.name);
  if (!lb || !vpcId) return { loadBalancer: null, listeners: [], targetGroups: [], arn: undefined };
  const groups = await elb.targetGroupsInVpc(region, vpcId);
  const nameOf = new Map(groups.map((g) => [g.arn, g.name]));
  const listeners = (await elb.listeners(region, lb.arn)).map((l) => ({
    port: l.port,
    targetGroup: nameOf.get(l.targetGroupArn) ?? l.targetGroupArn,
  }));
  const wanted = new Set([
    ...plan.loadBalancer.listeners.map((l) => l.targetGroupName),
    ...listeners.map((l) => l.targetGroup),
  ]);
  const targetGroups = [];
  for (const group of groups.filter((g) => wanted.has(g.name))) {
    const targets = (await elb.targetHealth(region, group.arn)).map((t) => ({
      instanceId: t.instanceId,
      port: t.port,
      health: t.state,
    }));
    targetGroups.push({ name: group.name, port: group.port, targets });
  }
  return {
    loadBalancer: { name: plan.loadBalancer.name, state: lb.state },
    listeners,
    targetGroups,
    arn: lb.arn,
  };
}

async function readService(plan: Plan, loadBalancerArn: string | undefined, notes: string[]) {
  const region = plan.region;
  const service = await eps.findService(
    region,
    plan.clusterName,
    ROLES.endpointService,
    loadBalancerArn ?? '',
  );
  if (!service) return { endpointService: null, connections: [] };
  const principals = await eps.allowedPrincipals(region, service.serviceId);
  let connections: LiveCluster['connections'] = [];
  try {
    connections = (await eps.endpointConnections(region, service.serviceId)).map((c) => ({
      endpointId: c.vpcEndpointId,
      owner: c.vpcEndpointOwner,
      state: c.vpcEndpointState,
    }));
  } catch (error) {
    if (!(error instanceof ApiNotImplementedError)) throw error;
    notes.push('endpoint connections not readable here (emulator): not compared');
  }
  return {
    endpointService: {
      serviceId: service.serviceId,
      state: service.state,
      acceptanceRequired: service.acceptanceRequired,
      principals,
    },
    connections,
  };
}

/** The scriptHash each broker should have applied (new clusters; an existing one's patch is not compared). */
async function expectedHashes(
  spec: ClusterSpec,
  plan: Plan,
  notes: string[],
): Promise<Record<number, string>> {
  if (spec.existing) {
    notes.push(
      "an existing cluster's brokers run their own files (patched): their configuration is not compared",
    );
    return {};
  }
  const secretVersion = await secretVersionFor(spec);
  return Object.fromEntries(
    plan.brokers.map((b) => [b.nodeId, scriptHash(renderBrokerScript(plan, b, secretVersion))]),
  );
}

/** Kafka's own view, read like the roll reads it (Run Command on a running broker, bounded output). */
async function kafkaStatus(plan: Plan, live: LiveCluster, notes: string[]): Promise<Finding[]> {
  const running = live.brokers.filter((b) => b.state === 'running');
  if (running.length === 0) {
    notes.push('Kafka health not read: no broker is running');
    return [];
  }
  try {
    const { snapshot, source } = await readHealth(plan, running);
    if (source === 'assume-healthy')
      notes.push('Kafka health from the stand-in (assume-healthy): not read from Kafka');
    const pending = live.connections.filter((c) => c.state === 'pendingAcceptance').length;
    return kafkaFindings(plan, probeMetrics(snapshot, pending), snapshot.registeredBrokers);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ kind: 'health', resource: 'kafka', field: 'health read', planned: 'answered', live: reason }];
  }
}

export async function clusterStatus(
  spec: ClusterSpec,
  plan: Plan,
  options: { kafka?: boolean; kafkaNotReadBecause?: string } = {},
): Promise<ClusterStatus> {
  const notes: string[] = [];
  const region = plan.region;
  let vpc: LiveCluster['vpc'] = null;
  try {
    vpc = await readVpc(spec);
  } catch (error) {
    if (!hasCode(error, 'InvalidVpcID.NotFound')) throw error;
  }
  const subnets = vpc
    ? (await net.subnets(region, vpc.vpcId)).map((s) => ({
        subnetId: s.subnetId,
        cidr: s.cidr,
        azId: s.azId,
        name: s.tags[ROLE_TAG]?.replace(/^subnet-/, '') ?? null,
      }))
    : [];
  const securityGroups = vpc ? await net.securityGroupsInVpc(region, vpc.vpcId) : [];
  const brokers = await liveBrokers(spec, plan, notes);
  const { arn, ...balancer } = await readLoadBalancer(plan, vpc?.vpcId);
  const service = await readService(plan, arn, notes);
  const parameter = await ssm.getParameter(region, plan.uniqueNameParameter);
  const applied = await readAppliedSpec(region, plan.clusterName);
  const live: LiveCluster = {
    vpc,
    subnets,
    securityGroups,
    brokers,
    ...balancer,
    ...service,
    uniqueName: { parameter: parameter?.value ?? null, applied: applied?.uniqueName ?? null },
  };
  const findings = diffCluster(plan, live, { configHashes: await expectedHashes(spec, plan, notes) });
  if (options.kafka === false)
    notes.push(`Kafka health not read ${options.kafkaNotReadBecause ?? '(--no-kafka)'}`);
  else findings.push(...(await kafkaStatus(plan, live, notes)));
  return { cluster: plan.clusterName, region, findings, notes, live };
}

export interface Verification {
  inSync: boolean;
  /** One line per difference, as `kafka-plc status` prints them. */
  differences: string[];
  notes: string[];
}

/**
 * The state machines' last step: the same report as `kafka-plc status`, in the execution's output. It never
 * fails the execution (what was built stays built; the differences are for the reader and the alarms).
 */
export async function verifyCluster(spec: ClusterSpec, options: { kafka: boolean }): Promise<Verification> {
  const status = await clusterStatus(spec, planCluster(spec), {
    ...options,
    kafkaNotReadBecause: 'here (a Run Command): kafka-plc status and the health probe read it',
  });
  const differences = status.findings.map(findingLine);
  if (differences.length > 0) log.warn('verification found differences', { differences });
  return { inSync: differences.length === 0, differences, notes: status.notes };
}
