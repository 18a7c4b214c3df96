/**
 * Network converge: VPC (DNS hostnames on), one private broker subnet per AZ ID (created by AZ ID),
 * a public subnet with an internet gateway and a NAT gateway (egress to SSM and Kafka downloads; no
 * bastion, no SSH), and the two security groups. Every resource is looked up by tag before it is created,
 * so a re-run makes no mutating call.
 */
import * as net from '../aws/ec2-network';
import * as ssm from '../aws/ssm';
import { planCluster } from '../domain/plan';
import { brokerIngress, diffRules, nlbIngress } from '../domain/security-rules';
import { ROLES, resourceTags } from '../domain/tags';
import {
  InstanceTypeNotOfferedError,
  ResourceConflictError,
  UnknownAzIdError,
  UnsupportedChangeError,
} from '../errors';
import { moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';
import { didYouMean } from '../suggest';

const log = moduleLogger('network');

export interface AzResolution {
  azNames: Record<string, string>;
}

/** Maps each AZ ID of the spec to this account's AZ name; an unknown or unavailable ID fails the run. */
export async function resolveAzs(spec: ClusterSpec): Promise<AzResolution> {
  const zones = await net.availabilityZones(spec.region);
  const byId = new Map(zones.map((z) => [z.zoneId, z]));
  const missing = spec.azIds.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new UnknownAzIdError(
      `AZ IDs ${missing.join(', ')} do not exist in ${spec.region} for this account; available: ${[...byId.keys()].sort().join(', ')}`,
    );
  }
  const unavailable = spec.azIds.filter((id) => byId.get(id)?.state !== 'available');
  if (unavailable.length > 0)
    throw new UnknownAzIdError(`AZ IDs ${unavailable.join(', ')} are not available`);
  // Before anything billable exists: brokers of this type can launch in every AZ ID, from an image that exists.
  if (!spec.existing) await checkInstanceType(spec);
  return { azNames: Object.fromEntries(spec.azIds.map((id) => [id, byId.get(id)?.zoneName ?? ''])) };
}

/**
 * The spec's instance type is offered in each of its AZ IDs (DescribeInstanceTypeOfferings), and the AMI
 * parameter its architecture needs exists in the region: otherwise RunInstances would fail only after the VPC
 * and the NAT gateway exist. A type offered nowhere in the region is named with the nearest one that is.
 */
async function checkInstanceType(spec: ClusterSpec): Promise<void> {
  const plan = planCluster(spec);
  const type = plan.instances.type;
  const offered = new Set(
    (
      await net.instanceTypeOfferings(spec.region, {
        locationType: 'availability-zone-id',
        instanceType: type,
        locations: spec.azIds,
      })
    ).map((o) => o.location),
  );
  const missing = spec.azIds.filter((id) => !offered.has(id));
  if (missing.length === spec.azIds.length) {
    const inRegion = await net.instanceTypeOfferings(spec.region, { locationType: 'region' });
    if (!inRegion.some((o) => o.instanceType === type))
      throw new InstanceTypeNotOfferedError(
        `instanceType = "${type}": not an instance type offered in ${spec.region}${didYouMean(
          type,
          inRegion.map((o) => o.instanceType),
        )}`,
      );
  }
  if (missing.length > 0)
    throw new InstanceTypeNotOfferedError(
      `instanceType = "${type}": not offered in AZ ID(s) ${missing.join(', ')} of ${spec.region}` +
        (offered.size > 0 ? ` (offered in ${[...offered].sort().join(', ')})` : '') +
        ': choose another type or other AZ IDs',
    );
  if (!(await ssm.getParameter(spec.region, plan.instances.amiParameter)))
    throw new InstanceTypeNotOfferedError(
      `instanceType = "${type}" needs a ${plan.instances.architecture} image, and ${plan.instances.amiParameter} does not exist in ${spec.region}`,
    );
}

export interface NetworkRefs {
  vpcId: string;
  /** Broker subnet IDs in azIds order. */
  brokerSubnetIds: string[];
  subnetIdsByName: Record<string, string>;
  publicSubnetId: string;
  internetGatewayId: string;
  natGatewayId: string;
  brokerSecurityGroupId: string;
  nlbSecurityGroupId: string;
}

export async function ensureNetwork(spec: ClusterSpec): Promise<NetworkRefs> {
  const plan = planCluster(spec);
  const { region, clusterName: cluster } = plan;
  const tags = (role: string) => ({ ...resourceTags(cluster, role) });

  let vpc = await net.findVpc(region, cluster, ROLES.vpc);
  if (vpc && vpc.cidr !== plan.vpc.cidr) {
    throw new UnsupportedChangeError(
      `VPC ${vpc.vpcId} has CIDR ${vpc.cidr}; the spec asks for ${plan.vpc.cidr}`,
    );
  }
  if (!vpc) {
    vpc = { vpcId: await net.createVpc(region, plan.vpc.cidr, tags(ROLES.vpc)), cidr: plan.vpc.cidr };
    log.info('created VPC', { vpcId: vpc.vpcId, cidr: vpc.cidr });
  }
  const vpcId = vpc.vpcId;
  await net.ensureDnsHostnames(region, vpcId);

  const existing = await net.subnets(region, vpcId);
  const subnetIdsByName: Record<string, string> = {};
  for (const planned of plan.subnets) {
    const role = ROLES.subnet(planned.name);
    const found =
      existing.find((s) => s.tags['kafka-plc:role'] === role) ??
      existing.find((s) => s.cidr === planned.cidr);
    if (found && (found.cidr !== planned.cidr || (planned.azId && found.azId !== planned.azId))) {
      throw new ResourceConflictError(
        `subnet ${found.subnetId} (${found.cidr}, ${found.azId}) stands where ${planned.name} (${planned.cidr}, ${planned.azId ?? 'any AZ'}) is planned`,
      );
    }
    const azId = planned.azId ?? plan.subnets[0]?.azId ?? '';
    const subnet =
      found ?? (await net.createSubnet(region, { vpcId, cidr: planned.cidr, azId, tags: tags(role) }));
    if (!found)
      log.info('created subnet', { name: planned.name, subnetId: subnet.subnetId, azId, cidr: planned.cidr });
    subnetIdsByName[planned.name] = subnet.subnetId;
  }
  const publicSubnetId = subnetIdsByName.public ?? '';
  const brokerSubnetIds = plan.subnets.filter((s) => !s.public).map((s) => subnetIdsByName[s.name] ?? '');

  const internetGatewayId = await net.ensureInternetGateway(region, vpcId, tags(ROLES.igw));
  await net.ensureRouteTable(region, {
    vpcId,
    cluster,
    role: ROLES.publicRouteTable,
    tags: tags(ROLES.publicRouteTable),
    target: { gatewayId: internetGatewayId },
    subnetIds: [publicSubnetId],
  });
  let nat = await net.findNatGateway(region, vpcId, cluster, ROLES.nat);
  if (!nat) {
    const allocationId = await net.ensureElasticIp(region, cluster, tags(ROLES.natEip), ROLES.natEip);
    nat = await net.createNatGateway(region, {
      subnetId: publicSubnetId,
      allocationId,
      tags: tags(ROLES.nat),
    });
    log.info('created NAT gateway', { natGatewayId: nat.natGatewayId });
  }

  const nlbGroup = await net.ensureSecurityGroup(region, {
    vpcId,
    name: `${cluster}-nlb`,
    description: `kafka-plc ${cluster}: NLB listeners from the consumer`,
    tags: tags(ROLES.nlbSg),
  });
  const brokerGroup = await net.ensureSecurityGroup(region, {
    vpcId,
    name: `${cluster}-brokers`,
    description: `kafka-plc ${cluster}: Kafka brokers`,
    tags: tags(ROLES.brokerSg),
  });
  for (const [group, desired] of [
    [nlbGroup, nlbIngress(plan)],
    [brokerGroup, brokerIngress(plan, nlbGroup.groupId)],
  ] as const) {
    const { authorize, revoke } = diffRules(desired, group.rules);
    await net.revokeIngress(region, group.groupId, revoke);
    await net.authorizeIngress(region, group.groupId, authorize);
  }

  return {
    vpcId,
    brokerSubnetIds,
    subnetIdsByName,
    publicSubnetId,
    internetGatewayId,
    natGatewayId: nat.natGatewayId,
    brokerSecurityGroupId: brokerGroup.groupId,
    nlbSecurityGroupId: nlbGroup.groupId,
  };
}

export interface ReadyStatus {
  ready: boolean;
  detail: string;
}

export async function natGatewayStatus(spec: ClusterSpec, network: NetworkRefs): Promise<ReadyStatus> {
  const state = await net.natGatewayState(spec.region, network.natGatewayId);
  if (state === 'failed' || state === 'deleted' || state === 'deleting') {
    throw new ResourceConflictError(`NAT gateway ${network.natGatewayId} is ${state}; delete it and re-run`);
  }
  return { ready: state === 'available', detail: `NAT gateway ${network.natGatewayId} is ${state}` };
}

/** The broker subnets' default route through the NAT gateway (needs the gateway available). */
export async function ensurePrivateRoutes(
  spec: ClusterSpec,
  network: NetworkRefs,
): Promise<{ routeTableId: string }> {
  const routeTableId = await net.ensureRouteTable(spec.region, {
    vpcId: network.vpcId,
    cluster: spec.clusterName,
    role: ROLES.privateRouteTable,
    tags: resourceTags(spec.clusterName, ROLES.privateRouteTable),
    target: { natGatewayId: network.natGatewayId },
    subnetIds: network.brokerSubnetIds,
  });
  return { routeTableId };
}
