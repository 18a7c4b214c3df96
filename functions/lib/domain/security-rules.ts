/**
 * Security group rules as plain data, so "what should be open" is decided here and the adapter only
 * authorizes what is missing and revokes what is extra.
 */
import type { Plan } from './plan';

export type RuleSource = { cidr: string } | { groupId: string };

export interface IngressRule {
  fromPort: number;
  toPort: number;
  source: RuleSource;
  description: string;
}

export function ruleKey(rule: Pick<IngressRule, 'fromPort' | 'toPort' | 'source'>): string {
  const source = 'cidr' in rule.source ? `cidr:${rule.source.cidr}` : `sg:${rule.source.groupId}`;
  return `tcp:${rule.fromPort}-${rule.toPort}:${source}`;
}

/** Contiguous port ranges: [9092, 9093, 9094, 9100] → [[9092, 9094], [9100, 9100]]. */
export function portRanges(ports: number[]): [number, number][] {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const port of sorted) {
    const last = ranges.at(-1);
    if (last && port === last[1] + 1) last[1] = port;
    else ranges.push([port, port]);
  }
  return ranges;
}

/** Brokers: INTERNAL and CONTROLLER from inside the VPC; each consumer's EXTERNAL port only from the NLB's group. */
export function brokerIngress(plan: Plan, nlbGroupId: string): IngressRule[] {
  const { internal, controller } = plan.kafka.ports;
  return [
    {
      fromPort: internal,
      toPort: internal,
      source: { cidr: plan.vpc.cidr },
      description: 'Kafka INTERNAL from the VPC',
    },
    {
      fromPort: controller,
      toPort: controller,
      source: { cidr: plan.vpc.cidr },
      description: 'KRaft CONTROLLER from the VPC',
    },
    ...plan.consumers.map((consumer) => ({
      fromPort: consumer.targetPort,
      toPort: consumer.targetPort,
      source: { groupId: nlbGroupId },
      description: `Kafka ${consumer.listenerName} from the NLB`,
    })),
  ];
}

/** NLB: each consumer's listener ports, only from that consumer's CIDRs. */
export function nlbIngress(plan: Plan): IngressRule[] {
  return plan.consumers.flatMap((consumer) => {
    const ports = plan.loadBalancer.listeners.filter((l) => l.consumer === consumer.name).map((l) => l.port);
    const ranges = portRanges(ports);
    const who = plan.consumers.length > 1 ? `consumer ${consumer.name}` : 'the consumer';
    return consumer.cidrs.flatMap((cidr) =>
      ranges.map(([fromPort, toPort]) => ({
        fromPort,
        toPort,
        source: { cidr },
        description: `Kafka listeners from ${who}`,
      })),
    );
  });
}

export function diffRules(
  desired: IngressRule[],
  actual: Pick<IngressRule, 'fromPort' | 'toPort' | 'source'>[],
): { authorize: IngressRule[]; revoke: Pick<IngressRule, 'fromPort' | 'toPort' | 'source'>[] } {
  const actualKeys = new Set(actual.map(ruleKey));
  const desiredKeys = new Set(desired.map(ruleKey));
  return {
    authorize: desired.filter((r) => !actualKeys.has(ruleKey(r))),
    revoke: actual.filter((r) => !desiredKeys.has(ruleKey(r))),
  };
}
