/**
 * An existing cluster (`spec.existing`): kafka-plc creates no VPC, subnet or instance. DiscoverBrokers
 * reads each listed broker's subnet, AZ ID and private IP from EC2 (and checks SSM can reach it) and
 * returns the spec with them filled in, so every later step plans from discovered facts with
 * `planCluster(spec)` unchanged.
 * EnsureExistingNetwork adds kafka-plc's two security groups to the existing VPC, additively:
 *  - `<cluster>-nlb`: the NLB's group (the consumer's CIDRs on the listener ports), as for a new cluster;
 *  - `<cluster>-broker-external`: EXTERNAL from the NLB's group only, added to each broker's primary
 *    network interface next to the groups it already has (none of the user's groups or rules is changed).
 * It first marks each broker instance and its primary interface `kafka-plc:exposed-by=<cluster>` (a tag added,
 * none removed): the deployed Lambdas may re-group only marked interfaces and send SSM commands only to
 * instances tagged for kafka-plc. Never the
 * `kafka-plc:cluster` tag: that one marks what kafka-plc built, and teardown terminates such instances.
 */
import * as discovery from '../aws/ec2-discovery';
import * as net from '../aws/ec2-network';
import { hasCode } from '../aws/errors';
import * as ssm from '../aws/ssm';
import { discoverExisting, externalIngress, loadBalancerSubnetIds } from '../domain/existing';
import { EXPOSED_BY_TAG } from '../domain/names';
import { planCluster } from '../domain/plan';
import { diffRules, type IngressRule, nlbIngress } from '../domain/security-rules';
import { isOurs, ROLES, resourceTags } from '../domain/tags';
import { ExistingBrokerError, ResourceConflictError, SpecValidationError } from '../errors';
import { moduleLogger } from '../logger';
import { type ClusterSpec, parseClusterSpec } from '../spec';
import type { BrokersRefs } from './brokers';
import type { NetworkRefs } from './network';

const log = moduleLogger('existing');

/** The tag role of kafka-plc's group on existing brokers (teardown removes it from their interfaces). */
export const BROKER_EXTERNAL_ROLE = 'sg-broker-external';
/** The mark kafka-plc adds to an existing broker's instance and primary interface; its value is the cluster. */
export { EXPOSED_BY_TAG };

export function requireExisting(spec: ClusterSpec): NonNullable<ClusterSpec['existing']> {
  if (spec.existing) return spec.existing;
  throw new SpecValidationError([
    { path: 'existing', value: undefined, message: 'is required: this workflow exposes an existing cluster' },
  ]);
}

export interface DiscoveredCluster {
  /** The spec with every existing broker's azId, subnetId and privateIp filled in from EC2. */
  spec: ClusterSpec;
  brokers: BrokersRefs;
  notes: string[];
}

export async function discoverBrokers(spec: ClusterSpec): Promise<DiscoveredCluster> {
  const existing = requireExisting(spec);
  const instances = await discovery.instancesByIds(
    spec.region,
    existing.brokers.map((b) => b.instanceId),
  );
  const subnetIds = [...new Set(instances.map((i) => i.subnetId).filter(Boolean))];
  const subnets = await discovery.subnetsByIds(spec.region, subnetIds);
  const found = discoverExisting(spec, instances, subnets);
  // The patch and the health reads go through SSM Run Command: a broker SSM cannot reach fails here,
  // before anything is built, not at the roll.
  const running = instances.filter((i) => i.state === 'running').map((i) => i.instanceId);
  const online = running.length > 0 ? await ssm.onlineManagedInstances(spec.region, running) : new Set();
  for (const broker of existing.brokers.filter((b) => running.includes(b.instanceId))) {
    if (!online.has(broker.instanceId)) {
      found.problems.push(
        `b${broker.nodeId} (${broker.instanceId}): is not online in SSM (agent, instance profile with AmazonSSMManagedInstanceCore, a route to SSM)`,
      );
    }
  }
  if (found.problems.length > 0) {
    throw new ExistingBrokerError(
      `${found.problems.length} problem(s) with spec.existing: ${found.problems.join('; ')}`,
    );
  }
  for (const note of found.notes) log.warn(note);
  const discovered = parseClusterSpec({ ...spec, existing: { ...existing, brokers: found.brokers } });
  const plan = planCluster(discovered);
  log.info('discovered existing brokers', {
    brokers: plan.brokers.map((b) => ({ nodeId: b.nodeId, azId: b.azId, ip: b.privateIp })),
  });
  const instanceOf = new Map(found.brokers.map((b) => [b.nodeId, b.instanceId]));
  return {
    spec: discovered,
    brokers: {
      brokers: plan.brokers.map((b) => ({
        nodeId: b.nodeId,
        instanceId: instanceOf.get(b.nodeId) ?? '',
        privateIp: b.privateIp,
      })),
      launched: [],
    },
    notes: found.notes,
  };
}

/** A security group of this cluster by name in the VPC (created if absent; a stranger's group is a conflict). */
async function ownGroup(
  spec: ClusterSpec,
  vpcId: string,
  input: { name: string; description: string; role: string },
): Promise<net.FoundGroup> {
  const group = await net.ensureSecurityGroup(spec.region, {
    vpcId,
    name: input.name,
    description: input.description,
    tags: resourceTags(spec.clusterName, input.role),
  });
  const tags = await discovery.securityGroupTags(spec.region, group.groupId);
  if (!isOurs(tags, spec.clusterName, input.role)) {
    throw new ResourceConflictError(
      `security group ${input.name} (${group.groupId}) in ${vpcId} exists and is not kafka-plc's ${input.role} of ${spec.clusterName}`,
    );
  }
  return group;
}

/** Our own group only: authorize what is missing, revoke what is extra. */
async function convergeRules(region: string, group: net.FoundGroup, desired: IngressRule[]): Promise<void> {
  const { authorize, revoke } = diffRules(desired, group.rules);
  await net.revokeIngress(region, group.groupId, revoke);
  await net.authorizeIngress(region, group.groupId, authorize);
}

/** Adds `groupId` to each broker's primary interface, passing back the groups it already has. */
async function addGroupToBrokerInterfaces(
  spec: ClusterSpec,
  instances: discovery.DiscoveredInstance[],
  groupId: string,
): Promise<void> {
  for (const broker of requireExisting(spec).brokers) {
    const primary = instances.find((i) => i.instanceId === broker.instanceId)?.primaryInterface;
    if (!primary) {
      throw new ExistingBrokerError(
        `b${broker.nodeId} (${broker.instanceId}) has no primary network interface`,
      );
    }
    if (primary.groupIds.includes(groupId)) continue;
    try {
      await discovery.addGroupToInterface(spec.region, {
        networkInterfaceId: primary.networkInterfaceId,
        current: primary.groupIds,
        groupId,
      });
    } catch (error) {
      if (!hasCode(error, 'SecurityGroupsPerInterfaceLimitExceeded')) throw error;
      throw new ExistingBrokerError(
        `b${broker.nodeId} (${broker.instanceId}): its interface ${primary.networkInterfaceId} already has ` +
          `${primary.groupIds.length} security groups, the per-interface limit; free one slot (or raise the quota) for ${groupId}`,
        { cause: error },
      );
    }
    log.info('added the EXTERNAL group to a broker interface, keeping its groups', {
      nodeId: broker.nodeId,
      networkInterfaceId: primary.networkInterfaceId,
      kept: primary.groupIds,
      added: groupId,
    });
  }
}

/** What kafka-plc marks exposed-by on a user's broker: the instance and its primary interface. */
export function markedResources(instances: discovery.DiscoveredInstance[]): string[] {
  return instances.flatMap((i) => [
    i.instanceId,
    ...(i.primaryInterface ? [i.primaryInterface.networkInterfaceId] : []),
  ]);
}

export async function ensureExistingNetwork(spec: ClusterSpec): Promise<NetworkRefs> {
  const existing = requireExisting(spec);
  const plan = planCluster(spec);
  const { region, clusterName: cluster } = plan;
  const vpcId = existing.vpcId;

  // Conflicts first, before any change.
  const instances = await discovery.instancesByIds(
    region,
    existing.brokers.map((b) => b.instanceId),
  );
  const claimed = instances.filter((i) => (i.tags[EXPOSED_BY_TAG] ?? cluster) !== cluster);
  if (claimed.length > 0) {
    throw new ResourceConflictError(
      `instances already exposed by another kafka-plc cluster: ${claimed.map((i) => `${i.instanceId} (${i.tags[EXPOSED_BY_TAG]})`).join(', ')}`,
    );
  }

  const nlbGroup = await ownGroup(spec, vpcId, {
    name: `${cluster}-nlb`,
    description: `kafka-plc ${cluster}: NLB listeners from the consumer`,
    role: ROLES.nlbSg,
  });
  await convergeRules(region, nlbGroup, nlbIngress(plan));
  const accessGroup = await ownGroup(spec, vpcId, {
    name: `${cluster}-broker-external`,
    description: `kafka-plc ${cluster}: Kafka EXTERNAL on existing brokers, from the NLB only`,
    role: BROKER_EXTERNAL_ROLE,
  });
  await convergeRules(region, accessGroup, externalIngress(plan, nlbGroup.groupId));

  // Marked first: IAM lets kafka-plc re-group only interfaces (and instances) that carry the mark.
  const unmarked = instances.filter((i) => i.tags[EXPOSED_BY_TAG] !== cluster);
  await discovery.addTags(region, markedResources(unmarked), { [EXPOSED_BY_TAG]: cluster });
  await addGroupToBrokerInterfaces(spec, instances, accessGroup.groupId);

  return {
    vpcId,
    brokerSubnetIds: loadBalancerSubnetIds(plan, spec.azIds),
    subnetIdsByName: Object.fromEntries(plan.subnets.map((s) => [s.name, s.name])),
    publicSubnetId: '',
    internetGatewayId: '',
    natGatewayId: '',
    brokerSecurityGroupId: accessGroup.groupId,
    nlbSecurityGroupId: nlbGroup.groupId,
  };
}
