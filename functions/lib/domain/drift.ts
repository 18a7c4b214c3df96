/**
 * Planned vs live, for `kafka-plc status` (pure): the live cluster as read from the account, compared with the
 * plan; every difference one finding naming the resource, the field, what was planned and what is live.
 * `drift`: the account differs from the plan (something changed behind kafka-plc's back, or a run did not
 * finish); `health`: as planned, but not well (a broker stopped, a target unhealthy, a connection pending).
 */
import { externalIngress } from './existing';
import type { Plan } from './plan';
import type { ProbeMetrics } from './probe-metrics';
import { brokerIngress, type IngressRule, nlbIngress, ruleKey } from './security-rules';

export type Rule = Pick<IngressRule, 'fromPort' | 'toPort' | 'source'>;

export interface LiveCluster {
  vpc: { vpcId: string; cidr: string } | null;
  /** The subnets in the VPC; `name`: the planned name its role tag gives (subnet-<name>), null without. */
  subnets: { subnetId: string; cidr: string; azId: string; name: string | null }[];
  securityGroups: { name: string; groupId: string; rules: Rule[] }[];
  brokers: {
    nodeId: number;
    instanceId: string;
    privateIp: string;
    state: string;
    /** The EC2 instance type (an existing cluster's brokers keep their own: not compared). */
    instanceType: string;
    /** Registered with SSM (Run Command reaches it); null when that could not be read. */
    managed: boolean | null;
    /** The applied-config tag (the scriptHash of the last configuration that succeeded on it). */
    appliedConfig: string | null;
  }[];
  loadBalancer: { name: string; state: string } | null;
  listeners: { port: number; targetGroup: string }[];
  targetGroups: {
    name: string;
    port: number;
    targets: { instanceId: string; port: number; health: string }[];
  }[];
  endpointService: {
    serviceId: string;
    state: string;
    acceptanceRequired: boolean;
    principals: string[];
  } | null;
  connections: { endpointId: string; owner: string; state: string }[];
  /** The unique-name parameter's value, and the name the applied spec says the brokers advertise. */
  uniqueName: { parameter: string | null; applied: string | null };
}

export interface Expected {
  /** Per node ID, the scriptHash of the configuration the plan renders for it. */
  configHashes: Readonly<Record<number, string>>;
}

export interface Finding {
  kind: 'drift' | 'health';
  resource: string;
  field: string;
  planned: string;
  live: string;
}

const MISSING = 'missing';

function ruleText(rule: Rule, groupNames: Map<string, string>): string {
  const source =
    'cidr' in rule.source
      ? rule.source.cidr
      : `group ${groupNames.get(rule.source.groupId) ?? rule.source.groupId}`;
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `tcp ${ports} from ${source}`;
}

/** An existing cluster's plan: its subnets are the user's, planned without a CIDR. */
function existingPlan(plan: Plan): boolean {
  return plan.subnets.some((s) => s.cidr === '');
}

function networkFindings(plan: Plan, live: LiveCluster, add: (finding: Finding) => void): void {
  if (!live.vpc) {
    add({ kind: 'drift', resource: 'vpc', field: 'exists', planned: plan.vpc.cidr, live: MISSING });
    return;
  }
  // An existing cluster's VPC is the user's: its CIDR is whatever they chose, not the spec's default.
  if (plan.vpc.cidr && !existingPlan(plan) && live.vpc.cidr !== plan.vpc.cidr)
    add({
      kind: 'drift',
      resource: `vpc ${live.vpc.vpcId}`,
      field: 'cidr',
      planned: plan.vpc.cidr,
      live: live.vpc.cidr,
    });
  for (const planned of plan.subnets) {
    const found = live.subnets.find((s) => s.name === planned.name || s.subnetId === planned.name);
    const resource = `subnet ${planned.name}`;
    if (!found) {
      add({ kind: 'drift', resource, field: 'exists', planned: planned.cidr || 'present', live: MISSING });
      continue;
    }
    if (planned.cidr && found.cidr !== planned.cidr)
      add({ kind: 'drift', resource, field: 'cidr', planned: planned.cidr, live: found.cidr });
    if (planned.azId && found.azId !== planned.azId)
      add({ kind: 'drift', resource, field: 'azId', planned: planned.azId, live: found.azId });
  }
}

function securityGroupFindings(plan: Plan, live: LiveCluster, add: (finding: Finding) => void): void {
  const nlbName = `${plan.clusterName}-nlb`;
  const nlb = live.securityGroups.find((g) => g.name === nlbName);
  const groupNames = new Map(live.securityGroups.map((g) => [g.groupId, g.name]));
  const desired: [string, Rule[]][] = [[nlbName, nlbIngress(plan)]];
  // An existing cluster (its subnets are the user's, planned without a CIDR) has kafka-plc's EXTERNAL group on
  // its brokers; a new one, kafka-plc's broker group.
  const existing = existingPlan(plan);
  if (nlb)
    desired.push(
      existing
        ? [`${plan.clusterName}-broker-external`, externalIngress(plan, nlb.groupId)]
        : [`${plan.clusterName}-brokers`, brokerIngress(plan, nlb.groupId)],
    );
  for (const [name, rules] of desired) {
    const group = live.securityGroups.find((g) => g.name === name);
    const resource = `security group ${name}`;
    if (!group) {
      add({ kind: 'drift', resource, field: 'exists', planned: 'present', live: MISSING });
      continue;
    }
    const liveKeys = new Set(group.rules.map(ruleKey));
    const plannedKeys = new Set(rules.map(ruleKey));
    for (const rule of rules)
      if (!liveKeys.has(ruleKey(rule)))
        add({
          kind: 'drift',
          resource,
          field: 'ingress',
          planned: ruleText(rule, groupNames),
          live: MISSING,
        });
    for (const rule of group.rules)
      if (!plannedKeys.has(ruleKey(rule)))
        add({
          kind: 'drift',
          resource,
          field: 'ingress',
          planned: 'absent',
          live: ruleText(rule, groupNames),
        });
  }
}

function brokerFindings(
  plan: Plan,
  live: LiveCluster,
  expected: Expected,
  add: (finding: Finding) => void,
): void {
  for (const planned of plan.brokers) {
    const found = live.brokers.find((b) => b.nodeId === planned.nodeId);
    const resource = `broker ${planned.name}`;
    if (!found) {
      add({ kind: 'drift', resource, field: 'instance', planned: planned.privateIp, live: MISSING });
      continue;
    }
    const named = `${resource} (${found.instanceId})`;
    if (found.privateIp !== planned.privateIp)
      add({
        kind: 'drift',
        resource: named,
        field: 'privateIp',
        planned: planned.privateIp,
        live: found.privateIp,
      });
    if (plan.instances.type && found.instanceType !== plan.instances.type && !existingPlan(plan))
      add({
        kind: 'drift',
        resource: named,
        field: 'instanceType',
        planned: plan.instances.type,
        live: found.instanceType,
      });
    if (found.state !== 'running')
      add({ kind: 'health', resource: named, field: 'state', planned: 'running', live: found.state });
    else if (found.managed === false)
      add({
        kind: 'health',
        resource: named,
        field: 'ssm',
        planned: 'managed',
        live: 'not managed (Run Command cannot reach it)',
      });
    const hash = expected.configHashes[planned.nodeId];
    if (hash && found.appliedConfig !== hash)
      add({
        kind: 'drift',
        resource: named,
        field: 'configuration',
        planned: hash,
        live: found.appliedConfig ?? 'none recorded',
      });
  }
}

function loadBalancerFindings(plan: Plan, live: LiveCluster, add: (finding: Finding) => void): void {
  const name = plan.loadBalancer.name;
  if (!live.loadBalancer) {
    add({
      kind: 'drift',
      resource: `load balancer ${name}`,
      field: 'exists',
      planned: 'present',
      live: MISSING,
    });
    return;
  }
  if (live.loadBalancer.state !== 'active')
    add({
      kind: 'health',
      resource: `load balancer ${name}`,
      field: 'state',
      planned: 'active',
      live: live.loadBalancer.state,
    });
  const ports = new Set(plan.loadBalancer.listeners.map((l) => l.port));
  const instanceOf = new Map(live.brokers.map((b) => [b.nodeId, b.instanceId]));
  for (const listener of plan.loadBalancer.listeners) {
    const found = live.listeners.find((l) => l.port === listener.port);
    const resource = `listener ${listener.port}`;
    if (!found)
      add({
        kind: 'drift',
        resource,
        field: 'exists',
        planned: `→ ${listener.targetGroupName}`,
        live: MISSING,
      });
    else if (found.targetGroup !== listener.targetGroupName)
      add({
        kind: 'drift',
        resource,
        field: 'target group',
        planned: listener.targetGroupName,
        live: found.targetGroup,
      });
    const group = live.targetGroups.find((g) => g.name === listener.targetGroupName);
    const groupResource = `target group ${listener.targetGroupName}`;
    if (!group) {
      add({
        kind: 'drift',
        resource: groupResource,
        field: 'exists',
        planned: `port ${listener.targetPort}`,
        live: MISSING,
      });
      continue;
    }
    if (group.port !== listener.targetPort)
      add({
        kind: 'drift',
        resource: groupResource,
        field: 'port',
        planned: String(listener.targetPort),
        live: String(group.port),
      });
    for (const nodeId of listener.brokerNodeIds) {
      const instanceId = instanceOf.get(nodeId);
      if (!instanceId) continue;
      const target = group.targets.find((t) => t.instanceId === instanceId);
      const planned = `b${nodeId} ${instanceId}:${listener.targetPort}`;
      if (!target) add({ kind: 'drift', resource: groupResource, field: 'target', planned, live: MISSING });
      else if (target.health !== 'healthy')
        add({
          kind: 'health',
          resource: groupResource,
          field: `target b${nodeId}`,
          planned: 'healthy',
          live: target.health,
        });
    }
  }
  for (const extra of live.listeners.filter((l) => !ports.has(l.port)))
    add({
      kind: 'drift',
      resource: `listener ${extra.port}`,
      field: 'exists',
      planned: 'absent',
      live: `→ ${extra.targetGroup}`,
    });
}

function serviceFindings(plan: Plan, live: LiveCluster, add: (finding: Finding) => void): void {
  const service = live.endpointService;
  if (!service) {
    add({ kind: 'drift', resource: 'endpoint service', field: 'exists', planned: 'present', live: MISSING });
    return;
  }
  const resource = `endpoint service ${service.serviceId}`;
  if (service.state !== 'Available')
    add({ kind: 'health', resource, field: 'state', planned: 'Available', live: service.state });
  if (!service.acceptanceRequired)
    add({ kind: 'drift', resource, field: 'acceptanceRequired', planned: 'true', live: 'false' });
  const planned = plan.endpointService.allowedPrincipals;
  for (const principal of planned.filter((p) => !service.principals.includes(p)))
    add({ kind: 'drift', resource, field: 'allowed principal', planned: principal, live: MISSING });
  for (const principal of service.principals.filter((p) => !planned.includes(p)))
    add({ kind: 'drift', resource, field: 'allowed principal', planned: 'absent', live: principal });
  for (const connection of live.connections.filter((c) => c.state === 'pendingAcceptance'))
    add({
      kind: 'health',
      resource: `connection ${connection.endpointId} (${connection.owner})`,
      field: 'state',
      planned: 'available',
      live: 'pendingAcceptance',
    });
}

function uniqueNameFindings(plan: Plan, live: LiveCluster, add: (finding: Finding) => void): void {
  if (!plan.awaitsUniqueName) return;
  const { parameter, applied } = live.uniqueName;
  if (parameter === null) {
    add({
      kind: 'drift',
      resource: `parameter ${plan.uniqueNameParameter}`,
      field: 'exists',
      planned: 'present',
      live: MISSING,
    });
    return;
  }
  if (applied !== null && parameter !== applied)
    add({
      kind: 'drift',
      resource: `parameter ${plan.uniqueNameParameter}`,
      field: 'brokers advertise',
      planned: parameter,
      live: applied,
    });
}

/** Every difference between the plan and the live cluster, in a stable order (network first). */
export function diffCluster(plan: Plan, live: LiveCluster, expected: Expected): Finding[] {
  const findings: Finding[] = [];
  const add = (finding: Finding) => findings.push(finding);
  networkFindings(plan, live, add);
  securityGroupFindings(plan, live, add);
  brokerFindings(plan, live, expected, add);
  loadBalancerFindings(plan, live, add);
  serviceFindings(plan, live, add);
  uniqueNameFindings(plan, live, add);
  return findings;
}

/**
 * What Kafka itself says (one bounded health reading, as the probe derives it): brokers not registered, no
 * active controller, partitions under-replicated, under min ISR or offline. All `health`.
 */
export function kafkaFindings(plan: Plan, metrics: ProbeMetrics, registered: readonly number[]): Finding[] {
  const findings: Finding[] = [];
  const add = (field: string, planned: string, live: string) =>
    findings.push({ kind: 'health', resource: 'kafka', field, planned, live });
  const missing = plan.brokers.filter((b) => !registered.includes(b.nodeId)).map((b) => b.name);
  if (missing.length > 0)
    add(
      'registered brokers',
      String(plan.brokers.length),
      `${metrics.RegisteredBrokers} (not registered: ${missing.join(', ')})`,
    );
  if (metrics.ActiveControllerPresent === 0) add('active controller', 'present', 'none');
  if (metrics.UnderReplicatedPartitions > 0)
    add('under-replicated partitions', '0', String(metrics.UnderReplicatedPartitions));
  if (metrics.UnderMinIsrPartitions > 0)
    add('partitions under min ISR', '0', String(metrics.UnderMinIsrPartitions));
  if (metrics.OfflinePartitions > 0) add('offline partitions', '0', String(metrics.OfflinePartitions));
  return findings;
}

/** `kafka-plc status`'s exit code: 0 in sync and healthy, 3 on drift or ill health. */
export function statusExitCode(findings: readonly Finding[]): 0 | 3 {
  return findings.length === 0 ? 0 : 3;
}

/** One line per finding, for a terminal. */
export function findingLine(finding: Finding): string {
  return `${finding.kind.toUpperCase().padEnd(6)} ${finding.resource}: ${finding.field}: planned ${finding.planned}, live ${finding.live}`;
}
