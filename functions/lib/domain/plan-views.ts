/** Views of a plan for people: a port-map table and a Mermaid topology diagram. Pure. */
import type { Plan } from './plan';

export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function planTable(plan: Plan): string {
  const summary =
    `Cluster ${plan.clusterName} in ${plan.region} · VPC ${plan.vpc.cidr} · Kafka ${plan.kafka.version} · ` +
    `${plan.brokers.length} brokers (${plan.instances.type}, ${plan.instances.architecture})`;
  const subnets = textTable(
    ['SUBNET', 'AZ ID', 'CIDR', 'USE'],
    plan.subnets.map((s) => [
      s.name,
      s.azId ?? '-',
      s.cidr,
      s.public ? 'NAT gateway egress' : 'brokers, NLB',
    ]),
  );
  const byId = new Map(plan.brokers.map((b) => [b.nodeId, b]));
  const several = plan.consumers.length > 1;
  const ports = textTable(
    [...(several ? ['CONSUMER'] : []), 'NLB PORT', 'BROKERS', 'TARGET PORT', 'ADVERTISED EXTERNAL LISTENER'],
    plan.loadBalancer.listeners.map((l) => {
      const only = l.role === 'bootstrap' ? undefined : byId.get(l.brokerNodeIds[0] as number);
      const advertised = only?.externalListeners.find((e) => e.consumer === l.consumer);
      const consumer = plan.consumers.find((c) => c.name === l.consumer);
      return [
        ...(several ? [`${l.consumer} (${consumer?.listenerName ?? '?'})`] : []),
        String(l.port),
        l.brokerNodeIds.map((id) => `b${id}`).join(' '),
        String(l.targetPort),
        advertised ? `${advertised.host}:${advertised.port}` : '(bootstrap)',
      ];
    }),
  );
  const brokers = textTable(
    ['BROKER', 'AZ ID', 'PRIVATE IP', 'ROLES', 'INTERNAL LISTENER'],
    plan.brokers.map((b) => [
      b.name,
      b.azId,
      b.privateIp,
      b.processRoles.join(','),
      `${b.privateIp}:${plan.kafka.ports.internal}`,
    ]),
  );
  const service =
    `Endpoint service: acceptance required, no private DNS, allowed principals ${plan.endpointService.allowedPrincipals.join(', ')}\n` +
    `KRaft voters: ${plan.kafka.controllerQuorumVoters}\n` +
    uniqueNameLine(plan) +
    consumerLine(plan);
  return [summary, '', subnets, '', ports, '', brokers, '', service, ''].join('\n');
}

/** Whether the names wait for TiDB Cloud's unique name (Essential) or are complete from the start. */
export function uniqueNameLine(plan: Plan): string {
  if (!plan.awaitsUniqueName)
    return 'Unique name: not needed (every advertised-listener pattern is complete: no roll after provisioning)\n';
  const who = plan.consumers.filter((c) => c.awaitsUniqueName).map((c) => c.name);
  const whose = plan.consumers.length > 1 ? ` for consumer ${who.join(', ')}` : '';
  return `Unique name: ${plan.uniqueName}${whose} (set it in ${plan.uniqueNameParameter})\n`;
}

/** How the consumer connects on EXTERNAL, and what it may do (domain/consumer-auth.ts). */
export function consumerLine(plan: Plan): string {
  const auth = plan.consumerAuth;
  if (!auth && plan.consumers.length > 1)
    return `Consumers: ${plan.consumers.map((c) => `${c.name} on ${c.listenerName}`).join(', ')}; PLAINTEXT, no authentication or ACLs (authentication: none)`;
  if (!auth)
    return 'Consumer: PLAINTEXT, no authentication or ACLs (consumer.authentication: none, as the seed)';
  const scope = auth.topicPrefix ? `topics ${auth.topicPrefix}*` : 'every topic';
  return (
    `Consumer: SASL/${auth.mechanism} as ${auth.username}, password in Secrets Manager ${auth.secretName}; ` +
    `ACLs: Create, Write on ${scope}, DescribeConfigs on the cluster`
  );
}

const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, '_');

export function planMermaid(plan: Plan): string {
  const lines = ['flowchart LR'];
  lines.push('  service["VPC endpoint service<br/>acceptance required"]');
  plan.consumers.forEach((consumer, index) => {
    const node = index === 0 ? 'consumer' : `consumer${index + 1}`;
    const title =
      plan.consumers.length > 1 ? `${consumer.name} · ${consumer.listenerName}` : 'Consumer (TiDB Cloud)';
    lines.push(`  ${node}["${title}<br/>${consumer.principals.join('<br/>')}"]`);
    lines.push(`  ${node} -->|PrivateLink| service`);
  });
  lines.push(`  subgraph nlb["NLB ${plan.loadBalancer.name} (internal, cross-zone off)"]`);
  for (const l of plan.loadBalancer.listeners) {
    const label = l.role === 'bootstrap' ? `:${l.port} bootstrap` : `:${l.port}`;
    lines.push(`    L${l.port}["${label}"]`);
  }
  lines.push('  end');
  lines.push('  service --> nlb');
  for (const subnet of plan.subnets.filter((s) => !s.public)) {
    lines.push(`  subgraph ${id(subnet.name)}["${subnet.azId} · ${subnet.cidr}"]`);
    for (const b of plan.brokers.filter((x) => x.subnetName === subnet.name)) {
      lines.push(`    ${b.name}["${b.name} · ${b.privateIp}<br/>${b.processRoles.join(',')}"]`);
    }
    lines.push('  end');
  }
  for (const l of plan.loadBalancer.listeners) {
    for (const nodeId of l.brokerNodeIds) lines.push(`  L${l.port} -->|:${l.targetPort}| b${nodeId}`);
  }
  return `${lines.join('\n')}\n`;
}
