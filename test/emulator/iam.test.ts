/**
 * IAM as AWS enforces it, in the emulator: the real provision, trigger, accept, teardown and expose-existing
 * workflows run with every Lambda's calls judged by a real policy evaluator against that function's role in
 * the packaged template (test/aws-model/iam.ts), before they reach moto — a denial fails the call as AWS
 * would. This file checks the enforcement itself: which functions were judged, what each call was judged on
 * (every resource the action authorizes, the calls ELB makes on the caller's behalf), and that the roles
 * deny what they must (untagged resources, unmarked interfaces, the ELB permissions taken away).
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHandler, runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import type { AuthRequest } from '../aws-model/authorization';
import { asFunction, functionPolicies, type Judgement, judge, type RolePolicies } from '../aws-model/iam';
import { packagedTemplate } from '../aws-model/template';
import { type Emulator, FAST, SEED, startEmulator } from '../helpers/emulator';

const seed = SEED;

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
  await asFunction(key, () => handler(event, {} as never)).catch(() => undefined);
}

let emulator: Emulator;
let judged: Judgement[] = [];
beforeAll(async () => {
  emulator = await startEmulator();
  await emulator.fresh();
  const provisioned = await runLocal('provision', seed, FAST);
  if (provisioned.status !== 'SUCCEEDED')
    throw new Error(`provision: ${provisioned.error}: ${provisioned.cause}`);
  process.env.ROLL_STATE_MACHINE_ARN =
    'arn:aws:states:us-west-2:123456789012:stateMachine:kafka-plc-dev-roll-brokers';
  await invokeDirectly('onUniqueNameChange', {
    detail: { name: '/kafka-plc/seed-usw2/unique-name', operation: 'Update' },
  });
  await invokeDirectly('acceptSweep', {});
  // The probe's health read goes through SSM here (moto runs no command: no Kafka metric is published).
  await invokeDirectly('probeClusters', {});
  await invokeDirectly('acceptConnection', { Records: [{ Sns: { Message: 'vpce-svc-0123456789abcdef0' } }] });
  const torn = await runLocal('teardown', seed, FAST);
  if (torn.status !== 'SUCCEEDED') throw new Error(`teardown: ${torn.error}: ${torn.cause}`);
  // expose-existing also runs the roll functions (each broker patched, one at a time); the health snapshot
  // is the labelled stand-in, as in test/emulator/existing.test.ts.
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
  const existing = await createUsersCluster();
  const exposed = await runLocal('expose-existing', existing, FAST);
  if (exposed.status !== 'SUCCEEDED') throw new Error(`expose-existing: ${exposed.error}: ${exposed.cause}`);
  const released = await runLocal('teardown', existing, FAST);
  if (released.status !== 'SUCCEEDED')
    throw new Error(`teardown (existing): ${released.error}: ${released.cause}`);
  judged = [...emulator.iam.judged];
}, 240_000);
afterAll(async () => emulator?.stop());

const roles = () =>
  functionPolicies(
    packagedTemplate(),
    'us-west-2',
    new Map([['BrokerInstanceRole', 'arn:aws:iam::123456789012:role/kafka-plc-broker']]),
  );
const withoutKeys = (request: AuthRequest, pattern: RegExp): AuthRequest => ({
  ...request,
  context: Object.fromEntries(Object.entries(request.context).filter(([key]) => !pattern.test(key))),
});
const typeOf = (arn: string) => /:([a-z-]+)\/[^:]*$/.exec(arn)?.[1] ?? arn;

/** Grants that hold without our tag by design, each with its reason (infra/function-roles.yml says why). */
const UNTAGGED_BY_DESIGN = new Set([
  'ec2:RunInstances network-interface', // created by the call, untagged; subnet and group must be ours
  'ec2:AuthorizeSecurityGroupIngress security-group-rule', // created by the call; the group must be ours
  'ec2:CreateSecurityGroup vpc', // expose-existing: the user's VPC; the new group must carry our tag
  'ec2:ModifyNetworkInterfaceAttribute subnet', // the marked interface's subnet (the user's)
  'ec2:ModifyNetworkInterfaceAttribute security-group', // the user's groups that stay on a marked interface
]);

describe('IAM enforced in the emulator, from the packaged template', () => {
  it('judged every function of provision, teardown, expose-existing and the event-driven ones, and denied none', () => {
    const functions = new Set(judged.map((j) => j.functionKey));
    for (const key of [
      'resolveAzs',
      'ensureNetwork',
      'ensurePrivateRoutes',
      'launchBrokers',
      'checkBrokersReady',
      'configureBrokers',
      'checkBrokersConfigured',
      'ensureLoadBalancer',
      'checkLoadBalancer',
      'ensureEndpointService',
      'registerTargets',
      'checkTargetHealth',
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
      'acceptConnection',
      'onUniqueNameChange',
      'ensureMonitoring',
      'teardownMonitoring',
      'probeClusters',
    ])
      expect(functions, key).toContain(key);
    expect(emulator.iam.denied()).toEqual([]);
    console.info(`iam model: ${judged.length} requests judged for ${functions.size} functions`);
  });

  it('judges RunInstances on every resource it authorizes, tag-on-create and the role it passes', () => {
    const calls = judged.filter((j) => j.call === 'ec2:RunInstances');
    const types = new Set(calls.map((j) => `${j.request.action} ${typeOf(j.request.resource)}`));
    expect([...types].sort()).toEqual(
      [
        'ec2:CreateTags instance',
        'ec2:CreateTags volume',
        'ec2:RunInstances image',
        'ec2:RunInstances instance',
        'ec2:RunInstances network-interface',
        'ec2:RunInstances security-group',
        'ec2:RunInstances subnet',
        'ec2:RunInstances volume',
        'iam:PassRole role',
      ].sort(),
    );
    const tagging = calls.find((j) => j.request.action === 'ec2:CreateTags');
    expect(tagging?.request.context['ec2:CreateAction']).toBe('RunInstances');
  });

  it('judges the calls Elastic Load Balancing makes with the caller\'s credentials ("Elastic Load Balancing API permissions")', () => {
    const onBehalf = (call: string) =>
      new Set(
        judged
          .filter((j) => j.call === call && !j.request.action.startsWith('elasticloadbalancing:'))
          .map((j) => j.request.action),
      );
    expect(onBehalf('elbv2:CreateLoadBalancer')).toEqual(
      new Set([
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'iam:CreateServiceLinkedRole',
      ]),
    );
    expect(onBehalf('elbv2:CreateTargetGroup')).toEqual(
      new Set(['ec2:DescribeInternetGateways', 'ec2:DescribeVpcs']),
    );
    expect(onBehalf('elbv2:RegisterTargets')).toEqual(
      new Set([
        'ec2:DescribeInstances',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
      ]),
    );
  });

  it('without those EC2 reads (the role as it was), CreateLoadBalancer is denied', async () => {
    // Prepare: ensureLoadBalancer's role with every ec2:Describe* grant taken out
    const role = roles().get('ensureLoadBalancer') as RolePolicies;
    type Doc = { Statement: { Action?: string | string[] }[] };
    const stripped: RolePolicies = {
      ...role,
      policies: role.policies.map((p) => ({
        ...p,
        policy: {
          ...(p.policy as Doc),
          Statement: (p.policy as Doc).Statement.map((st) => ({
            ...st,
            Action: [st.Action ?? []].flat().filter((a) => !a.startsWith('ec2:Describe')),
          })).filter((st) => st.Action.length > 0),
        },
      })),
    };
    const onBehalf = judged.filter(
      (j) => j.call === 'elbv2:CreateLoadBalancer' && j.request.action.startsWith('ec2:Describe'),
    );
    // Act
    const results = await Promise.all(onBehalf.map((j) => judge(stripped, j.request)));
    // Assess
    expect(new Set(onBehalf.map((j) => j.request.action)).size).toBe(6);
    expect(new Set(results)).toEqual(new Set(['ImplicitlyDenied']));
  });

  it('judges ModifyNetworkInterfaceAttribute on the interface, its instance, its subnet and every group of the new set', () => {
    const regroups = judged.filter((j) => j.call === 'ec2:ModifyNetworkInterfaceAttribute');
    expect(new Set(regroups.map((j) => typeOf(j.request.resource)))).toEqual(
      new Set(['network-interface', 'instance', 'subnet', 'security-group']),
    );
    // the user's own (untagged) group is among them, and allowed
    const usersGroups = regroups.filter(
      (j) =>
        typeOf(j.request.resource) === 'security-group' &&
        j.request.context['aws:ResourceTag/kafka-plc:cluster'] === undefined,
    );
    expect(usersGroups.length).toBeGreaterThan(0);
    expect(new Set(usersGroups.map((j) => j.result))).toEqual(new Set(['Allowed']));
  });

  it('denies re-grouping an interface (or instance) kafka-plc did not mark, in expose-existing and teardown alike', async () => {
    const all = roles();
    const marked = judged.filter(
      (j) =>
        j.call === 'ec2:ModifyNetworkInterfaceAttribute' &&
        ['network-interface', 'instance'].includes(typeOf(j.request.resource)),
    );
    expect(new Set(marked.map((j) => j.functionKey))).toEqual(
      new Set(['ensureExistingNetwork', 'teardownNetwork']),
    );
    for (const j of marked) {
      const unmarked = withoutKeys(j.request, /kafka-plc:exposed-by$/);
      expect(await judge(all.get(j.functionKey) as RolePolicies, unmarked), JSON.stringify(unmarked)).toBe(
        'ImplicitlyDenied',
      );
    }
  });

  it('denies every tag-scoped grant on an untagged resource (or an untagged create), each exception listed', async () => {
    // Prepare: every allowed request that carried our cluster tag
    const all = roles();
    // (tag-on-create is authorized only inside its create, ec2:CreateAction / elasticloadbalancing:CreateAction,
    // and the create itself is the tag-scoped grant)
    const scoped = judged.filter(
      (j) =>
        j.result === 'Allowed' &&
        !Object.keys(j.request.context).some((k) => k.endsWith(':CreateAction')) &&
        Object.keys(j.request.context).some((k) => /^aws:(Request|Resource)Tag\/kafka-plc:cluster$/.test(k)),
    );
    expect(scoped.length).toBeGreaterThan(50);
    // Act: the same requests without the tag
    const allowedUntagged: string[] = [];
    for (const j of scoped) {
      const untagged = withoutKeys(j.request, /kafka-plc:cluster$/);
      const result = await judge(all.get(j.functionKey) as RolePolicies, untagged);
      const what = `${j.request.action} ${typeOf(j.request.resource)}`;
      if (result === 'Allowed' && !UNTAGGED_BY_DESIGN.has(what))
        allowedUntagged.push(`${j.functionKey}: ${what}`);
    }
    // Assess
    expect([...new Set(allowedUntagged)]).toEqual([]);
  });

  it("tells another cluster's instances apart by the tag's value, which IAM cannot know: every command went to its own cluster", () => {
    // One stack serves every cluster of the account, so roles require the tag key; the value is checked in
    // code before every send (mayCommand, test/unit/domain/tags.test.ts and the handler tests).
    const sends = judged.filter(
      (j) => j.call === 'ssm:SendCommand' && typeOf(j.request.resource) === 'instance',
    );
    expect(sends.length).toBeGreaterThan(0);
    for (const j of sends) {
      const owner =
        j.request.context['ssm:resourceTag/kafka-plc:cluster'] ??
        j.request.context['ssm:resourceTag/kafka-plc:exposed-by'];
      expect(['seed-usw2', 'legacy-usw2']).toContain(owner);
    }
  });
});
