/**
 * VPC endpoint service adapter (PrivateLink provider side). DescribeVpcEndpointConnections,
 * Accept/RejectVpcEndpointConnections and the connection-notification calls are emulator gaps (moto
 * answers HTTP 500); they are tested with aws-sdk-client-mock, and against an emulator only, the
 * notification call warns and is skipped.
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  CreateVpcEndpointConnectionNotificationCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DescribeVpcEndpointConnectionNotificationsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  ModifyVpcEndpointServiceConfigurationCommand,
  ModifyVpcEndpointServicePermissionsCommand,
  RejectVpcEndpointConnectionsCommand,
  type ServiceConfiguration,
} from '@aws-sdk/client-ec2';
import { isOurs, type TagMap, tagMap } from '../domain/tags';
import { ApiNotImplementedError } from '../errors';
import { emulatorMode, moduleLogger } from '../logger';
import { ec2Client } from './clients/ec2';
import { tagSpec } from './ec2-network';
import { call } from './errors';

const ec2 = (region: string) => ec2Client(region);
const log = moduleLogger('endpoint-service');

export interface FoundService {
  serviceId: string;
  serviceName: string;
  state: string;
  acceptanceRequired: boolean;
  loadBalancerArns: string[];
}

function found(s: ServiceConfiguration): FoundService {
  return {
    serviceId: s.ServiceId ?? '',
    serviceName: s.ServiceName ?? '',
    state: s.ServiceState ?? 'unknown',
    acceptanceRequired: s.AcceptanceRequired ?? false,
    loadBalancerArns: s.NetworkLoadBalancerArns ?? [],
  };
}

async function allServices(region: string): Promise<ServiceConfiguration[]> {
  const result: ServiceConfiguration[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeVpcEndpointServiceConfigurations', () =>
      ec2(region).send(new DescribeVpcEndpointServiceConfigurationsCommand({ NextToken: token })),
    );
    result.push(...(out.ServiceConfigurations ?? []));
    token = out.NextToken;
  } while (token);
  return result;
}

/** The cluster's service: tagged for it, or (if tags were lost) the one fronting its NLB. */
export async function findService(
  region: string,
  cluster: string,
  role: string,
  loadBalancerArn: string,
): Promise<FoundService | undefined> {
  const services = (await allServices(region)).filter(
    (s) => !['Deleting', 'Deleted', 'Failed'].includes(s.ServiceState ?? ''),
  );
  const match =
    services.find((s) => isOurs(tagMap(s.Tags), cluster, role)) ??
    services.find((s) => (s.NetworkLoadBalancerArns ?? []).includes(loadBalancerArn));
  return match ? found(match) : undefined;
}

export async function serviceById(region: string, serviceId: string): Promise<FoundService | undefined> {
  const out = await call('DescribeVpcEndpointServiceConfigurations', () =>
    ec2(region).send(new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] })),
  );
  const s = out.ServiceConfigurations?.[0];
  return s ? found(s) : undefined;
}

export async function createService(
  region: string,
  loadBalancerArn: string,
  tags: TagMap,
): Promise<FoundService> {
  const out = await call('CreateVpcEndpointServiceConfiguration', () =>
    ec2(region).send(
      new CreateVpcEndpointServiceConfigurationCommand({
        NetworkLoadBalancerArns: [loadBalancerArn],
        AcceptanceRequired: true,
        TagSpecifications: tagSpec('vpc-endpoint-service', tags),
      }),
    ),
  );
  return found(out.ServiceConfiguration ?? {});
}

export async function requireAcceptance(region: string, serviceId: string): Promise<void> {
  await call('ModifyVpcEndpointServiceConfiguration', () =>
    ec2(region).send(
      new ModifyVpcEndpointServiceConfigurationCommand({ ServiceId: serviceId, AcceptanceRequired: true }),
    ),
  );
}

export async function allowedPrincipals(region: string, serviceId: string): Promise<string[]> {
  const out = await call('DescribeVpcEndpointServicePermissions', () =>
    ec2(region).send(new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: serviceId })),
  );
  return (out.AllowedPrincipals ?? []).map((p) => p.Principal ?? '').filter(Boolean);
}

export async function modifyPrincipals(
  region: string,
  serviceId: string,
  add: string[],
  remove: string[],
): Promise<void> {
  if (add.length === 0 && remove.length === 0) return;
  await call('ModifyVpcEndpointServicePermissions', () =>
    ec2(region).send(
      new ModifyVpcEndpointServicePermissionsCommand({
        ServiceId: serviceId,
        ...(add.length > 0 ? { AddAllowedPrincipals: add } : {}),
        ...(remove.length > 0 ? { RemoveAllowedPrincipals: remove } : {}),
      }),
    ),
  );
}

/**
 * Subscribes the SNS topic to the service's Connect events, once. Returns 'exists' | 'created' |
 * 'skipped' (emulator gap).
 */
export async function ensureConnectionNotification(
  region: string,
  serviceId: string,
  topicArn: string,
): Promise<'exists' | 'created' | 'skipped'> {
  try {
    const out = await call('DescribeVpcEndpointConnectionNotifications', () =>
      ec2(region).send(
        new DescribeVpcEndpointConnectionNotificationsCommand({
          Filters: [{ Name: 'service-id', Values: [serviceId] }],
        }),
      ),
    );
    const existing = (out.ConnectionNotificationSet ?? []).find(
      (n) => n.ConnectionNotificationArn === topicArn && (n.ConnectionEvents ?? []).includes('Connect'),
    );
    if (existing) return 'exists';
    await call('CreateVpcEndpointConnectionNotification', () =>
      ec2(region).send(
        new CreateVpcEndpointConnectionNotificationCommand({
          ServiceId: serviceId,
          ConnectionNotificationArn: topicArn,
          ConnectionEvents: ['Connect'],
        }),
      ),
    );
    return 'created';
  } catch (error) {
    if (error instanceof ApiNotImplementedError && emulatorMode()) {
      log.warn(
        'emulator gap: connection notifications are not implemented; the SNS fast path is not wired here',
        {
          operation: error.operation,
        },
      );
      return 'skipped';
    }
    throw error;
  }
}

export interface EndpointConnection {
  vpcEndpointId: string;
  vpcEndpointOwner: string;
  vpcEndpointState: string;
  /** When the consumer created its endpoint (CreationTimestamp), ISO 8601. */
  createdAt?: string;
}

export async function endpointConnections(
  region: string,
  serviceId: string,
  state?: string,
): Promise<EndpointConnection[]> {
  const result: EndpointConnection[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeVpcEndpointConnections', () =>
      ec2(region).send(
        new DescribeVpcEndpointConnectionsCommand({
          Filters: [
            { Name: 'service-id', Values: [serviceId] },
            ...(state ? [{ Name: 'vpc-endpoint-state', Values: [state] }] : []),
          ],
          NextToken: token,
        }),
      ),
    );
    for (const c of out.VpcEndpointConnections ?? []) {
      result.push({
        vpcEndpointId: c.VpcEndpointId ?? '',
        vpcEndpointOwner: c.VpcEndpointOwner ?? '',
        vpcEndpointState: c.VpcEndpointState ?? 'unknown',
        ...(c.CreationTimestamp ? { createdAt: new Date(c.CreationTimestamp).toISOString() } : {}),
      });
    }
    token = out.NextToken;
  } while (token);
  return result;
}

export interface UnsuccessfulItem {
  ResourceId?: string;
  Error?: { Code?: string; Message?: string };
}

export async function acceptConnections(
  region: string,
  serviceId: string,
  endpointIds: string[],
): Promise<UnsuccessfulItem[]> {
  if (endpointIds.length === 0) return [];
  const out = await call('AcceptVpcEndpointConnections', () =>
    ec2(region).send(
      new AcceptVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: endpointIds }),
    ),
  );
  return out.Unsuccessful ?? [];
}

export async function rejectConnections(
  region: string,
  serviceId: string,
  endpointIds: string[],
): Promise<UnsuccessfulItem[]> {
  if (endpointIds.length === 0) return [];
  const out = await call('RejectVpcEndpointConnections', () =>
    ec2(region).send(
      new RejectVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: endpointIds }),
    ),
  );
  return out.Unsuccessful ?? [];
}

/** Every endpoint service of kafka-plc clusters in the region (tagged kafka-plc:cluster), with its cluster. */
export async function clusterServices(region: string): Promise<(FoundService & { cluster: string })[]> {
  return (await allServices(region))
    .filter((s) => !['Deleting', 'Deleted', 'Failed'].includes(s.ServiceState ?? ''))
    .map((s) => ({ ...found(s), cluster: tagMap(s.Tags)['kafka-plc:cluster'] ?? '' }))
    .filter((s) => s.cluster !== '');
}
