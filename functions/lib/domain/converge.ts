/** Pure converge decisions for the load balancer: what is missing, given what exists. */
import type { Plan } from './plan';

export interface ExistingListener {
  arn: string;
  port: number;
  targetGroupArn: string;
}

export interface ListenerActions {
  create: { port: number; targetGroupArn: string }[];
  repoint: { listenerArn: string; port: number; targetGroupArn: string }[];
  /** Listeners on ports the plan does not have (reported; removing them is teardown's job). */
  unexpected: number[];
}

export function listenerActions(
  plan: Plan,
  targetGroupArns: Record<string, string>,
  existing: ExistingListener[],
): ListenerActions {
  const actions: ListenerActions = { create: [], repoint: [], unexpected: [] };
  const planned = new Set(plan.loadBalancer.listeners.map((l) => l.port));
  for (const listener of plan.loadBalancer.listeners) {
    const targetGroupArn = targetGroupArns[listener.targetGroupName] ?? '';
    const current = existing.find((e) => e.port === listener.port);
    if (!current) actions.create.push({ port: listener.port, targetGroupArn });
    else if (current.targetGroupArn !== targetGroupArn) {
      actions.repoint.push({ listenerArn: current.arn, port: listener.port, targetGroupArn });
    }
  }
  actions.unexpected = existing.filter((e) => !planned.has(e.port)).map((e) => e.port);
  return actions;
}

export interface StaleParts {
  /** Listeners on ports no consumer has any more, tagged as this cluster's: deleted. */
  listeners: { arn: string; port: number }[];
  /** The cluster's target groups no planned listener uses (after those deletions): deleted. */
  targetGroups: { arn: string; name: string }[];
  /** Listeners on unplanned ports that kafka-plc did not create: left alone, reported. */
  foreign: number[];
}

/**
 * What a consumer removed (or its ports changed) leaves behind on the NLB: its listeners and target groups.
 * Only what carries the cluster's tag goes; a listener someone else added stays and is reported.
 */
export function staleLoadBalancerParts(
  plan: Plan,
  listeners: (ExistingListener & { ours: boolean })[],
  targetGroups: { arn: string; name: string; ours: boolean }[],
): StaleParts {
  const planned = new Set(plan.loadBalancer.listeners.map((l) => l.port));
  const unplanned = listeners.filter((l) => !planned.has(l.port));
  const removed = unplanned.filter((l) => l.ours);
  const staying = listeners.filter((l) => !removed.includes(l));
  const plannedNames = new Set(plan.loadBalancer.listeners.map((l) => l.targetGroupName));
  const inUse = new Set(staying.map((l) => l.targetGroupArn));
  return {
    listeners: removed.map(({ arn, port }) => ({ arn, port })),
    targetGroups: targetGroups
      .filter((g) => g.ours && !plannedNames.has(g.name) && !inUse.has(g.arn))
      .map(({ arn, name }) => ({ arn, name })),
    foreign: unplanned.filter((l) => !l.ours).map((l) => l.port),
  };
}

/** Per target group, the broker instances that should be registered on the EXTERNAL port and are not. */
export function targetsToRegister(
  plan: Plan,
  instanceIds: Record<number, string>,
  registered: Record<string, { instanceId: string; port: number }[]>,
): Record<string, { instanceId: string; port: number }[]> {
  const result: Record<string, { instanceId: string; port: number }[]> = {};
  for (const listener of plan.loadBalancer.listeners) {
    const have = new Set(
      (registered[listener.targetGroupName] ?? []).map((t) => `${t.instanceId}:${t.port}`),
    );
    const missing = listener.brokerNodeIds
      .map((nodeId) => ({ instanceId: instanceIds[nodeId] ?? '', port: listener.targetPort }))
      .filter((t) => t.instanceId !== '' && !have.has(`${t.instanceId}:${t.port}`));
    if (missing.length > 0) result[listener.targetGroupName] = missing;
  }
  return result;
}

export interface HealthReport {
  healthy: boolean;
  unhealthy: { targetGroup: string; instanceId: string; state: string; reason: string }[];
  missing: { targetGroup: string; instanceId: string }[];
}

export function healthReport(
  plan: Plan,
  instanceIds: Record<number, string>,
  health: Record<string, { instanceId: string; state: string; reason: string }[]>,
): HealthReport {
  const report: HealthReport = { healthy: true, unhealthy: [], missing: [] };
  for (const listener of plan.loadBalancer.listeners) {
    const targets = health[listener.targetGroupName] ?? [];
    for (const nodeId of listener.brokerNodeIds) {
      const instanceId = instanceIds[nodeId] ?? '';
      const target = targets.find((t) => t.instanceId === instanceId);
      if (!target) report.missing.push({ targetGroup: listener.targetGroupName, instanceId });
      else if (target.state !== 'healthy') {
        report.unhealthy.push({
          targetGroup: listener.targetGroupName,
          instanceId,
          state: target.state,
          reason: target.reason,
        });
      }
    }
  }
  report.healthy = report.unhealthy.length === 0 && report.missing.length === 0;
  return report;
}

export function describeHealth(report: HealthReport): string {
  if (report.healthy) return 'every target is healthy';
  const parts = [
    ...report.unhealthy.map(
      (u) => `${u.targetGroup}: ${u.instanceId} ${u.state}${u.reason ? ` (${u.reason})` : ''}`,
    ),
    ...report.missing.map((m) => `${m.targetGroup}: ${m.instanceId} not registered`),
  ];
  return parts.join('; ');
}

/** Allowed principals to add and to remove so the service allows exactly the spec's principals. */
export function principalChanges(desired: string[], actual: string[]): { add: string[]; remove: string[] } {
  return {
    add: desired.filter((p) => !actual.includes(p)),
    remove: actual.filter((p) => !desired.includes(p)),
  };
}
