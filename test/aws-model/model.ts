/**
 * The AWS behaviour model for emulator runs: SDK middleware on our shared clients that applies ./rules.ts
 * to every call, after the call recorder (so a call the model fails still counts as made) and before moto.
 * Its state is one emulated account's: `reset()` with every fresh emulator. The model's own reads of moto go
 * through separate clients, never recorded or judged.
 */
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { onEveryCall } from '../helpers/middleware';
import { currentFunction } from './iam';
import { type AwsCall, type ModelState, newState, type Peers, RULES, type Rule } from './rules';

export interface AwsModel {
  rules: Rule[];
  state: ModelState;
  /** Rule id → how many times it failed or answered a call in moto's place. */
  fired: Map<string, number>;
  /** Turns the model off (and on again): a test proving a rule fails on the old behaviour. */
  enabled: boolean;
  reset(): void;
}

function peers(region: string): Peers {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const ec2 = new EC2Client({ region, endpoint });
  const sfn = new SFNClient({ region, endpoint });
  const elbv2 = new ElasticLoadBalancingV2Client({ region, endpoint });
  return {
    async executionStatus(executionArn) {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch(() => undefined);
      return out?.status;
    },
    async addressInUse(subnetId, ip) {
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: 'subnet-id', Values: [subnetId] },
            { Name: 'private-ip-address', Values: [ip] },
          ],
        }),
      );
      return (out.NetworkInterfaces ?? []).length > 0;
    },
    async listenerCount(loadBalancerArn) {
      const out = await elbv2
        .send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, PageSize: 400 }))
        .catch(() => undefined);
      return out?.Listeners?.length ?? 0;
    },
  };
}

/** The tail of each isolation key's queue: a call with that key starts when the previous one ended. */
const queues = new Map<string, Promise<unknown>>();

function isolated<T>(key: string, run: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(run);
  queues.set(
    key,
    mine.catch(() => undefined),
  );
  return mine;
}

let installed: AwsModel | undefined;

/** Installs the model once per process (every client, now and later); returns it. */
export function installAwsModel(rules: Rule[] = RULES): AwsModel {
  if (installed) return installed;
  const model: AwsModel = {
    rules,
    state: newState(),
    fired: new Map(),
    enabled: true,
    reset() {
      model.state = newState();
      model.fired.clear();
    },
  };
  const peersByRegion = new Map<string, Peers>();
  onEveryCall('kafkaPlcAwsModel', async (sdk, next) => {
    if (!model.enabled) return next();
    const call: AwsCall = {
      service: sdk.service,
      operation: sdk.operation,
      input: sdk.input,
      byFunction: currentFunction(),
    };
    const region = await sdk.region();
    const peer = peersByRegion.get(region) ?? peers(region);
    peersByRegion.set(region, peer);
    for (const rule of model.rules) {
      const verdict = await rule.before?.(call, model.state, peer);
      if (!verdict) continue;
      model.fired.set(rule.id, (model.fired.get(rule.id) ?? 0) + 1);
      if ('error' in verdict) throw verdict.error;
      return { output: { $metadata: {}, ...verdict.output }, response: {} };
    }
    const key = model.rules.map((rule) => rule.isolate?.(call)).find((k) => k !== undefined);
    const result = key === undefined ? await next() : await isolated(key, next);
    for (const rule of model.rules) rule.after?.(call, result.output, model.state);
    return result;
  });
  installed = model;
  return model;
}
