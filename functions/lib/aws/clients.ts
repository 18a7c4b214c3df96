/**
 * One SDK client per service and region, built once per process (module scope) and shared by every
 * adapter. `AWS_ENDPOINT_URL` (the SDK's own variable) points them at an emulator; tests and benchmarks
 * attach middleware (call counting, fault injection) through `middlewareStack` of these same clients.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface Clients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  ssm: SSMClient;
  iam: IAMClient;
  sns: SNSClient;
  sfn: SFNClient;
}

const byRegion = new Map<string, Clients>();
const listeners: ((clients: Clients) => void)[] = [];

function maxAttempts(): number | undefined {
  const value = Number(process.env.KAFKA_PLC_SDK_MAX_ATTEMPTS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

export function clients(region: string): Clients {
  let set = byRegion.get(region);
  if (!set) {
    const config = { region, maxAttempts: maxAttempts() };
    set = {
      ec2: new EC2Client(config),
      elbv2: new ElasticLoadBalancingV2Client(config),
      ssm: new SSMClient(config),
      iam: new IAMClient(config),
      sns: new SNSClient(config),
      sfn: new SFNClient(config),
    };
    byRegion.set(region, set);
    for (const listener of listeners) listener(set);
  }
  return set;
}

/** Calls `fn` for every client set, now and when one is created later (for middleware in tests/bench). */
export function onClients(fn: (clients: Clients) => void): void {
  listeners.push(fn);
  for (const set of byRegion.values()) fn(set);
}

/**
 * Forgets the client sets so the next call builds them from the current environment (endpoint, max
 * attempts); registered middleware listeners are kept unless `forgetListeners`.
 */
export function resetClients(forgetListeners = false): void {
  byRegion.clear();
  if (forgetListeners) listeners.length = 0;
}
