/**
 * The planner: cluster spec → plan. Pure and deterministic; every later step (Lambdas, scripts, the roll,
 * the test harness) reads its values from here, so the NLB listener map and each broker's advertised
 * port cannot disagree: both are computed from the same numbers in one place.
 *
 * 1. Subnets: the VPC is cut into equal power-of-two blocks; block i is `broker-<azIds[i]>`, the next is
 *    the public subnet (NAT gateway egress only).
 * 2. Brokers 1..N are placed round-robin over azIds in order; broker k of an AZ gets first+10+k of its subnet.
 * 3. Brokers 1..3 (or broker 1 alone below 3 brokers) are the KRaft voters (broker,controller); the rest
 *    are broker-only. A static quorum cannot grow in Kafka 3.7, so scale-out only adds broker-only nodes.
 * 4. NLB, per consumer (listener group): bootstrap listener → every broker; listener brokerBase+(nodeId−1) →
 *    that broker; targets on the group's EXTERNAL port. Broker N advertises, on the group's listener
 *    (EXTERNAL, EXTERNAL2, …), its AZ's pattern with its own listener's port.
 */

import { PlanError } from '../errors';
import type { ClusterSpec, SpecConsumer } from '../spec';
import { consumersOf, principalAccount } from '../spec';
import { addressText, parseCidr } from './cidr';
import { type ConsumerAuth, consumerAuthOf } from './consumer-auth';
import {
  advertisedListeners,
  BROKER_CONF_DIR,
  type ExternalListener,
  type ProcessRole,
  renderServerProperties,
} from './kafka-config';
import { BROKER_IP_OFFSET, brokerSubnetBlock, publicSubnetBlock } from './layout';
import { awaitsUniqueName, renderPatternHost } from './listener-pattern';
import { CLUSTER_TAG, elbName, kraftClusterId, uniqueNameParameter } from './names';

export const KRAFT_VOTER_COUNT = 3;
export const DEFAULT_LOG_DIRS = '/var/lib/kafka/data';
export const SCALA_VERSION = '2.13';

export interface PlannedSubnet {
  name: string;
  azId: string | null;
  cidr: string;
  public: boolean;
}

export interface PlannedBroker {
  nodeId: number;
  name: string;
  azId: string;
  subnetName: string;
  privateIp: string;
  /** The first consumer's NLB port and advertised host (EXTERNAL). */
  nlbPort: number;
  processRoles: ProcessRole[];
  externalHost: string;
  /** One per consumer, in the spec's order: what the broker advertises to it, and where it listens. */
  externalListeners: (ExternalListener & { consumer: string })[];
  advertisedListeners: string;
  serverProperties: string;
}

export interface PlannedListener {
  port: number;
  brokerNodeIds: number[];
  targetPort: number;
  targetGroupName: string;
  /** The consumer (listener group) whose NLB port it is. */
  consumer: string;
  /** bootstrap: every broker behind it; broker: the one broker that advertises this port. */
  role: 'bootstrap' | 'broker';
}

/** A consumer of the endpoint service: its own listener on the brokers, NLB ports and source CIDRs. */
export interface PlannedConsumer {
  name: string;
  listenerName: string;
  bootstrapPort: number;
  /** Its broker NLB ports, first..last (brokerBase + nodeId − 1). */
  brokerPorts: [number, number];
  /** The brokers' listening port for it (the target groups' port). */
  targetPort: number;
  cidrs: string[];
  principals: string[];
  /** Per AZ ID, as given or the Essential default. */
  advertisedListenerPatterns: Record<string, string>;
  /** Its names hold TiDB Cloud's `unique_name` placeholder: writing the unique name rolls them. */
  awaitsUniqueName: boolean;
}

export interface Plan {
  clusterName: string;
  region: string;
  vpc: { cidr: string };
  subnets: PlannedSubnet[];
  brokers: PlannedBroker[];
  loadBalancer: {
    name: string;
    scheme: 'internal';
    crossZoneEnabled: false;
    /** Every listener's `tcp.idle_timeout.seconds` (NLB_TCP_IDLE_TIMEOUT_SECONDS). */
    tcpIdleTimeoutSeconds: number;
    listeners: PlannedListener[];
  };
  endpointService: {
    acceptanceRequired: true;
    privateDns: false;
    allowedPrincipals: string[];
    allowedAccounts: string[];
  };
  kafka: {
    version: string;
    scalaVersion: string;
    clusterId: string;
    voterNodeIds: number[];
    controllerQuorumVoters: string;
    ports: ClusterSpec['ports'];
  };
  instances: { type: string; architecture: 'x86_64' | 'arm64'; amiParameter: string };
  uniqueName: string;
  uniqueNameParameter: string;
  /** Some consumer's names wait for TiDB Cloud's unique name (Essential); false: complete from the start. */
  awaitsUniqueName: boolean;
  advertisedDomain: string;
  consumers: PlannedConsumer[];
  /** SASL on EXTERNAL and the consumer's ACLs (domain/consumer-auth.ts); null: PLAINTEXT, as the seed. */
  consumerAuth: ConsumerAuth | null;
  tags: Record<string, string>;
}

export interface PlanOptions {
  /** Overrides the computed private IP of some brokers (existing clusters, the local Kafka harness). */
  privateIps?: Readonly<Record<number, string>>;
  /** Where listeners bind: '0.0.0.0' as in the seed (default), or 'private-ip' to bind each broker's own IP. */
  listenAddress?: '0.0.0.0' | 'private-ip';
  /** log.dirs on the brokers (or per broker, for several brokers on one host); default /var/lib/kafka/data. */
  logDirs?: string | ((nodeId: number) => string);
  /** The brokers' config directory (per broker, for several brokers on one host); default /etc/kafka. */
  confDir?: (nodeId: number) => string;
}

/**
 * An NLB drops a TCP flow silently after 350 s idle by default ("Update the TCP idle timeout for your
 * Network Load Balancer listener": `tcp.idle_timeout.seconds`, 60-6000), shorter than Kafka's own idle close
 * (brokers `connections.max.idle.ms` 600 s, Java clients 540 s): an idle consumer's connection would be cut
 * without a FIN and its next request hang until the client's request timeout. Above 600 s, Kafka always
 * closes an idle connection first, cleanly.
 */
export const NLB_TCP_IDLE_TIMEOUT_SECONDS = 660;

/** Graviton families (m7g, c6gn, t4g, im4gn, x2gd …) and a1 run arm64 AMIs; everything else x86_64. */
export function architectureOf(instanceType: string): 'x86_64' | 'arm64' {
  const family = instanceType.split('.')[0] ?? '';
  return /^a1$|^[a-z]+\d+g/.test(family) ? 'arm64' : 'x86_64';
}

export function amiParameterFor(architecture: 'x86_64' | 'arm64'): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/** The host a consumer's pattern gives a broker, with the unique name filled in. */
export function externalHostOf(
  consumer: SpecConsumer,
  nodeId: number,
  azId: string,
  uniqueName: string,
): string {
  const pattern = consumer.patterns[azId];
  if (pattern === undefined) throw new PlanError(`consumer ${consumer.name} has no pattern for AZ ${azId}`);
  return renderPatternHost(pattern, nodeId, uniqueName);
}

/** The NLB port of a broker for a consumer, which is also the port the broker advertises to it. */
function nlbPortOf(consumer: Pick<SpecConsumer, 'ports'>, nodeId: number): number {
  return consumer.ports.brokerBase + (nodeId - 1);
}

/** The node IDs a spec's brokers have: 1..N for a new cluster, the listed ones for an existing cluster. */
export function specNodeIds(spec: ClusterSpec): number[] {
  if (spec.existing) return spec.existing.brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  return Array.from({ length: spec.brokersPerAz * spec.azIds.length }, (_, i) => i + 1);
}

/** The consumers of a spec as the plan lists them (needs no placement: an existing cluster's too). */
export function planConsumers(spec: ClusterSpec, nodeIds: number[] = specNodeIds(spec)): PlannedConsumer[] {
  return consumersOf(spec).map((consumer) => {
    const ports = nodeIds.map((nodeId) => nlbPortOf(consumer, nodeId));
    return {
      name: consumer.name,
      listenerName: consumer.listenerName,
      bootstrapPort: consumer.ports.bootstrap,
      brokerPorts: [Math.min(...ports), Math.max(...ports)],
      targetPort: consumer.ports.external,
      cidrs: [...consumer.cidrs],
      principals: [...consumer.principals],
      advertisedListenerPatterns: { ...consumer.patterns },
      awaitsUniqueName: Object.values(consumer.patterns).some(awaitsUniqueName),
    };
  });
}

/** The target group of a consumer's listener: the first consumer's keep the names they always had. */
function targetGroupNameOf(
  clusterName: string,
  consumerIndex: number,
  consumer: SpecConsumer,
  what: string,
): string {
  return elbName(clusterName, consumerIndex === 0 ? what : `${consumer.name}-${what}`);
}

export function voterNodeIds(brokerCount: number): number[] {
  const count = brokerCount >= KRAFT_VOTER_COUNT ? KRAFT_VOTER_COUNT : 1;
  return Array.from({ length: count }, (_, i) => i + 1);
}

export function planCluster(spec: ClusterSpec, options: PlanOptions = {}): Plan {
  if (spec.existing) return planExisting(spec, spec.existing, options);
  const vpc = parseCidr(spec.vpcCidr);
  if (!vpc) throw new PlanError(`vpcCidr ${spec.vpcCidr} is not a CIDR block`);
  const azCount = spec.azIds.length;
  const subnets: PlannedSubnet[] = spec.azIds.map((azId, index) => ({
    name: `broker-${azId}`,
    azId,
    cidr: brokerSubnetBlock(vpc, azCount, index).text,
    public: false,
  }));
  subnets.push({ name: 'public', azId: null, cidr: publicSubnetBlock(vpc, azCount).text, public: true });

  const brokerCount = spec.brokersPerAz * azCount;
  const placements = Array.from({ length: brokerCount }, (_, index) => {
    const nodeId = index + 1;
    const azIndex = index % azCount;
    const slot = Math.floor(index / azCount);
    const azId = spec.azIds[azIndex] as string;
    const block = brokerSubnetBlock(vpc, azCount, azIndex);
    const privateIp =
      options.privateIps?.[nodeId] ?? addressText(block.first + BigInt(BROKER_IP_OFFSET + slot));
    return { nodeId, azId, subnetName: `broker-${azId}`, privateIp };
  });
  return assemblePlan(spec, subnets, placements, options);
}

/**
 * An existing cluster (`spec.existing`): nothing is computed, the placement is what DiscoverBrokers found
 * in EC2 (AZ ID, subnet, private IP per broker). Its subnets are named by subnet ID; their CIDR is not
 * ours to plan ('' here), and spec.vpcCidr/brokersPerAz do not apply.
 */
function planExisting(spec: ClusterSpec, existing: ExistingCluster, options: PlanOptions): Plan {
  const undiscovered = existing.brokers.filter((b) => !b.azId || !b.subnetId || !b.privateIp);
  if (undiscovered.length > 0) {
    throw new PlanError(
      `existing brokers ${undiscovered.map((b) => `b${b.nodeId}`).join(', ')} have no discovered azId/subnetId/privateIp: ` +
        'an existing cluster is planned from what DiscoverBrokers finds (the expose-existing workflow)',
    );
  }
  const placements: BrokerPlacement[] = existing.brokers.map((b) => ({
    nodeId: b.nodeId,
    azId: b.azId ?? '',
    subnetName: b.subnetId ?? '',
    privateIp: options.privateIps?.[b.nodeId] ?? b.privateIp ?? '',
  }));
  const azOrder = (azId: string) => spec.azIds.indexOf(azId);
  const subnets: PlannedSubnet[] = [...new Map(placements.map((p) => [p.subnetName, p.azId])).entries()]
    .map(([name, azId]) => ({ name, azId, cidr: '', public: false }))
    .sort((a, b) => azOrder(a.azId) - azOrder(b.azId) || a.name.localeCompare(b.name));
  return assemblePlan(spec, subnets, placements, options);
}

type ExistingCluster = NonNullable<ClusterSpec['existing']>;

export interface BrokerPlacement {
  nodeId: number;
  azId: string;
  subnetName: string;
  privateIp: string;
}

/** Everything after placement; shared by new clusters and existing ones whose placement is discovered. */
export function assemblePlan(
  spec: ClusterSpec,
  subnets: PlannedSubnet[],
  placements: BrokerPlacement[],
  options: PlanOptions = {},
): Plan {
  const sorted = [...placements].sort((a, b) => a.nodeId - b.nodeId);
  const brokerCount = sorted.length;
  const voters = voterNodeIds(brokerCount).filter((id) => sorted.some((b) => b.nodeId === id));
  const quorumVoters = voters
    .map((id) => `${id}@${sorted.find((b) => b.nodeId === id)?.privateIp}:${spec.ports.controller}`)
    .join(',');
  const logDirsOf = (nodeId: number) =>
    typeof options.logDirs === 'function' ? options.logDirs(nodeId) : (options.logDirs ?? DEFAULT_LOG_DIRS);

  const consumers = consumersOf(spec);
  const [primary] = consumers;
  if (!primary) throw new PlanError('the spec has no consumer');
  const consumerAuth = consumerAuthOf(spec.clusterName, primary);
  const brokers: PlannedBroker[] = sorted.map((placement) => {
    const processRoles: ProcessRole[] = voters.includes(placement.nodeId)
      ? ['broker', 'controller']
      : ['broker'];
    const externalListeners = consumers.map((consumer) => ({
      consumer: consumer.name,
      name: consumer.listenerName,
      host: externalHostOf(consumer, placement.nodeId, placement.azId, spec.uniqueName),
      port: nlbPortOf(consumer, placement.nodeId),
      listenPort: consumer.ports.external,
    }));
    const first = externalListeners[0];
    if (!first) throw new PlanError('the spec has no consumer');
    const configInput = {
      clusterName: spec.clusterName,
      nodeId: placement.nodeId,
      processRoles,
      quorumVoters,
      listenAddress: options.listenAddress === 'private-ip' ? placement.privateIp : '0.0.0.0',
      privateIp: placement.privateIp,
      externals: externalListeners.map(({ consumer: _, ...listener }) => listener),
      ports: spec.ports,
      rack: placement.azId,
      logDirs: logDirsOf(placement.nodeId),
      brokerCount,
      auth: consumerAuth,
      confDir: options.confDir?.(placement.nodeId) ?? BROKER_CONF_DIR,
    };
    return {
      ...placement,
      name: `b${placement.nodeId}`,
      nlbPort: first.port,
      processRoles,
      externalHost: first.host,
      externalListeners,
      advertisedListeners: advertisedListeners(configInput),
      serverProperties: renderServerProperties(configInput),
    };
  });

  const listeners: PlannedListener[] = consumers.flatMap((consumer, index) => [
    {
      port: consumer.ports.bootstrap,
      brokerNodeIds: brokers.map((b) => b.nodeId),
      targetPort: consumer.ports.external,
      targetGroupName: targetGroupNameOf(spec.clusterName, index, consumer, 'bootstrap'),
      consumer: consumer.name,
      role: 'bootstrap' as const,
    },
    ...brokers.map((b) => ({
      port: nlbPortOf(consumer, b.nodeId),
      brokerNodeIds: [b.nodeId],
      targetPort: consumer.ports.external,
      targetGroupName: targetGroupNameOf(spec.clusterName, index, consumer, b.name),
      consumer: consumer.name,
      role: 'broker' as const,
    })),
  ]);
  const plannedConsumers = planConsumers(
    spec,
    brokers.map((b) => b.nodeId),
  );
  const allPrincipals = [...new Set(consumers.flatMap((consumer) => consumer.principals))];

  const architecture = architectureOf(spec.instanceType);
  return {
    clusterName: spec.clusterName,
    region: spec.region,
    vpc: { cidr: spec.vpcCidr },
    subnets,
    brokers,
    loadBalancer: {
      name: elbName(spec.clusterName, 'nlb'),
      scheme: 'internal',
      crossZoneEnabled: false,
      tcpIdleTimeoutSeconds: NLB_TCP_IDLE_TIMEOUT_SECONDS,
      listeners,
    },
    endpointService: {
      acceptanceRequired: true,
      privateDns: false,
      allowedPrincipals: allPrincipals,
      allowedAccounts: [...new Set(allPrincipals.map((arn) => principalAccount(arn) ?? ''))].filter(Boolean),
    },
    kafka: {
      version: spec.kafkaVersion,
      scalaVersion: SCALA_VERSION,
      clusterId: kraftClusterId(spec.clusterName, spec.region),
      voterNodeIds: voters,
      controllerQuorumVoters: quorumVoters,
      // The first consumer's NLB and EXTERNAL ports (with `consumers`, the top-level ones do not apply).
      ports: { ...spec.ports, ...primary.ports },
    },
    instances: { type: spec.instanceType, architecture, amiParameter: amiParameterFor(architecture) },
    uniqueName: spec.uniqueName,
    uniqueNameParameter: uniqueNameParameter(spec.clusterName),
    awaitsUniqueName: plannedConsumers.some((consumer) => consumer.awaitsUniqueName),
    advertisedDomain: spec.advertisedDomain,
    consumers: plannedConsumers,
    consumerAuth,
    tags: { [CLUSTER_TAG]: spec.clusterName },
  };
}
