/**
 * The internal NLB in the broker subnets (security group set at creation, cross-zone off), one TCP target
 * group per planned listener, the listeners exactly as the plan's map; then the endpoint service on it.
 */
import * as elb from '../aws/elbv2';
import * as eps from '../aws/endpoint-service';
import * as ssm from '../aws/ssm';
import { deleteTargetGroup } from '../aws/teardown-elbv2';
import {
  describeHealth,
  healthReport,
  listenerActions,
  principalChanges,
  staleLoadBalancerParts,
  targetsToRegister,
} from '../domain/converge';
import type { Plan } from '../domain/plan';
import { planCluster } from '../domain/plan';
import { isOurs, ROLES, resourceTags } from '../domain/tags';
import { requireEnv } from '../env';
import { ResourceConflictError, TargetsUnhealthyError } from '../errors';
import { moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';
import type { BrokersRefs } from './brokers';
import { recordAppliedSpec } from './cluster-record';
import type { NetworkRefs, ReadyStatus } from './network';

const log = moduleLogger('load-balancer');

export interface LoadBalancerRefs {
  loadBalancerArn: string;
  loadBalancerDnsName: string;
  /** Target group ARN by planned target group name. */
  targetGroupArns: Record<string, string>;
}

export async function ensureLoadBalancer(spec: ClusterSpec, network: NetworkRefs): Promise<LoadBalancerRefs> {
  const plan = planCluster(spec);
  const region = plan.region;
  let lb = await elb.findLoadBalancer(region, plan.loadBalancer.name);
  if (lb) {
    const tags = (await elb.tagsOf(region, [lb.arn])).get(lb.arn) ?? {};
    if (!isOurs(tags, plan.clusterName) || lb.vpcId !== network.vpcId) {
      throw new ResourceConflictError(
        `a load balancer named ${plan.loadBalancer.name} exists and is not this cluster's`,
      );
    }
  } else {
    lb = await elb.createLoadBalancer(region, {
      name: plan.loadBalancer.name,
      subnetIds: network.brokerSubnetIds,
      securityGroupId: network.nlbSecurityGroupId,
      tags: resourceTags(plan.clusterName, ROLES.loadBalancer),
    });
    log.info('created NLB', { arn: lb.arn });
  }
  await elb.ensureCrossZoneOff(region, lb.arn);

  const names = plan.loadBalancer.listeners.map((l) => l.targetGroupName);
  const groups = await elb.targetGroupsByName(region, names);
  const targetGroupArns: Record<string, string> = {};
  for (const listener of plan.loadBalancer.listeners) {
    let group = groups.get(listener.targetGroupName);
    if (group && (group.vpcId !== network.vpcId || group.port !== listener.targetPort)) {
      throw new ResourceConflictError(
        `target group ${group.name} exists in ${group.vpcId} on port ${group.port}; planned ${network.vpcId}:${listener.targetPort}`,
      );
    }
    if (!group) {
      group = await elb.createTargetGroup(region, {
        name: listener.targetGroupName,
        port: listener.targetPort,
        vpcId: network.vpcId,
        tags: resourceTags(plan.clusterName, ROLES.targetGroup(listener.targetGroupName)),
      });
      log.info('created target group', { name: group.name });
    }
    targetGroupArns[listener.targetGroupName] = group.arn;
  }

  const existingListeners = await elb.listeners(region, lb.arn);
  const actions = listenerActions(plan, targetGroupArns, existingListeners);
  const created: elb.FoundListener[] = [];
  for (const create of actions.create) {
    created.push(
      await elb.createListener(region, {
        loadBalancerArn: lb.arn,
        ...create,
        tags: resourceTags(plan.clusterName, `listener-${create.port}`),
      }),
    );
  }
  for (const repoint of actions.repoint)
    await elb.pointListener(region, repoint.listenerArn, repoint.targetGroupArn);
  await pruneLoadBalancer(plan, network.vpcId, [...existingListeners, ...created]);
  const planned = new Set(plan.loadBalancer.listeners.map((l) => l.port));
  const seconds = plan.loadBalancer.tcpIdleTimeoutSeconds;
  for (const listener of existingListeners) {
    if (!planned.has(listener.port)) continue;
    if (await elb.ensureListenerIdleTimeout(region, listener.arn, seconds))
      log.info('set listener idle timeout', { port: listener.port, seconds });
  }
  // A listener created above has ELB's default idle timeout (350 s): set without a read (one call fewer
  // per broker, and ELB's Describe* bucket is shared by the whole account).
  for (const listener of created) {
    await elb.setListenerIdleTimeout(region, listener.arn, seconds);
    log.info('set listener idle timeout', { port: listener.port, seconds });
  }
  return { loadBalancerArn: lb.arn, loadBalancerDnsName: lb.dnsName, targetGroupArns };
}

/**
 * Removes what a consumer taken out of the spec (or a port moved) left on the NLB: its listeners, then its
 * target groups — only those tagged as this cluster's. A listener someone else added is reported and kept.
 */
async function pruneLoadBalancer(plan: Plan, vpcId: string, current: elb.FoundListener[]): Promise<void> {
  const region = plan.region;
  const planned = new Set(plan.loadBalancer.listeners.map((l) => l.port));
  const unplanned = current.filter((l) => !planned.has(l.port));
  const groups = await elb.targetGroupsInVpc(region, vpcId);
  const names = new Set(plan.loadBalancer.listeners.map((l) => l.targetGroupName));
  const candidates = groups.filter((g) => !names.has(g.name));
  if (unplanned.length === 0 && candidates.length === 0) return;
  const tags = await elb.tagsOf(region, [...unplanned.map((l) => l.arn), ...candidates.map((g) => g.arn)]);
  const ours = (arn: string) => isOurs(tags.get(arn) ?? {}, plan.clusterName);
  const stale = staleLoadBalancerParts(
    plan,
    current.map((l) => ({ ...l, ours: !planned.has(l.port) && ours(l.arn) })),
    candidates.map((g) => ({ arn: g.arn, name: g.name, ours: ours(g.arn) })),
  );
  for (const listener of stale.listeners) {
    await elb.deleteListener(region, listener.arn);
    log.info('removed a listener no consumer has any more', { port: listener.port });
  }
  for (const group of stale.targetGroups) {
    const outcome = await deleteTargetGroup(region, group.arn);
    if (outcome.result === 'blocked')
      log.warn('target group no consumer uses is still in use: left for the next run', {
        name: group.name,
        reason: outcome.reason,
      });
    else log.info('removed a target group no consumer uses', { name: group.name });
  }
  if (stale.foreign.length > 0)
    log.warn('listeners on ports the plan does not have, not created by kafka-plc: left as they are', {
      ports: stale.foreign,
    });
}

export async function loadBalancerStatus(spec: ClusterSpec, refs: LoadBalancerRefs): Promise<ReadyStatus> {
  const state = await elb.loadBalancerState(spec.region, refs.loadBalancerArn);
  if (state === 'failed') throw new ResourceConflictError(`NLB ${refs.loadBalancerArn} failed to provision`);
  return { ready: state === 'active', detail: `NLB is ${state}` };
}

export interface EndpointServiceRefs {
  endpointServiceId: string;
  endpointServiceName: string;
  notification: 'exists' | 'created' | 'skipped';
  uniqueNameParameterCreated: boolean;
}

export async function ensureEndpointService(
  spec: ClusterSpec,
  lb: LoadBalancerRefs,
  options: { recordApplied?: boolean } = {},
): Promise<EndpointServiceRefs> {
  const plan = planCluster(spec);
  const region = plan.region;
  const topicArn = requireEnv('CONNECTION_TOPIC_ARN');
  let service = await eps.findService(region, plan.clusterName, ROLES.endpointService, lb.loadBalancerArn);
  if (!service) {
    service = await eps.createService(
      region,
      lb.loadBalancerArn,
      resourceTags(plan.clusterName, ROLES.endpointService),
    );
    log.info('created endpoint service', { serviceId: service.serviceId, serviceName: service.serviceName });
  } else if (!service.acceptanceRequired) {
    await eps.requireAcceptance(region, service.serviceId);
  }
  const { add, remove } = principalChanges(
    plan.endpointService.allowedPrincipals,
    await eps.allowedPrincipals(region, service.serviceId),
  );
  await eps.modifyPrincipals(region, service.serviceId, add, remove);
  const notification = await eps.ensureConnectionNotification(region, service.serviceId, topicArn);
  // Only a cluster whose names wait for TiDB Cloud's unique name has the parameter that starts its roll.
  const uniqueNameParameterCreated =
    plan.awaitsUniqueName &&
    (await ssm.createParameterIfAbsent(region, {
      name: plan.uniqueNameParameter,
      value: plan.uniqueName,
      description: `kafka-plc ${plan.clusterName}: the unique name TiDB Cloud returned; writing it starts a broker roll`,
      tags: resourceTags(plan.clusterName, 'unique-name'),
    }));
  if (options.recordApplied !== false) await recordAppliedSpec(spec);
  return {
    endpointServiceId: service.serviceId,
    endpointServiceName: service.serviceName,
    notification,
    uniqueNameParameterCreated,
  };
}

export async function endpointServiceStatus(
  spec: ClusterSpec,
  refs: EndpointServiceRefs,
): Promise<ReadyStatus> {
  const service = await eps.serviceById(spec.region, refs.endpointServiceId);
  const state = service?.state ?? 'missing';
  if (['Failed', 'Deleting', 'Deleted', 'missing'].includes(state)) {
    throw new ResourceConflictError(`endpoint service ${refs.endpointServiceId} is ${state}`);
  }
  return { ready: state === 'Available', detail: `endpoint service is ${state}` };
}

function instanceIdsOf(brokers: BrokersRefs): Record<number, string> {
  return Object.fromEntries(brokers.brokers.map((b) => [b.nodeId, b.instanceId]));
}

export async function registerBrokerTargets(
  spec: ClusterSpec,
  brokers: BrokersRefs,
  lb: LoadBalancerRefs,
): Promise<{ registered: number }> {
  const plan = planCluster(spec);
  const registered: Record<string, { instanceId: string; port: number }[]> = {};
  for (const [name, arn] of Object.entries(lb.targetGroupArns)) {
    registered[name] = await elb.targetHealth(plan.region, arn);
  }
  const missing = targetsToRegister(plan, instanceIdsOf(brokers), registered);
  let count = 0;
  for (const [name, targets] of Object.entries(missing)) {
    await elb.registerTargets(plan.region, lb.targetGroupArns[name] ?? '', targets);
    count += targets.length;
  }
  return { registered: count };
}

export async function targetsHealthy(
  spec: ClusterSpec,
  brokers: BrokersRefs,
  lb: LoadBalancerRefs,
  final: boolean,
): Promise<ReadyStatus> {
  const plan = planCluster(spec);
  const health: Record<string, { instanceId: string; state: string; reason: string }[]> = {};
  for (const [name, arn] of Object.entries(lb.targetGroupArns))
    health[name] = await elb.targetHealth(plan.region, arn);
  const report = healthReport(plan, instanceIdsOf(brokers), health);
  if (!report.healthy && final)
    throw new TargetsUnhealthyError(`targets did not become healthy: ${describeHealth(report)}`);
  return { ready: report.healthy, detail: describeHealth(report) };
}
