/**
 * EC2 teardown adapter: finds what is tagged for a cluster (filtered on the server, matched again in
 * code) and deletes it; "already gone" answers are no-ops, "still in use" answers are reported as blocked.
 */
import {
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  type Filter,
  type IpPermission,
  ReleaseAddressCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CLUSTER_TAG } from '../domain/names';
import { isOurs, tagMap } from '../domain/tags';
import { ec2Client } from './clients/ec2';
import { routeTables } from './ec2-network';
import { call } from './errors';
import { type DeleteOutcome, deleteIfPresent } from './teardown-common';

const ec2 = (region: string) => ec2Client(region);
const byCluster = (cluster: string): Filter[] => [{ Name: `tag:${CLUSTER_TAG}`, Values: [cluster] }];

/** The cluster's instances that are not terminated yet, with their state (`shutting-down` included). */
export async function clusterInstancesNotTerminated(
  region: string,
  cluster: string,
): Promise<{ instanceId: string; state: string }[]> {
  const result: { instanceId: string; state: string }[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeInstances', () =>
      ec2(region).send(
        new DescribeInstancesCommand({
          Filters: [
            ...byCluster(cluster),
            {
              Name: 'instance-state-name',
              Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
            },
          ],
          NextToken: token,
        }),
      ),
    );
    for (const instance of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const state = instance.State?.Name ?? 'unknown';
      if (isOurs(tagMap(instance.Tags), cluster) && state !== 'terminated') {
        result.push({ instanceId: instance.InstanceId ?? '', state });
      }
    }
    token = out.NextToken;
  } while (token);
  return result;
}

export async function terminateInstances(region: string, instanceIds: string[]): Promise<void> {
  if (instanceIds.length === 0) return;
  await call('TerminateInstances', () =>
    ec2(region).send(new TerminateInstancesCommand({ InstanceIds: instanceIds })),
  );
}

export interface TaggedNat {
  natGatewayId: string;
  state: string;
}

/** The cluster's NAT gateways that are not yet deleted (deleting ones included: they are still going). */
export async function clusterNatGateways(region: string, cluster: string): Promise<TaggedNat[]> {
  const out = await call('DescribeNatGateways', () =>
    ec2(region).send(new DescribeNatGatewaysCommand({ Filter: byCluster(cluster) })),
  );
  return (out.NatGateways ?? [])
    .filter((n) => isOurs(tagMap(n.Tags), cluster) && n.State !== 'deleted')
    .map((n) => ({ natGatewayId: n.NatGatewayId ?? '', state: n.State ?? 'unknown' }));
}

export function deleteNatGateway(region: string, natGatewayId: string): Promise<DeleteOutcome> {
  return deleteIfPresent(
    'DeleteNatGateway',
    () => ec2(region).send(new DeleteNatGatewayCommand({ NatGatewayId: natGatewayId })),
    ['NatGatewayNotFound', 'InvalidNatGatewayID.NotFound'],
  );
}

export async function clusterAddresses(
  region: string,
  cluster: string,
): Promise<{ allocationId: string; associationId: string | undefined }[]> {
  const out = await call('DescribeAddresses', () =>
    ec2(region).send(new DescribeAddressesCommand({ Filters: byCluster(cluster) })),
  );
  return (out.Addresses ?? [])
    .filter((a) => isOurs(tagMap(a.Tags), cluster) && a.AllocationId)
    .map((a) => ({ allocationId: a.AllocationId ?? '', associationId: a.AssociationId }));
}

export function releaseAddress(region: string, allocationId: string): Promise<DeleteOutcome> {
  return deleteIfPresent(
    'ReleaseAddress',
    () => ec2(region).send(new ReleaseAddressCommand({ AllocationId: allocationId })),
    ['InvalidAllocationID.NotFound'],
  );
}

/** The cluster's VPCs (normally one), by tag. */
export async function clusterVpcIds(region: string, cluster: string): Promise<string[]> {
  const out = await call('DescribeVpcs', () =>
    ec2(region).send(new DescribeVpcsCommand({ Filters: byCluster(cluster) })),
  );
  return (out.Vpcs ?? []).filter((v) => isOurs(tagMap(v.Tags), cluster)).map((v) => v.VpcId ?? '');
}

export interface TaggedRouteTable {
  routeTableId: string;
  main: boolean;
  associationIds: string[];
}

export async function clusterRouteTables(
  region: string,
  vpcId: string,
  cluster: string,
): Promise<TaggedRouteTable[]> {
  return (await routeTables(region, vpcId))
    .filter((t) => isOurs(tagMap(t.Tags), cluster))
    .map((t) => ({
      routeTableId: t.RouteTableId ?? '',
      main: (t.Associations ?? []).some((a) => a.Main),
      associationIds: (t.Associations ?? [])
        .filter((a) => !a.Main && a.RouteTableAssociationId)
        .map((a) => a.RouteTableAssociationId ?? ''),
    }));
}

export async function deleteRouteTable(region: string, table: TaggedRouteTable): Promise<DeleteOutcome> {
  for (const associationId of table.associationIds) {
    const outcome = await deleteIfPresent(
      'DisassociateRouteTable',
      () => ec2(region).send(new DisassociateRouteTableCommand({ AssociationId: associationId })),
      ['InvalidAssociationID.NotFound'],
    );
    if (outcome.result === 'blocked') return outcome;
  }
  return deleteIfPresent(
    'DeleteRouteTable',
    () => ec2(region).send(new DeleteRouteTableCommand({ RouteTableId: table.routeTableId })),
    ['InvalidRouteTableID.NotFound'],
  );
}

/** Tagged internet gateways, attached (to any VPC) or left detached by an earlier run. */
export async function clusterInternetGateways(
  region: string,
  cluster: string,
): Promise<{ internetGatewayId: string; vpcIds: string[] }[]> {
  const out = await call('DescribeInternetGateways', () =>
    ec2(region).send(new DescribeInternetGatewaysCommand({ Filters: byCluster(cluster) })),
  );
  return (out.InternetGateways ?? [])
    .filter((g) => isOurs(tagMap(g.Tags), cluster))
    .map((g) => ({
      internetGatewayId: g.InternetGatewayId ?? '',
      vpcIds: (g.Attachments ?? []).map((a) => a.VpcId ?? '').filter(Boolean),
    }));
}

export async function deleteInternetGateway(
  region: string,
  gateway: { internetGatewayId: string; vpcIds: string[] },
): Promise<DeleteOutcome> {
  for (const vpcId of gateway.vpcIds) {
    const outcome = await deleteIfPresent(
      'DetachInternetGateway',
      () =>
        ec2(region).send(
          new DetachInternetGatewayCommand({ InternetGatewayId: gateway.internetGatewayId, VpcId: vpcId }),
        ),
      ['Gateway.NotAttached', 'InvalidInternetGatewayID.NotFound', 'InvalidVpcID.NotFound'],
    );
    if (outcome.result === 'blocked') return outcome;
  }
  return deleteIfPresent(
    'DeleteInternetGateway',
    () =>
      ec2(region).send(new DeleteInternetGatewayCommand({ InternetGatewayId: gateway.internetGatewayId })),
    ['InvalidInternetGatewayID.NotFound'],
  );
}

export async function clusterSubnetIds(region: string, vpcId: string, cluster: string): Promise<string[]> {
  const out = await call('DescribeSubnets', () =>
    ec2(region).send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
  );
  return (out.Subnets ?? []).filter((s) => isOurs(tagMap(s.Tags), cluster)).map((s) => s.SubnetId ?? '');
}

export function deleteSubnet(region: string, subnetId: string): Promise<DeleteOutcome> {
  return deleteIfPresent(
    'DeleteSubnet',
    () => ec2(region).send(new DeleteSubnetCommand({ SubnetId: subnetId })),
    ['InvalidSubnetID.NotFound'],
  );
}

export interface TaggedGroup {
  groupId: string;
  /** Ingress permissions that reference another security group (they block that group's deletion). */
  groupReferences: IpPermission[];
}

export async function clusterSecurityGroups(
  region: string,
  vpcId: string,
  cluster: string,
): Promise<TaggedGroup[]> {
  const out = await call('DescribeSecurityGroups', () =>
    ec2(region).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
  );
  return (out.SecurityGroups ?? [])
    .filter((g) => isOurs(tagMap(g.Tags), cluster) && g.GroupName !== 'default')
    .map((g) => ({
      groupId: g.GroupId ?? '',
      groupReferences: (g.IpPermissions ?? [])
        .filter((p) => (p.UserIdGroupPairs ?? []).length > 0)
        .map((p) => ({
          IpProtocol: p.IpProtocol,
          FromPort: p.FromPort,
          ToPort: p.ToPort,
          UserIdGroupPairs: (p.UserIdGroupPairs ?? []).map((pair) => ({ GroupId: pair.GroupId })),
        })),
    }));
}

/** Drops the group's rules that reference other groups, so those groups can be deleted in any order. */
export async function revokeGroupReferences(region: string, group: TaggedGroup): Promise<void> {
  if (group.groupReferences.length === 0) return;
  await deleteIfPresent(
    'RevokeSecurityGroupIngress',
    () =>
      ec2(region).send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: group.groupId,
          IpPermissions: group.groupReferences,
        }),
      ),
    ['InvalidGroup.NotFound', 'InvalidPermission.NotFound'],
  );
}

export function deleteSecurityGroup(region: string, groupId: string): Promise<DeleteOutcome> {
  return deleteIfPresent(
    'DeleteSecurityGroup',
    () => ec2(region).send(new DeleteSecurityGroupCommand({ GroupId: groupId })),
    ['InvalidGroup.NotFound'],
  );
}

export function deleteVpc(region: string, vpcId: string): Promise<DeleteOutcome> {
  return deleteIfPresent('DeleteVpc', () => ec2(region).send(new DeleteVpcCommand({ VpcId: vpcId })), [
    'InvalidVpcID.NotFound',
  ]);
}
