/**
 * Endpoint service teardown adapter: the cluster's service configurations, their connection
 * notifications, and the deletion itself. DescribeVpcEndpointConnectionNotifications is an emulator gap
 * (moto answers HTTP 500): against an emulator only, it warns and reports none.
 */
import {
  DeleteVpcEndpointConnectionNotificationsCommand,
  DeleteVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointConnectionNotificationsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
} from '@aws-sdk/client-ec2';
import { isOurs, tagMap } from '../domain/tags';
import { ApiNotImplementedError } from '../errors';
import { emulatorMode, moduleLogger } from '../logger';
import { ec2Client } from './clients/ec2';
import { call } from './errors';
import { BLOCKED_CODES, type DeleteOutcome, deleteIfPresent } from './teardown-common';

const ec2 = (region: string) => ec2Client(region);
const log = moduleLogger('teardown-endpoint-service');
const NOT_FOUND = ['InvalidVpcEndpointServiceId.NotFound', 'InvalidVpcEndpointService.NotFound'];

export interface ClusterService {
  serviceId: string;
  state: string;
}

/** Services tagged for the cluster or fronting one of its load balancers (tags can be lost), not yet deleted. */
export async function clusterServices(
  region: string,
  cluster: string,
  loadBalancerArns: string[],
): Promise<ClusterService[]> {
  const result: ClusterService[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeVpcEndpointServiceConfigurations', () =>
      ec2(region).send(new DescribeVpcEndpointServiceConfigurationsCommand({ NextToken: token })),
    );
    for (const s of out.ServiceConfigurations ?? []) {
      const mine =
        isOurs(tagMap(s.Tags), cluster) ||
        (s.NetworkLoadBalancerArns ?? []).some((arn) => loadBalancerArns.includes(arn));
      if (mine && s.ServiceState !== 'Deleted') {
        result.push({ serviceId: s.ServiceId ?? '', state: s.ServiceState ?? 'unknown' });
      }
    }
    token = out.NextToken;
  } while (token);
  return result;
}

export async function deleteConnectionNotifications(region: string, serviceId: string): Promise<number> {
  let ids: string[];
  try {
    const out = await call('DescribeVpcEndpointConnectionNotifications', () =>
      ec2(region).send(
        new DescribeVpcEndpointConnectionNotificationsCommand({
          Filters: [{ Name: 'service-id', Values: [serviceId] }],
        }),
      ),
    );
    ids = (out.ConnectionNotificationSet ?? []).map((n) => n.ConnectionNotificationId ?? '').filter(Boolean);
  } catch (error) {
    if (error instanceof ApiNotImplementedError && emulatorMode()) {
      log.warn('emulator gap: connection notifications are not implemented; none to delete', { serviceId });
      return 0;
    }
    throw error;
  }
  if (ids.length === 0) return 0;
  await call('DeleteVpcEndpointConnectionNotifications', () =>
    ec2(region).send(new DeleteVpcEndpointConnectionNotificationsCommand({ ConnectionNotificationIds: ids })),
  );
  return ids.length;
}

/** Deletes one service configuration; the call "succeeds with failures", so `Unsuccessful` is read. */
export async function deleteService(region: string, serviceId: string): Promise<DeleteOutcome> {
  let unsuccessful: { code: string; message: string }[] = [];
  const outcome = await deleteIfPresent(
    'DeleteVpcEndpointServiceConfigurations',
    async () => {
      const out = await ec2(region).send(
        new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
      );
      unsuccessful = (out.Unsuccessful ?? []).map((u) => ({
        code: u.Error?.Code ?? '',
        message: u.Error?.Message ?? '',
      }));
    },
    NOT_FOUND,
  );
  const failure = unsuccessful[0];
  if (outcome.result !== 'deleted' || !failure) return outcome;
  if (NOT_FOUND.includes(failure.code)) return { result: 'gone' };
  // e.g. existing endpoint connections that are not rejected yet: blocked, reported by the polling loop.
  if (BLOCKED_CODES.includes(failure.code) || /connection/i.test(failure.message)) {
    return { result: 'blocked', reason: `${failure.code}: ${failure.message}` };
  }
  return { result: 'blocked', reason: `${failure.code || 'Unsuccessful'}: ${failure.message}` };
}
