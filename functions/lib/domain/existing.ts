/**
 * An existing cluster (`spec.existing`), decided from facts: which discovered instance is which broker,
 * what is wrong with them (every problem is reported, not only the first), and what kafka-plc adds around
 * them. Pure: the EC2 facts come in as data.
 *
 * 1. Each listed broker must exist, be running, sit in `existing.vpcId`, in one of the consumer's AZ IDs
 *    (`spec.azIds`, found through its subnet); node IDs are unique.
 * 2. Discovered facts (AZ ID, subnet, private IP) fill the spec's optional fields; a value the spec already
 *    holds must agree with EC2 (a re-run with the applied spec, or a hand-written one).
 * 3. The NLB gets one subnet per AZ that has a broker (an NLB takes at most one subnet per AZ): the subnet
 *    of the lowest node ID there. AZs of the consumer without a broker are reported as notes.
 */
import type { ClusterSpec } from '../spec';
import type { Plan } from './plan';
import type { IngressRule } from './security-rules';

type ExistingBroker = NonNullable<ClusterSpec['existing']>['brokers'][number];

export interface InstanceFacts {
  instanceId: string;
  state: string;
  vpcId: string;
  subnetId: string;
  privateIp: string;
}

export interface SubnetFacts {
  subnetId: string;
  azId: string;
}

export interface Discovery {
  brokers: ExistingBroker[];
  problems: string[];
  notes: string[];
}

const DISCOVERED = ['azId', 'subnetId', 'privateIp'] as const;

export function discoverExisting(
  spec: ClusterSpec,
  instances: InstanceFacts[],
  subnets: SubnetFacts[],
): Discovery {
  const existing = spec.existing;
  if (!existing) return { brokers: [], problems: ['the spec has no "existing" section'], notes: [] };
  const problems: string[] = [];
  const seen = new Map<number, string>();
  const brokers = existing.brokers.map((broker) => {
    const who = `b${broker.nodeId} (${broker.instanceId})`;
    const other = seen.get(broker.nodeId);
    if (other !== undefined) problems.push(`${who}: node ID ${broker.nodeId} is also given to ${other}`);
    seen.set(broker.nodeId, broker.instanceId);

    const instance = instances.find((i) => i.instanceId === broker.instanceId);
    if (!instance) {
      problems.push(`${who}: no such instance in ${spec.region}`);
      return broker;
    }
    if (instance.state !== 'running') problems.push(`${who}: is ${instance.state}, not running`);
    if (instance.state === 'terminated' || instance.state === 'shutting-down') return broker;
    if (instance.vpcId !== existing.vpcId) {
      problems.push(`${who}: is in ${instance.vpcId || 'no VPC'}, not existing.vpcId ${existing.vpcId}`);
    }
    const azId = subnets.find((s) => s.subnetId === instance.subnetId)?.azId;
    if (!azId) problems.push(`${who}: its subnet ${instance.subnetId || '(none)'} was not found`);
    else if (!spec.azIds.includes(azId)) {
      problems.push(
        `${who}: is in AZ ${azId}, which is not one of the consumer's azIds (${spec.azIds.join(', ')})`,
      );
    }
    const found = { azId: azId ?? '', subnetId: instance.subnetId, privateIp: instance.privateIp };
    for (const field of DISCOVERED) {
      const given = broker[field];
      if (given !== undefined && found[field] !== '' && given !== found[field]) {
        problems.push(`${who}: the spec says ${field} ${given}, EC2 says ${found[field]}`);
      }
    }
    return { ...broker, ...found };
  });

  const withBrokers = new Set(brokers.map((b) => b.azId));
  const notes = spec.azIds
    .filter((azId) => !withBrokers.has(azId))
    .map(
      (azId) =>
        `no existing broker is in the consumer's AZ ${azId}: the NLB, and so the endpoint service, will not be there`,
    );
  return { brokers, problems, notes };
}

/** One subnet per AZ that has a broker (the subnet of its lowest node ID), in azIds order. */
export function loadBalancerSubnetIds(plan: Plan, azIds: readonly string[]): string[] {
  const byAz = new Map<string, string>();
  for (const broker of [...plan.brokers].sort((a, b) => a.nodeId - b.nodeId)) {
    if (!byAz.has(broker.azId)) byAz.set(broker.azId, broker.subnetName);
  }
  return azIds.flatMap((azId) => {
    const subnetId = byAz.get(azId);
    return subnetId ? [subnetId] : [];
  });
}

/** What kafka-plc's own group on the existing brokers opens: each consumer's listener, only from the NLB's group. */
export function externalIngress(plan: Plan, nlbGroupId: string): IngressRule[] {
  return plan.consumers.map((consumer) => ({
    fromPort: consumer.targetPort,
    toPort: consumer.targetPort,
    source: { groupId: nlbGroupId },
    description: `Kafka ${consumer.listenerName} from the kafka-plc NLB`,
  }));
}
