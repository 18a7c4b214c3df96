/**
 * ELBv2 teardown adapter: the cluster's load balancers and target groups, found by tag (every one the
 * account has, tags read 20 at a time) and deleted; already gone is a no-op, still in use is "blocked".
 */
import {
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isOurs } from '../domain/tags';
import { elbv2Client } from './clients/elbv2';
import { tagsOf } from './elbv2';
import { call } from './errors';
import { type DeleteOutcome, deleteIfPresent } from './teardown-common';

const elb = (region: string) => elbv2Client(region);

async function allLoadBalancerArns(region: string): Promise<string[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const out = await call('DescribeLoadBalancers', () =>
      elb(region).send(new DescribeLoadBalancersCommand({ Marker: marker, PageSize: 400 })),
    );
    arns.push(...(out.LoadBalancers ?? []).map((l) => l.LoadBalancerArn ?? '').filter(Boolean));
    marker = out.NextMarker;
  } while (marker);
  return arns;
}

async function allTargetGroupArns(region: string): Promise<string[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const out = await call('DescribeTargetGroups', () =>
      elb(region).send(new DescribeTargetGroupsCommand({ Marker: marker, PageSize: 400 })),
    );
    arns.push(...(out.TargetGroups ?? []).map((t) => t.TargetGroupArn ?? '').filter(Boolean));
    marker = out.NextMarker;
  } while (marker);
  return arns;
}

async function ours(region: string, cluster: string, arns: string[]): Promise<string[]> {
  if (arns.length === 0) return [];
  const tags = await tagsOf(region, arns);
  return arns.filter((arn) => isOurs(tags.get(arn) ?? {}, cluster));
}

export async function clusterLoadBalancerArns(region: string, cluster: string): Promise<string[]> {
  return ours(region, cluster, await allLoadBalancerArns(region));
}

export async function clusterTargetGroupArns(region: string, cluster: string): Promise<string[]> {
  return ours(region, cluster, await allTargetGroupArns(region));
}

/** Deletes the load balancer and, with it, its listeners. */
export function deleteLoadBalancer(region: string, arn: string): Promise<DeleteOutcome> {
  return deleteIfPresent(
    'DeleteLoadBalancer',
    () => elb(region).send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })),
    ['LoadBalancerNotFound', 'LoadBalancerNotFoundException'],
  );
}

export function deleteTargetGroup(region: string, arn: string): Promise<DeleteOutcome> {
  return deleteIfPresent(
    'DeleteTargetGroup',
    () => elb(region).send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })),
    ['TargetGroupNotFound', 'TargetGroupNotFoundException'],
  );
}
