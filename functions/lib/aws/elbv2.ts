/** ELBv2 adapter: the internal NLB, its target groups, listeners and targets. */
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerAttributesCommand,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type TagMap, tagList, tagMap } from '../domain/tags';
import { elbv2Client } from './clients/elbv2';
import { call, hasCode } from './errors';
import { type DeleteOutcome, deleteIfPresent } from './teardown-common';

const elb = (region: string) => elbv2Client(region);

export interface FoundLoadBalancer {
  arn: string;
  dnsName: string;
  state: string;
  vpcId: string;
  securityGroups: string[];
}

export async function findLoadBalancer(region: string, name: string): Promise<FoundLoadBalancer | undefined> {
  try {
    const out = await call('DescribeLoadBalancers', () =>
      elb(region).send(new DescribeLoadBalancersCommand({ Names: [name] })),
    );
    const lb = out.LoadBalancers?.[0];
    if (!lb) return undefined;
    return {
      arn: lb.LoadBalancerArn ?? '',
      dnsName: lb.DNSName ?? '',
      state: lb.State?.Code ?? 'unknown',
      vpcId: lb.VpcId ?? '',
      securityGroups: lb.SecurityGroups ?? [],
    };
  } catch (error) {
    if (hasCode(error, 'LoadBalancerNotFound', 'LoadBalancerNotFoundException')) return undefined;
    throw error;
  }
}

export async function loadBalancerState(region: string, arn: string): Promise<string> {
  const out = await call('DescribeLoadBalancers', () =>
    elb(region).send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })),
  );
  return out.LoadBalancers?.[0]?.State?.Code ?? 'unknown';
}

export async function tagsOf(region: string, arns: string[]): Promise<Map<string, TagMap>> {
  const result = new Map<string, TagMap>();
  for (let i = 0; i < arns.length; i += 20) {
    const out = await call('DescribeTags', () =>
      elb(region).send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) })),
    );
    for (const d of out.TagDescriptions ?? []) result.set(d.ResourceArn ?? '', tagMap(d.Tags));
  }
  return result;
}

export async function createLoadBalancer(
  region: string,
  input: { name: string; subnetIds: string[]; securityGroupId: string; tags: TagMap },
): Promise<FoundLoadBalancer> {
  const out = await call('CreateLoadBalancer', () =>
    elb(region).send(
      new CreateLoadBalancerCommand({
        Name: input.name,
        Type: 'network',
        Scheme: 'internal',
        IpAddressType: 'ipv4',
        Subnets: input.subnetIds,
        SecurityGroups: [input.securityGroupId],
        Tags: tagList(input.tags),
      }),
    ),
  );
  const lb = out.LoadBalancers?.[0];
  return {
    arn: lb?.LoadBalancerArn ?? '',
    dnsName: lb?.DNSName ?? '',
    state: lb?.State?.Code ?? 'provisioning',
    vpcId: lb?.VpcId ?? '',
    securityGroups: lb?.SecurityGroups ?? [input.securityGroupId],
  };
}

const CROSS_ZONE = 'load_balancing.cross_zone.enabled';

/** Keeps cross-zone load balancing off (the seed's advice: no cross-AZ traffic charges). */
export async function ensureCrossZoneOff(region: string, arn: string): Promise<void> {
  const out = await call('DescribeLoadBalancerAttributes', () =>
    elb(region).send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })),
  );
  const value = out.Attributes?.find((a) => a.Key === CROSS_ZONE)?.Value;
  if (value === undefined || value === 'false') return;
  await call('ModifyLoadBalancerAttributes', () =>
    elb(region).send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [{ Key: CROSS_ZONE, Value: 'false' }],
      }),
    ),
  );
}

export interface FoundTargetGroup {
  arn: string;
  name: string;
  port: number;
  vpcId: string;
}

export async function targetGroupsByName(
  region: string,
  names: string[],
): Promise<Map<string, FoundTargetGroup>> {
  const wanted = new Set(names);
  const result = new Map<string, FoundTargetGroup>();
  let marker: string | undefined;
  do {
    const out = await call('DescribeTargetGroups', () =>
      elb(region).send(new DescribeTargetGroupsCommand({ Marker: marker, PageSize: 400 })),
    );
    for (const tg of out.TargetGroups ?? []) {
      if (tg.TargetGroupName && wanted.has(tg.TargetGroupName)) {
        result.set(tg.TargetGroupName, {
          arn: tg.TargetGroupArn ?? '',
          name: tg.TargetGroupName,
          port: tg.Port ?? 0,
          vpcId: tg.VpcId ?? '',
        });
      }
    }
    marker = out.NextMarker;
  } while (marker);
  return result;
}

export async function createTargetGroup(
  region: string,
  input: { name: string; port: number; vpcId: string; tags: TagMap },
): Promise<FoundTargetGroup> {
  const out = await call('CreateTargetGroup', () =>
    elb(region).send(
      new CreateTargetGroupCommand({
        Name: input.name,
        Protocol: 'TCP',
        Port: input.port,
        VpcId: input.vpcId,
        TargetType: 'instance',
        HealthCheckProtocol: 'TCP',
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        Tags: tagList(input.tags),
      }),
    ),
  );
  const tg = out.TargetGroups?.[0];
  return { arn: tg?.TargetGroupArn ?? '', name: input.name, port: input.port, vpcId: input.vpcId };
}

/** Every target group in a VPC (the cluster's own and, for an existing cluster, the user's too). */
export async function targetGroupsInVpc(region: string, vpcId: string): Promise<FoundTargetGroup[]> {
  const result: FoundTargetGroup[] = [];
  let marker: string | undefined;
  do {
    const out = await call('DescribeTargetGroups', () =>
      elb(region).send(new DescribeTargetGroupsCommand({ Marker: marker, PageSize: 400 })),
    );
    for (const tg of out.TargetGroups ?? []) {
      if (tg.VpcId !== vpcId) continue;
      result.push({
        arn: tg.TargetGroupArn ?? '',
        name: tg.TargetGroupName ?? '',
        port: tg.Port ?? 0,
        vpcId,
      });
    }
    marker = out.NextMarker;
  } while (marker);
  return result;
}

/** Deletes one listener (its target group stays); already gone is a no-op. */
export function deleteListener(region: string, arn: string): Promise<DeleteOutcome> {
  return deleteIfPresent(
    'DeleteListener',
    () => elb(region).send(new DeleteListenerCommand({ ListenerArn: arn })),
    ['ListenerNotFound', 'ListenerNotFoundException'],
  );
}

export interface FoundListener {
  arn: string;
  port: number;
  targetGroupArn: string;
}

export async function listeners(region: string, loadBalancerArn: string): Promise<FoundListener[]> {
  const result: FoundListener[] = [];
  let marker: string | undefined;
  do {
    const out = await call('DescribeListeners', () =>
      elb(region).send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker })),
    );
    for (const l of out.Listeners ?? []) {
      const forward = l.DefaultActions?.find((a) => a.Type === 'forward');
      result.push({
        arn: l.ListenerArn ?? '',
        port: l.Port ?? 0,
        targetGroupArn:
          forward?.TargetGroupArn ?? forward?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ?? '',
      });
    }
    marker = out.NextMarker;
  } while (marker);
  return result;
}

export async function createListener(
  region: string,
  input: { loadBalancerArn: string; port: number; targetGroupArn: string; tags: TagMap },
): Promise<FoundListener> {
  const out = await call('CreateListener', () =>
    elb(region).send(
      new CreateListenerCommand({
        LoadBalancerArn: input.loadBalancerArn,
        Protocol: 'TCP',
        Port: input.port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: input.targetGroupArn }],
        Tags: tagList(input.tags),
      }),
    ),
  );
  return {
    arn: out.Listeners?.[0]?.ListenerArn ?? '',
    port: input.port,
    targetGroupArn: input.targetGroupArn,
  };
}

export async function pointListener(
  region: string,
  listenerArn: string,
  targetGroupArn: string,
): Promise<void> {
  await call('ModifyListener', () =>
    elb(region).send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      }),
    ),
  );
}

const TCP_IDLE_TIMEOUT = 'tcp.idle_timeout.seconds';

/** Sets a TCP listener's idle timeout unless it already has that value (a re-run changes nothing). */
export async function ensureListenerIdleTimeout(
  region: string,
  listenerArn: string,
  seconds: number,
): Promise<boolean> {
  const out = await call('DescribeListenerAttributes', () =>
    elb(region).send(new DescribeListenerAttributesCommand({ ListenerArn: listenerArn })),
  );
  if (out.Attributes?.find((a) => a.Key === TCP_IDLE_TIMEOUT)?.Value === String(seconds)) return false;
  await setListenerIdleTimeout(region, listenerArn, seconds);
  return true;
}

/** Sets a listener's TCP idle timeout without reading it first (a listener just created has the default). */
export async function setListenerIdleTimeout(
  region: string,
  listenerArn: string,
  seconds: number,
): Promise<void> {
  await call('ModifyListenerAttributes', () =>
    elb(region).send(
      new ModifyListenerAttributesCommand({
        ListenerArn: listenerArn,
        Attributes: [{ Key: TCP_IDLE_TIMEOUT, Value: String(seconds) }],
      }),
    ),
  );
}

export interface TargetHealth {
  instanceId: string;
  port: number;
  state: string;
  reason: string;
}

export async function targetHealth(region: string, targetGroupArn: string): Promise<TargetHealth[]> {
  const out = await call('DescribeTargetHealth', () =>
    elb(region).send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
  );
  return (out.TargetHealthDescriptions ?? []).map((d) => ({
    instanceId: d.Target?.Id ?? '',
    port: d.Target?.Port ?? 0,
    state: d.TargetHealth?.State ?? 'unknown',
    reason: [d.TargetHealth?.Reason, d.TargetHealth?.Description].filter(Boolean).join(': '),
  }));
}

export async function registerTargets(
  region: string,
  targetGroupArn: string,
  targets: { instanceId: string; port: number }[],
): Promise<void> {
  if (targets.length === 0) return;
  await call('RegisterTargets', () =>
    elb(region).send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: targets.map((t) => ({ Id: t.instanceId, Port: t.port })),
      }),
    ),
  );
}

export async function addTags(region: string, arn: string, tags: TagMap): Promise<void> {
  await call('AddTags', () =>
    elb(region).send(new AddTagsCommand({ ResourceArns: [arn], Tags: tagList(tags) })),
  );
}
