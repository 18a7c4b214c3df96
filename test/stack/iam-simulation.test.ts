/**
 * Every AWS action each function actually calls is allowed by that function's role. The real provision
 * and teardown state machines run on the emulator; an SDK middleware records each call together with the
 * function whose handler made it (AsyncLocalStorage around the handler), and a policy simulator matches
 * the call's IAM action against that function's role in infra/function-roles.yml (what the packaged
 * template carries, checked by stack.test.ts). The event-driven functions are invoked directly; their
 * calls are recorded even where the emulator cannot answer them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadHandler, runLocal } from '../../cli/local-sfn';
import { type Clients, clients, onClients } from '../../functions/lib/aws/clients';
import type { TaskFunction } from '../../functions/lib/handler';
import { type Emulator, FAST, SEED, startEmulator } from '../helpers/emulator';
import { ROOT } from '../helpers/tools';
import { IAM_PREFIX, isAllowed, roleStatements, type Template } from './iam';
import { serverlessConfig } from './package';

const seed = SEED;
const roles = parse(readFileSync(`${ROOT}infra/function-roles.yml`, 'utf8')) as Template;
const config = serverlessConfig() as ReturnType<typeof serverlessConfig> & {
  functions: Record<string, { role: string }>;
};

const currentFunction = new AsyncLocalStorage<string>();
/** Function key → IAM actions it called (`ec2:CreateVpc`). */
const called = new Map<string, Set<string>>();

function recordByFunction(): void {
  onClients((set: Partial<Clients>) => {
    for (const [service, client] of Object.entries(set)) {
      type Next = (args: unknown) => Promise<unknown>;
      const stack = client.middlewareStack as unknown as {
        add: (mw: (next: Next, context: { commandName?: string }) => Next, options: object) => void;
      };
      stack.add(
        (next, context) => async (args) => {
          const key = currentFunction.getStore();
          if (key) {
            const action = `${IAM_PREFIX[service]}:${String(context.commandName).replace(/Command$/, '')}`;
            called.set(key, (called.get(key) ?? new Set()).add(action));
          }
          return next(args);
        },
        { step: 'initialize', name: `kafkaPlcIamRecorder-${service}`, override: true },
      );
    }
  });
}

/** A Kafka cluster kafka-plc did not build (VPC, 3 subnets, the user's group, 3 instances), as expose-existing finds it. */
async function createUsersCluster(): Promise<unknown> {
  const { ec2, ssm } = clients('us-west-2');
  const ami = await ssm.send(
    new GetParameterCommand({
      Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    }),
  );
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId ?? '';
  const group = await ec2.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'kafka-cluster', Description: 'our Kafka' }),
  );
  const brokers = [];
  for (const [index, azId] of ['usw2-az1', 'usw2-az2', 'usw2-az3'].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.20.${index * 16}.0/20`,
        AvailabilityZoneId: azId,
      }),
    );
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: ami.Parameter?.Value,
        InstanceType: 't3.large',
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: [
          {
            DeviceIndex: 0,
            SubnetId: subnet.Subnet?.SubnetId,
            PrivateIpAddress: `10.20.${index * 16}.25`,
            Groups: [group.GroupId ?? ''],
            AssociatePublicIpAddress: false,
          },
        ],
      }),
    );
    brokers.push({
      instanceId: out.Instances?.[0]?.InstanceId ?? '',
      nodeId: index + 1,
      configPath: '/opt/kafka/config/kraft/server.properties',
    });
  }
  return {
    clusterName: 'legacy-usw2',
    region: 'us-west-2',
    azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
    consumer: { principals: ['arn:aws:iam::123456789012:root'], cidrs: ['10.100.0.0/16'] },
    existing: { vpcId, brokers },
  };
}

async function invokeDirectly(key: string, event: unknown): Promise<void> {
  const handler = await loadHandler(key);
  await currentFunction.run(key, () => handler(event, {} as never)).catch(() => undefined);
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  recordByFunction();
  await emulator.fresh();
  const wrapHandler =
    (key: string, handler: TaskFunction): TaskFunction =>
    (event, context) =>
      currentFunction.run(key, () => handler(event, context));
  const provisioned = await runLocal('provision', seed, { ...FAST, wrapHandler });
  if (provisioned.status !== 'SUCCEEDED')
    throw new Error(`provision: ${provisioned.error}: ${provisioned.cause}`);
  process.env.ROLL_STATE_MACHINE_ARN =
    'arn:aws:states:us-west-2:123456789012:stateMachine:kafka-plc-roll-brokers';
  await invokeDirectly('onUniqueNameChange', {
    detail: { name: '/kafka-plc/seed-usw2/unique-name', operation: 'Update' },
  });
  await invokeDirectly('acceptSweep', {});
  await invokeDirectly('acceptConnection', { Records: [{ Sns: { Message: 'vpce-svc-0123456789abcdef0' } }] });
  const torn = await runLocal('teardown', seed, { ...FAST, wrapHandler });
  if (torn.status !== 'SUCCEEDED') throw new Error(`teardown: ${torn.error}: ${torn.cause}`);
  // expose-existing also runs the roll functions (each broker patched, one at a time); the health snapshot
  // is the labelled stand-in, as in test/emulator/existing.test.ts.
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
  const existing = await createUsersCluster();
  const exposed = await runLocal('expose-existing', existing, { ...FAST, wrapHandler });
  if (exposed.status !== 'SUCCEEDED') throw new Error(`expose-existing: ${exposed.error}: ${exposed.cause}`);
  // Teardown of an exposed cluster gives the user's brokers back (our groups off, our tag removed).
  const released = await runLocal('teardown', existing, { ...FAST, wrapHandler });
  if (released.status !== 'SUCCEEDED')
    throw new Error(`teardown (existing): ${released.error}: ${released.cause}`);
}, 180_000);
afterAll(async () => emulator?.stop());

describe("each function's role allows what the function calls", () => {
  it('exercised the functions of provision and teardown (and the event-driven ones)', () => {
    for (const key of [
      'resolveAzs',
      'ensureNetwork',
      'launchBrokers',
      'ensureLoadBalancer',
      'ensureEndpointService',
      'registerTargets',
      'teardownEndpointService',
      'teardownLoadBalancer',
      'teardownBrokers',
      'teardownNatGateway',
      'teardownNetwork',
      'teardownParameters',
      'discoverBrokers',
      'ensureExistingNetwork',
      'prepareRoll',
      'reconfigureBroker',
      'checkBrokerReconfigured',
      'acceptSweep',
      'onUniqueNameChange',
    ])
      expect(called.get(key)?.size ?? 0, key).toBeGreaterThan(0);
  });

  it('no recorded call is outside its function role', () => {
    const denied: string[] = [];
    for (const [key, actions] of called) {
      const roleId = config.functions[key]?.role ?? '';
      const statements = roleStatements(roles, roleId);
      for (const action of actions)
        if (!isAllowed(statements, action)) denied.push(`${key} (${roleId}): ${action}`);
    }
    expect(denied).toEqual([]);
    console.log(
      `calls per function: ${JSON.stringify(Object.fromEntries([...called].map(([k, v]) => [k, [...v].sort()])))}`,
    );
  });
});
