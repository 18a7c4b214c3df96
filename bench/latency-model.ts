/**
 * A latency model over the emulator: resources report pending/provisioning until a simulated delay has
 * passed since their creation (moto makes every change instant). SDK middleware on our shared clients
 * rewrites Describe/Get answers; delays are in seconds and scaled by `scale()` (0.01 = ×100 faster).
 */
import { type Clients, onClients } from '../functions/lib/aws/clients';

export interface Delays {
  instanceRunning: number;
  ssmConfigure: number;
  nlbActive: number;
  natGateway: number;
  endpointService: number;
}

export const DELAYS_SECONDS: Delays = {
  instanceRunning: 40,
  ssmConfigure: 90,
  nlbActive: 180,
  natGateway: 60,
  endpointService: 5,
};

/**
 * The same resources with delays that are no multiple of the workflow's polling intervals (issue 15: "NAT 63 s,
 * instance 37 s, SSM configure 94 s, NLB 173 s, service 7 s"): each wait overshoots by part of an interval,
 * which round delays hide.
 */
export const JITTER_DELAYS_SECONDS: Delays = {
  instanceRunning: 37,
  ssmConfigure: 94,
  nlbActive: 173,
  natGateway: 63,
  endpointService: 7,
};

/** The longest dependency chain of provisioning under these delays (the workflow's critical path). */
export function criticalPathSeconds(d: Delays = DELAYS_SECONDS): number {
  const brokers = Math.max(d.natGateway, d.instanceRunning) + d.ssmConfigure;
  const loadBalancer = d.nlbActive + d.endpointService;
  return Math.max(brokers, loadBalancer);
}

type Output = Record<string, unknown>;

export function installLatencyModel(
  scale: () => number,
  delays: () => Delays = () => DELAYS_SECONDS,
): { reset(): void } {
  const created = new Map<string, number>();
  const pending = (id: string | undefined, delay: number) => {
    if (!id) return false;
    const t0 = created.get(id);
    return t0 !== undefined && Date.now() - t0 < delay * scale() * 1000;
  };
  const onResult = (operation: string, input: Output, output: Output) => {
    const now = Date.now();
    if (operation === 'CreateNatGateway')
      created.set(((output.NatGateway ?? {}) as Output).NatGatewayId as string, now);
    if (operation === 'RunInstances') {
      for (const i of (output.Instances ?? []) as Output[]) created.set(i.InstanceId as string, now);
    }
    if (operation === 'SendCommand') created.set(((output.Command ?? {}) as Output).CommandId as string, now);
    if (operation === 'CreateLoadBalancer') {
      for (const lb of (output.LoadBalancers ?? []) as Output[])
        created.set(lb.LoadBalancerArn as string, now);
    }
    if (operation === 'CreateVpcEndpointServiceConfiguration') {
      created.set(((output.ServiceConfiguration ?? {}) as Output).ServiceId as string, now);
    }
    if (operation === 'DescribeNatGateways') {
      for (const n of (output.NatGateways ?? []) as Output[]) {
        if (pending(n.NatGatewayId as string, delays().natGateway)) n.State = 'pending';
      }
    }
    if (operation === 'DescribeInstances') {
      for (const r of (output.Reservations ?? []) as Output[]) {
        for (const i of (r.Instances ?? []) as Output[]) {
          if (pending(i.InstanceId as string, delays().instanceRunning))
            i.State = { Code: 0, Name: 'pending' };
        }
      }
    }
    if (operation === 'GetCommandInvocation' && pending(input.CommandId as string, delays().ssmConfigure)) {
      output.Status = 'InProgress';
    }
    if (operation === 'DescribeLoadBalancers') {
      for (const lb of (output.LoadBalancers ?? []) as Output[]) {
        if (pending(lb.LoadBalancerArn as string, delays().nlbActive)) lb.State = { Code: 'provisioning' };
      }
    }
    if (operation === 'DescribeVpcEndpointServiceConfigurations') {
      for (const s of (output.ServiceConfigurations ?? []) as Output[]) {
        if (pending(s.ServiceId as string, delays().endpointService)) s.ServiceState = 'Pending';
      }
    }
  };
  onClients((set: Partial<Clients>) => {
    for (const [service, client] of Object.entries(set)) {
      type Next = (args: { input?: unknown }) => Promise<{ output?: unknown }>;
      const stack = client.middlewareStack as unknown as {
        add: (mw: (next: Next, context: { commandName?: string }) => Next, options: object) => void;
      };
      stack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          const operation = String(context.commandName ?? '').replace(/Command$/, '');
          onResult(operation, (args.input ?? {}) as Output, (result.output ?? {}) as Output);
          return result;
        },
        { step: 'initialize', name: `kafkaPlcLatencyModel-${service}`, override: true },
      );
    }
  });
  return { reset: () => created.clear() };
}
