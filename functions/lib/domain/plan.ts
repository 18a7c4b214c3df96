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
 * 4. NLB: bootstrap listener → every broker; listener brokerBase+(nodeId−1) → that broker; targets on
 *    the EXTERNAL port. Broker N advertises exactly its own listener's port.
 */

import { PlanError } from '../errors';
import type { ClusterSpec } from '../spec';
import { principalAccount } from '../spec';
import { addressText, parseCidr } from './cidr';
import { type ConsumerAuth, consumerAuthOf } from './consumer-auth';
import {
  advertisedListeners,
  BROKER_CONF_DIR,
  type ProcessRole,
  renderServerProperties,
} from './kafka-config';
import { BROKER_IP_OFFSET, brokerSubnetBlock, publicSubnetBlock } from './layout';
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
  nlbPort: number;
  processRoles: ProcessRole[];
  externalHost: string;
  advertisedListeners: string;
  serverProperties: string;
}

export interface PlannedListener {
  port: number;
  brokerNodeIds: number[];
  targetPort: number;
  targetGroupName: string;
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
  advertisedDomain: string;
  consumerCidrs: string[];
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

export function externalHostName(nodeId: number, azId: string, uniqueName: string, domain: string): string {
  return `b${nodeId}.${azId}.${uniqueName}.${domain}`;
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

  const consumerAuth = consumerAuthOf(spec.clusterName, spec.consumer);
  const brokers: PlannedBroker[] = sorted.map((placement) => {
    const nlbPort = spec.ports.brokerBase + (placement.nodeId - 1);
    const processRoles: ProcessRole[] = voters.includes(placement.nodeId)
      ? ['broker', 'controller']
      : ['broker'];
    const externalHost = externalHostName(
      placement.nodeId,
      placement.azId,
      spec.uniqueName,
      spec.advertisedDomain,
    );
    const configInput = {
      clusterName: spec.clusterName,
      nodeId: placement.nodeId,
      processRoles,
      quorumVoters,
      listenAddress: options.listenAddress === 'private-ip' ? placement.privateIp : '0.0.0.0',
      privateIp: placement.privateIp,
      externalHost,
      externalPort: nlbPort,
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
      nlbPort,
      processRoles,
      externalHost,
      advertisedListeners: advertisedListeners(configInput),
      serverProperties: renderServerProperties(configInput),
    };
  });

  const listeners: PlannedListener[] = [
    {
      port: spec.ports.bootstrap,
      brokerNodeIds: brokers.map((b) => b.nodeId),
      targetPort: spec.ports.external,
      targetGroupName: elbName(spec.clusterName, 'bootstrap'),
    },
    ...brokers.map((b) => ({
      port: b.nlbPort,
      brokerNodeIds: [b.nodeId],
      targetPort: spec.ports.external,
      targetGroupName: elbName(spec.clusterName, b.name),
    })),
  ];

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
      allowedPrincipals: [...spec.consumer.principals],
      allowedAccounts: [
        ...new Set(spec.consumer.principals.map((arn) => principalAccount(arn) ?? '')),
      ].filter(Boolean),
    },
    kafka: {
      version: spec.kafkaVersion,
      scalaVersion: SCALA_VERSION,
      clusterId: kraftClusterId(spec.clusterName, spec.region),
      voterNodeIds: voters,
      controllerQuorumVoters: quorumVoters,
      ports: { ...spec.ports },
    },
    instances: { type: spec.instanceType, architecture, amiParameter: amiParameterFor(architecture) },
    uniqueName: spec.uniqueName,
    uniqueNameParameter: uniqueNameParameter(spec.clusterName),
    advertisedDomain: spec.advertisedDomain,
    consumerCidrs: [...spec.consumer.cidrs],
    consumerAuth,
    tags: { [CLUSTER_TAG]: spec.clusterName },
  };
}
