/**
 * EC2 network adapter: find-by-tag, then create. Lookups filter by VPC on the server and match our tags
 * in code (some endpoints, moto among them, ignore tag filters on some resources).
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  type Filter,
  type IpPermission,
  ModifyVpcAttributeCommand,
  type ResourceType,
  RevokeSecurityGroupIngressCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { IngressRule } from '../domain/security-rules';
import { isOurs, type TagMap, tagList, tagMap } from '../domain/tags';
import { ResourceConflictError } from '../errors';
import { ec2Client } from './clients/ec2';
import { call } from './errors';

const ec2 = (region: string) => ec2Client(region);

export const tagSpec = (type: ResourceType, tags: TagMap) => [{ ResourceType: type, Tags: tagList(tags) }];
const vpcFilter = (vpcId: string): Filter[] => [{ Name: 'vpc-id', Values: [vpcId] }];

function single<T>(items: T[], what: string): T | undefined {
  if (items.length > 1)
    throw new ResourceConflictError(`found ${items.length} ${what}; expected at most one`);
  return items[0];
}

export async function availabilityZones(
  region: string,
): Promise<{ zoneId: string; zoneName: string; state: string }[]> {
  const out = await call('DescribeAvailabilityZones', () =>
    ec2(region).send(new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: false })),
  );
  return (out.AvailabilityZones ?? []).map((z) => ({
    zoneId: z.ZoneId ?? '',
    zoneName: z.ZoneName ?? '',
    state: z.State ?? 'unknown',
  }));
}

/**
 * The locations (AZ IDs, or the region) where an instance type is offered
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html: LocationType
 * availability-zone-id, filters instance-type and location); without `instanceType`, every type offered there.
 */
export async function instanceTypeOfferings(
  region: string,
  query: { locationType: 'availability-zone-id' | 'region'; instanceType?: string; locations?: string[] },
): Promise<{ instanceType: string; location: string }[]> {
  const filters = [
    ...(query.instanceType ? [{ Name: 'instance-type', Values: [query.instanceType] }] : []),
    ...(query.locations ? [{ Name: 'location', Values: query.locations }] : []),
  ];
  const result: { instanceType: string; location: string }[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeInstanceTypeOfferings', () =>
      ec2(region).send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: query.locationType,
          Filters: filters.length > 0 ? filters : undefined,
          NextToken: token,
        }),
      ),
    );
    for (const offering of out.InstanceTypeOfferings ?? [])
      result.push({ instanceType: offering.InstanceType ?? '', location: offering.Location ?? '' });
    token = out.NextToken;
  } while (token);
  return result;
}

export interface FoundVpc {
  vpcId: string;
  cidr: string;
}

export async function findVpc(region: string, cluster: string, role: string): Promise<FoundVpc | undefined> {
  const out = await call('DescribeVpcs', () =>
    ec2(region).send(
      new DescribeVpcsCommand({
        Filters: [
          { Name: 'tag:kafka-plc:cluster', Values: [cluster] },
          { Name: 'tag:kafka-plc:role', Values: [role] },
        ],
      }),
    ),
  );
  const ours = (out.Vpcs ?? []).filter((v) => isOurs(tagMap(v.Tags), cluster, role));
  const vpc = single(ours, `VPCs tagged for cluster ${cluster}`);
  return vpc ? { vpcId: vpc.VpcId ?? '', cidr: vpc.CidrBlock ?? '' } : undefined;
}

export async function describeVpc(region: string, vpcId: string): Promise<FoundVpc> {
  const out = await call('DescribeVpcs', () =>
    ec2(region).send(new DescribeVpcsCommand({ VpcIds: [vpcId] })),
  );
  const vpc = out.Vpcs?.[0];
  if (!vpc) throw new ResourceConflictError(`VPC ${vpcId} not found`);
  return { vpcId, cidr: vpc.CidrBlock ?? '' };
}

export async function createVpc(region: string, cidr: string, tags: TagMap): Promise<string> {
  const out = await call('CreateVpc', () =>
    ec2(region).send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: tagSpec('vpc', tags) })),
  );
  return out.Vpc?.VpcId ?? '';
}

export async function ensureDnsHostnames(region: string, vpcId: string): Promise<void> {
  const out = await call('DescribeVpcAttribute', () =>
    ec2(region).send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' })),
  );
  if (out.EnableDnsHostnames?.Value) return;
  await call('ModifyVpcAttribute', () =>
    ec2(region).send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } })),
  );
}

export interface FoundSubnet {
  subnetId: string;
  cidr: string;
  azId: string;
  tags: TagMap;
}

export async function subnets(region: string, vpcId: string): Promise<FoundSubnet[]> {
  const out = await call('DescribeSubnets', () =>
    ec2(region).send(new DescribeSubnetsCommand({ Filters: vpcFilter(vpcId) })),
  );
  return (out.Subnets ?? []).map((s) => ({
    subnetId: s.SubnetId ?? '',
    cidr: s.CidrBlock ?? '',
    azId: s.AvailabilityZoneId ?? '',
    tags: tagMap(s.Tags),
  }));
}

export async function createSubnet(
  region: string,
  input: { vpcId: string; cidr: string; azId: string; tags: TagMap },
): Promise<FoundSubnet> {
  const out = await call('CreateSubnet', () =>
    ec2(region).send(
      new CreateSubnetCommand({
        VpcId: input.vpcId,
        CidrBlock: input.cidr,
        AvailabilityZoneId: input.azId,
        TagSpecifications: tagSpec('subnet', input.tags),
      }),
    ),
  );
  return { subnetId: out.Subnet?.SubnetId ?? '', cidr: input.cidr, azId: input.azId, tags: input.tags };
}

export async function ensureInternetGateway(region: string, vpcId: string, tags: TagMap): Promise<string> {
  const attached = await call('DescribeInternetGateways', () =>
    ec2(region).send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
    ),
  );
  const existing = attached.InternetGateways?.[0]?.InternetGatewayId;
  if (existing) return existing;
  const tagged = await call('DescribeInternetGateways', () =>
    ec2(region).send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: 'tag:kafka-plc:cluster', Values: [tags['kafka-plc:cluster'] ?? ''] }],
      }),
    ),
  );
  let igwId = (tagged.InternetGateways ?? []).find(
    (g) => (g.Attachments ?? []).length === 0 && isOurs(tagMap(g.Tags), tags['kafka-plc:cluster'] ?? ''),
  )?.InternetGatewayId;
  if (!igwId) {
    const created = await call('CreateInternetGateway', () =>
      ec2(region).send(
        new CreateInternetGatewayCommand({ TagSpecifications: tagSpec('internet-gateway', tags) }),
      ),
    );
    igwId = created.InternetGateway?.InternetGatewayId ?? '';
  }
  const id = igwId;
  await call('AttachInternetGateway', () =>
    ec2(region).send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId })),
  );
  return id;
}

export async function routeTables(region: string, vpcId: string): Promise<RouteTable[]> {
  const out = await call('DescribeRouteTables', () =>
    ec2(region).send(new DescribeRouteTablesCommand({ Filters: vpcFilter(vpcId) })),
  );
  return out.RouteTables ?? [];
}

/** A tagged route table with a default route to `target` and associations to `subnetIds`. */
export async function ensureRouteTable(
  region: string,
  input: {
    vpcId: string;
    cluster: string;
    role: string;
    tags: TagMap;
    target: { gatewayId: string } | { natGatewayId: string };
    subnetIds: string[];
  },
): Promise<string> {
  const tables = await routeTables(region, input.vpcId);
  let table = single(
    tables.filter((t) => isOurs(tagMap(t.Tags), input.cluster, input.role)),
    `route tables with role ${input.role}`,
  );
  if (!table) {
    const created = await call('CreateRouteTable', () =>
      ec2(region).send(
        new CreateRouteTableCommand({
          VpcId: input.vpcId,
          TagSpecifications: tagSpec('route-table', input.tags),
        }),
      ),
    );
    table = created.RouteTable ?? {};
  }
  const tableId = table.RouteTableId ?? '';
  const defaultRoute = (table.Routes ?? []).find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
  const wanted = 'gatewayId' in input.target ? input.target.gatewayId : input.target.natGatewayId;
  const current = defaultRoute?.GatewayId ?? defaultRoute?.NatGatewayId;
  if (current !== wanted) {
    if (current)
      throw new ResourceConflictError(`route table ${tableId} sends 0.0.0.0/0 to ${current}, not ${wanted}`);
    await call('CreateRoute', () =>
      ec2(region).send(
        new CreateRouteCommand({
          RouteTableId: tableId,
          DestinationCidrBlock: '0.0.0.0/0',
          ...('gatewayId' in input.target
            ? { GatewayId: input.target.gatewayId }
            : { NatGatewayId: input.target.natGatewayId }),
        }),
      ),
    );
  }
  const associated = new Set((table.Associations ?? []).map((a) => a.SubnetId));
  for (const subnetId of input.subnetIds.filter((id) => !associated.has(id))) {
    await call('AssociateRouteTable', () =>
      ec2(region).send(new AssociateRouteTableCommand({ RouteTableId: tableId, SubnetId: subnetId })),
    );
  }
  return tableId;
}

export async function ensureElasticIp(
  region: string,
  cluster: string,
  tags: TagMap,
  role: string,
): Promise<string> {
  const out = await call('DescribeAddresses', () =>
    ec2(region).send(
      new DescribeAddressesCommand({ Filters: [{ Name: 'tag:kafka-plc:cluster', Values: [cluster] }] }),
    ),
  );
  const found = (out.Addresses ?? []).find((a) => isOurs(tagMap(a.Tags), cluster, role));
  if (found?.AllocationId) return found.AllocationId;
  const created = await call('AllocateAddress', () =>
    ec2(region).send(
      new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: tagSpec('elastic-ip', tags) }),
    ),
  );
  return created.AllocationId ?? '';
}

export interface FoundNat {
  natGatewayId: string;
  state: string;
}

export async function findNatGateway(region: string, vpcId: string, cluster: string, role: string) {
  const out = await call('DescribeNatGateways', () =>
    ec2(region).send(new DescribeNatGatewaysCommand({ Filter: vpcFilter(vpcId) })),
  );
  const live = (out.NatGateways ?? []).filter(
    (n) =>
      isOurs(tagMap(n.Tags), cluster, role) && !['deleting', 'deleted', 'failed'].includes(n.State ?? ''),
  );
  const nat = single(live, `NAT gateways of cluster ${cluster}`);
  return nat ? { natGatewayId: nat.NatGatewayId ?? '', state: nat.State ?? 'unknown' } : undefined;
}

export async function createNatGateway(
  region: string,
  input: { subnetId: string; allocationId: string; tags: TagMap },
): Promise<FoundNat> {
  const out = await call('CreateNatGateway', () =>
    ec2(region).send(
      new CreateNatGatewayCommand({
        SubnetId: input.subnetId,
        AllocationId: input.allocationId,
        TagSpecifications: tagSpec('natgateway', input.tags),
      }),
    ),
  );
  return { natGatewayId: out.NatGateway?.NatGatewayId ?? '', state: out.NatGateway?.State ?? 'pending' };
}

export async function natGatewayState(region: string, natGatewayId: string): Promise<string> {
  const out = await call('DescribeNatGateways', () =>
    ec2(region).send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natGatewayId] })),
  );
  return out.NatGateways?.[0]?.State ?? 'unknown';
}

export interface FoundGroup {
  groupId: string;
  /** With the description each rule has: a revoke names the rule exactly as it stands. */
  rules: (Pick<IngressRule, 'fromPort' | 'toPort' | 'source'> & { description?: string })[];
}

function rulesOf(permissions: IpPermission[] | undefined): FoundGroup['rules'] {
  return (permissions ?? []).flatMap((p) => {
    const base = { fromPort: p.FromPort ?? 0, toPort: p.ToPort ?? 0 };
    if (p.IpProtocol !== 'tcp') return [];
    return [
      ...(p.IpRanges ?? []).map((r) => ({
        ...base,
        source: { cidr: r.CidrIp ?? '' },
        description: r.Description,
      })),
      ...(p.UserIdGroupPairs ?? []).map((g) => ({
        ...base,
        source: { groupId: g.GroupId ?? '' },
        description: g.Description,
      })),
    ];
  });
}

/** Every security group in a VPC with its TCP ingress rules (read-only: `kafka-plc status`). */
export async function securityGroupsInVpc(
  region: string,
  vpcId: string,
): Promise<(FoundGroup & { name: string })[]> {
  const out = await call('DescribeSecurityGroups', () =>
    ec2(region).send(new DescribeSecurityGroupsCommand({ Filters: vpcFilter(vpcId) })),
  );
  return (out.SecurityGroups ?? []).map((g) => ({
    name: g.GroupName ?? '',
    groupId: g.GroupId ?? '',
    rules: rulesOf(g.IpPermissions),
  }));
}

export async function ensureSecurityGroup(
  region: string,
  input: { vpcId: string; name: string; description: string; tags: TagMap },
): Promise<FoundGroup> {
  const out = await call('DescribeSecurityGroups', () =>
    ec2(region).send(
      new DescribeSecurityGroupsCommand({
        Filters: [...vpcFilter(input.vpcId), { Name: 'group-name', Values: [input.name] }],
      }),
    ),
  );
  const group = out.SecurityGroups?.[0];
  if (group?.GroupId) return { groupId: group.GroupId, rules: rulesOf(group.IpPermissions) };
  const created = await call('CreateSecurityGroup', () =>
    ec2(region).send(
      new CreateSecurityGroupCommand({
        VpcId: input.vpcId,
        GroupName: input.name,
        Description: input.description,
        TagSpecifications: tagSpec('security-group', input.tags),
      }),
    ),
  );
  return { groupId: created.GroupId ?? '', rules: [] };
}

function permission(
  rule: Pick<IngressRule, 'fromPort' | 'toPort' | 'source'> & { description?: string },
): IpPermission {
  const base = { IpProtocol: 'tcp', FromPort: rule.fromPort, ToPort: rule.toPort };
  return 'cidr' in rule.source
    ? { ...base, IpRanges: [{ CidrIp: rule.source.cidr, Description: rule.description }] }
    : { ...base, UserIdGroupPairs: [{ GroupId: rule.source.groupId, Description: rule.description }] };
}

export async function authorizeIngress(region: string, groupId: string, rules: IngressRule[]): Promise<void> {
  if (rules.length === 0) return;
  await call('AuthorizeSecurityGroupIngress', () =>
    ec2(region).send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rules.map(permission) }),
    ),
  );
}

export async function revokeIngress(
  region: string,
  groupId: string,
  rules: FoundGroup['rules'],
): Promise<void> {
  if (rules.length === 0) return;
  await call('RevokeSecurityGroupIngress', () =>
    ec2(region).send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rules.map(permission) }),
    ),
  );
}
