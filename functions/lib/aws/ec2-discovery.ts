/**
 * EC2 facts of an existing cluster that kafka-plc did not build: its broker instances (state, VPC, subnet,
 * private IP, primary network interface and its security groups) and their subnets (AZ ID). Also the one
 * changes kafka-plc makes to such an instance, both additive: its own security group added to the primary
 * network interface (every group already there kept), and one tag added (none removed).
 */
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type Instance,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { type TagMap, tagList, tagMap } from '../domain/tags';
import { ec2Client } from './clients/ec2';
import { call } from './errors';

const ec2 = (region: string) => ec2Client(region);

export interface DiscoveredInstance {
  instanceId: string;
  state: string;
  vpcId: string;
  subnetId: string;
  privateIp: string;
  tags: TagMap;
  /** The primary network interface (device index 0): NLB instance targets receive traffic on it. */
  primaryInterface: { networkInterfaceId: string; groupIds: string[] } | undefined;
}

export interface DiscoveredSubnet {
  subnetId: string;
  vpcId: string;
  azId: string;
}

function discovered(instance: Instance): DiscoveredInstance {
  const primary = (instance.NetworkInterfaces ?? []).find((n) => (n.Attachment?.DeviceIndex ?? 0) === 0);
  return {
    instanceId: instance.InstanceId ?? '',
    state: instance.State?.Name ?? 'unknown',
    vpcId: instance.VpcId ?? '',
    subnetId: instance.SubnetId ?? '',
    privateIp: instance.PrivateIpAddress ?? '',
    tags: tagMap(instance.Tags),
    primaryInterface: primary?.NetworkInterfaceId
      ? {
          networkInterfaceId: primary.NetworkInterfaceId,
          groupIds: (primary.Groups ?? []).map((g) => g.GroupId ?? '').filter(Boolean),
        }
      : undefined,
  };
}

/**
 * The instances among `instanceIds` that exist (any state). Filtering by `instance-id` instead of
 * passing InstanceIds: an unknown ID is then simply absent, not an error that hides the others.
 */
export async function instancesByIds(region: string, instanceIds: string[]): Promise<DiscoveredInstance[]> {
  if (instanceIds.length === 0) return [];
  const result: DiscoveredInstance[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeInstances', () =>
      ec2(region).send(
        new DescribeInstancesCommand({
          Filters: [{ Name: 'instance-id', Values: instanceIds }],
          NextToken: token,
        }),
      ),
    );
    for (const reservation of out.Reservations ?? [])
      result.push(...(reservation.Instances ?? []).map(discovered));
    token = out.NextToken;
  } while (token);
  return result;
}

export async function subnetsByIds(region: string, subnetIds: string[]): Promise<DiscoveredSubnet[]> {
  if (subnetIds.length === 0) return [];
  const out = await call('DescribeSubnets', () =>
    ec2(region).send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: subnetIds }] })),
  );
  return (out.Subnets ?? []).map((s) => ({
    subnetId: s.SubnetId ?? '',
    vpcId: s.VpcId ?? '',
    azId: s.AvailabilityZoneId ?? '',
  }));
}

export async function securityGroupTags(region: string, groupId: string): Promise<TagMap> {
  const out = await call('DescribeSecurityGroups', () =>
    ec2(region).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
  );
  return tagMap(out.SecurityGroups?.[0]?.Tags);
}

/**
 * Sets the interface's groups to `current` plus `groupId` (ModifyNetworkInterfaceAttribute replaces the
 * whole list, so the current groups are passed back unchanged).
 */
export async function addGroupToInterface(
  region: string,
  input: { networkInterfaceId: string; current: string[]; groupId: string },
): Promise<void> {
  await call('ModifyNetworkInterfaceAttribute', () =>
    ec2(region).send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: input.networkInterfaceId,
        Groups: [...input.current, input.groupId],
      }),
    ),
  );
}

/** Adds tags to EC2 resources (CreateTags only adds or overwrites the keys given; other tags stay). */
export async function addTags(region: string, resourceIds: string[], tags: TagMap): Promise<void> {
  if (resourceIds.length === 0) return;
  await call('CreateTags', () =>
    ec2(region).send(new CreateTagsCommand({ Resources: resourceIds, Tags: tagList(tags) })),
  );
}

/** Sets an interface's groups to exactly `groupIds` (used to take ours off, keeping the user's). */
export async function setInterfaceGroups(
  region: string,
  networkInterfaceId: string,
  groupIds: string[],
): Promise<void> {
  await call('ModifyNetworkInterfaceAttribute', () =>
    ec2(region).send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: networkInterfaceId,
        Groups: groupIds,
      }),
    ),
  );
}

/** Removes one tag key from EC2 resources (other tags stay). */
export async function removeTag(region: string, resourceIds: string[], key: string): Promise<void> {
  if (resourceIds.length === 0) return;
  await call('DeleteTags', () =>
    ec2(region).send(new DeleteTagsCommand({ Resources: resourceIds, Tags: [{ Key: key }] })),
  );
}
