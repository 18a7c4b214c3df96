/**
 * DiscoverBrokers and EnsureExistingNetwork with aws-sdk-client-mock: every discovery problem is a typed
 * ExistingBrokerError naming the broker (all problems at once), SDK errors become our typed errors, and
 * the security-group step never takes over a stranger's group or drops an interface's groups.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type Instance,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as discoverBrokers } from '../../../functions/discover-brokers/handler';
import { handler as ensureExistingNetwork } from '../../../functions/ensure-existing-network/handler';
import type { ClusterSpec, ClusterSpecInput } from '../../../functions/lib/spec';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';
import { lambdaContext } from '../../helpers/lambda';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const VPC = 'vpc-0123456789abcdef0';
const id = (n: number) => `i-0123456789abcdef${n}`;
const ids = [1, 2, 3].map(id);
const subnet = (n: number) => `subnet-0123456789abcdef${n}`;

type BrokersInput = NonNullable<ClusterSpecInput['existing']>['brokers'];

function spec(overrides: Partial<ClusterSpecInput> = {}, brokers?: BrokersInput): ClusterSpecInput {
  return seedSpec({
    existing: {
      vpcId: VPC,
      brokers: brokers ?? ids.map((instanceId, index) => ({ instanceId, nodeId: index + 1 })),
    },
    ...overrides,
  });
}

function instance(n: number, changes: Partial<Instance> = {}): Instance {
  return {
    InstanceId: ids[n - 1],
    State: { Name: 'running', Code: 16 },
    VpcId: VPC,
    SubnetId: subnet(n),
    PrivateIpAddress: `10.20.${(n - 1) * 16}.25`,
    NetworkInterfaces: [
      {
        NetworkInterfaceId: `eni-0123456789abcdef${n}`,
        Attachment: { DeviceIndex: 0 },
        Groups: [{ GroupId: 'sg-0000000000000user' }],
      },
    ],
    ...changes,
  };
}

function ec2Has(instances: Instance[], azIds = ['usw2-az1', 'usw2-az2', 'usw2-az3']) {
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: instances }] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: azIds.map((azId, index) => ({
      SubnetId: subnet(index + 1),
      VpcId: VPC,
      AvailabilityZoneId: azId,
    })),
  });
}

const discover = (input: unknown) =>
  discoverBrokers(input, lambdaContext()) as Promise<{
    spec: ClusterSpec;
    brokers: { brokers: { nodeId: number; instanceId: string; privateIp: string }[] };
    notes: string[];
  }>;

function ssmOnline(instanceIds: string[]) {
  ssm.on(DescribeInstanceInformationCommand).resolves({
    InstanceInformationList: instanceIds.map((InstanceId) => ({ InstanceId, PingStatus: 'Online' })),
  });
}

describe('DiscoverBrokers', () => {
  beforeEach(() => {
    ec2.reset();
    ssm.reset();
    ssmOnline(ids);
    process.env.AWS_REGION = 'us-west-2';
  });

  it('fills in each broker’s AZ ID, subnet and private IP from EC2, asking by instance and subnet filter', async () => {
    // Prepare
    ec2Has([instance(1), instance(2), instance(3)]);
    // Act
    const result = await discover({ spec: parseClusterSpec(spec()) });
    // Assess
    expect(result.spec.existing?.brokers).toEqual(
      [1, 2, 3].map((n) => ({
        instanceId: id(n),
        nodeId: n,
        configPath: '/opt/kafka/config/kraft/server.properties',
        serviceName: 'kafka.service',
        azId: `usw2-az${n}`,
        subnetId: subnet(n),
        privateIp: `10.20.${(n - 1) * 16}.25`,
      })),
    );
    expect(result.brokers.brokers).toEqual(
      [1, 2, 3].map((n) => ({ nodeId: n, instanceId: ids[n - 1], privateIp: `10.20.${(n - 1) * 16}.25` })),
    );
    expect(result.notes).toEqual([]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'instance-id', Values: ids },
    ]);
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'subnet-id', Values: [subnet(1), subnet(2), subnet(3)] },
    ]);
  });

  it('notes a consumer AZ without a broker (the NLB will not be there)', async () => {
    ec2Has([instance(1), instance(2)]);
    const result = await discover({
      spec: parseClusterSpec(
        spec(
          {},
          ids.slice(0, 2).map((instanceId, i) => ({ instanceId, nodeId: i + 1 })),
        ),
      ),
    });
    expect(result.notes).toEqual([expect.stringContaining("consumer's AZ usw2-az3")]);
  });

  it.each([
    [
      'a missing instance',
      [instance(1), instance(2)],
      undefined,
      'b3 (i-0123456789abcdef3): no such instance in us-west-2',
    ],
    [
      'a stopped instance',
      [instance(1), instance(2, { State: { Name: 'stopped', Code: 80 } }), instance(3)],
      undefined,
      'b2 (i-0123456789abcdef2): is stopped, not running',
    ],
    [
      'an instance in another VPC',
      [instance(1, { VpcId: 'vpc-0fedcba9876543210' }), instance(2), instance(3)],
      undefined,
      'b1 (i-0123456789abcdef1): is in vpc-0fedcba9876543210, not existing.vpcId vpc-0123456789abcdef0',
    ],
    [
      'an instance outside the consumer AZs',
      [instance(1), instance(2), instance(3)],
      ['usw2-az1', 'usw2-az2', 'usw2-az4'],
      "b3 (i-0123456789abcdef3): is in AZ usw2-az4, which is not one of the consumer's azIds (usw2-az1, usw2-az2, usw2-az3)",
    ],
  ] as [string, Instance[], string[] | undefined, string][])(
    'refuses %s with ExistingBrokerError naming the broker',
    async (_name, instances, azIds, message) => {
      // Prepare
      ec2Has(instances, azIds);
      // Act
      const result = discover({ spec: parseClusterSpec(spec()) });
      // Assess
      await expect(result).rejects.toMatchObject({ name: 'ExistingBrokerError' });
      await expect(result).rejects.toThrow(message);
    },
  );

  it('refuses a broker SSM cannot reach (the patch and the health reads run through Run Command)', async () => {
    ec2Has([instance(1), instance(2), instance(3)]);
    ssmOnline([ids[0] ?? '', ids[2] ?? '']);
    const result = discover({ spec: parseClusterSpec(spec()) });
    await expect(result).rejects.toMatchObject({ name: 'ExistingBrokerError' });
    await expect(result).rejects.toThrow('b2 (i-0123456789abcdef2): is not online in SSM');
  });

  it('reports every problem at once, and a spec value EC2 contradicts', async () => {
    // Prepare
    ec2Has([instance(1), instance(2, { State: { Name: 'stopped' } })]);
    const given = ids.map((instanceId, i) => ({
      instanceId,
      nodeId: i + 1,
      ...(i === 0 ? { privateIp: '10.20.0.99' } : {}),
    }));
    // Act
    const result = discover({ spec: parseClusterSpec(spec({}, given)) });
    // Assess
    await expect(result).rejects.toThrow(/^DiscoverBrokers: 3 problem\(s\) with spec.existing: /);
    await expect(result).rejects.toThrow(
      'b1 (i-0123456789abcdef1): the spec says privateIp 10.20.0.99, EC2 says 10.20.0.25',
    );
    await expect(result).rejects.toThrow('b2 (i-0123456789abcdef2): is stopped');
    await expect(result).rejects.toThrow('b3 (i-0123456789abcdef3): no such instance');
  });

  it('refuses duplicate node IDs before any EC2 call', async () => {
    // Act
    const result = discover({
      spec: spec({}, [
        { instanceId: id(1), nodeId: 1 },
        { instanceId: id(2), nodeId: 1 },
      ]),
    });
    // Assess
    await expect(result).rejects.toMatchObject({ name: 'SpecValidationError' });
    await expect(result).rejects.toThrow(
      /spec\.existing\.brokers\[1\]\.nodeId: .*duplicates existing\.brokers\[0\]/,
    );
    expect(ec2.calls()).toHaveLength(0);
  });

  it('refuses a spec without an existing section', async () => {
    await expect(discover({ spec: parseClusterSpec(seedSpec()) })).rejects.toMatchObject({
      name: 'SpecValidationError',
      message: expect.stringContaining('existing: is required'),
    });
  });

  it('turns throttling into AwsThrottledError (retried by the state machine)', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }));
    await expect(discover({ spec: parseClusterSpec(spec()) })).rejects.toMatchObject({
      name: 'AwsThrottledError',
    });
  });
});

describe('EnsureExistingNetwork', () => {
  const discovered = () =>
    parseClusterSpec(
      spec(
        {},
        [1, 2, 3].map((n) => ({
          instanceId: id(n),
          nodeId: n,
          azId: `usw2-az${n}`,
          subnetId: subnet(n),
          privateIp: `10.20.${(n - 1) * 16}.25`,
        })),
      ),
    );
  const ours = (role: string) => [
    { Key: 'kafka-plc:cluster', Value: 'seed-usw2' },
    { Key: 'kafka-plc:role', Value: role },
  ];

  beforeEach(() => {
    ec2.reset();
    ssm.reset();
    process.env.AWS_REGION = 'us-west-2';
    // This stage (dev) owns the cluster: EnsureExistingNetwork's claim finds it so
    ssm
      .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
      .resolves({ Parameter: { Value: 'dev' } });
    ec2
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'group-name', Values: ['seed-usw2-nlb'] },
        ],
      })
      .resolves({ SecurityGroups: [] });
    ec2
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'group-name', Values: ['seed-usw2-broker-external'] },
        ],
      })
      .resolves({ SecurityGroups: [] });
    ec2
      .on(CreateSecurityGroupCommand, { GroupName: 'seed-usw2-nlb' })
      .resolves({ GroupId: 'sg-00000000000000nlb' });
    ec2
      .on(CreateSecurityGroupCommand, { GroupName: 'seed-usw2-broker-external' })
      .resolves({ GroupId: 'sg-0000000000000ext' });
    ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-00000000000000nlb'] })
      .resolves({ SecurityGroups: [{ Tags: ours('sg-nlb') }] });
    ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0000000000000ext'] })
      .resolves({ SecurityGroups: [{ Tags: ours('sg-broker-external') }] });
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({});
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance(1), instance(2), instance(3)] }] });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
  });

  it("adds its group to each primary interface, passing the interface's own groups back", async () => {
    // Act
    const refs = await ensureExistingNetwork({ spec: discovered() }, lambdaContext());
    // Assess
    expect(refs).toMatchObject({
      vpcId: VPC,
      brokerSubnetIds: [subnet(1), subnet(2), subnet(3)],
      nlbSecurityGroupId: 'sg-00000000000000nlb',
      brokerSecurityGroupId: 'sg-0000000000000ext',
    });
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input)).toEqual(
      [1, 2, 3].map((n) => ({
        NetworkInterfaceId: `eni-0123456789abcdef${n}`,
        Groups: ['sg-0000000000000user', 'sg-0000000000000ext'],
      })),
    );
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      {
        GroupId: 'sg-00000000000000nlb',
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 9092,
            ToPort: 9095,
            IpRanges: [{ CidrIp: '10.100.0.0/16', Description: 'Kafka listeners from the consumer' }],
          },
        ],
      },
      {
        GroupId: 'sg-0000000000000ext',
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 39092,
            ToPort: 39092,
            UserIdGroupPairs: [
              { GroupId: 'sg-00000000000000nlb', Description: 'Kafka EXTERNAL from the kafka-plc NLB' },
            ],
          },
        ],
      },
    ]);
  });

  it('marks each broker instance and its interface kafka-plc:exposed-by (never kafka-plc:cluster, which teardown terminates), before re-grouping the interface', async () => {
    // Act
    await ensureExistingNetwork({ spec: discovered() }, lambdaContext());
    // Assess: IAM lets kafka-plc re-group only marked interfaces, so the mark comes first
    const enis = [1, 2, 3].map((n) => `eni-0123456789abcdef${n}`);
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Resources: ids.flatMap((instanceId, i) => [instanceId, enis[i]]),
        Tags: [{ Key: 'kafka-plc:exposed-by', Value: 'seed-usw2' }],
      },
    ]);
    const order = ec2.calls().map((c) => c.args[0].constructor.name);
    expect(order.indexOf('CreateTagsCommand')).toBeLessThan(
      order.indexOf('ModifyNetworkInterfaceAttributeCommand'),
    );
  });

  it('refuses brokers another kafka-plc cluster exposes, before changing anything', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance(1),
            instance(2, { Tags: [{ Key: 'kafka-plc:exposed-by', Value: 'other-cluster' }] }),
            instance(3),
          ],
        },
      ],
    });
    await expect(ensureExistingNetwork({ spec: discovered() }, lambdaContext())).rejects.toMatchObject({
      name: 'ResourceConflictError',
      message: expect.stringContaining('i-0123456789abcdef2 (other-cluster)'),
    });
    const mutating = ec2.calls().filter((c) => !/^Describe/.test(c.args[0].constructor.name));
    expect(mutating).toEqual([]);
  });

  it("never takes over a stranger's group that has kafka-plc's name", async () => {
    ec2
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'group-name', Values: ['seed-usw2-nlb'] },
        ],
      })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-00000000000000nlb', IpPermissions: [] }] });
    ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-00000000000000nlb'] })
      .resolves({ SecurityGroups: [{ Tags: [] }] });
    await expect(ensureExistingNetwork({ spec: discovered() }, lambdaContext())).rejects.toMatchObject({
      name: 'ResourceConflictError',
    });
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand)).toHaveLength(0);
  });

  it('explains an interface that has no room for another group', async () => {
    ec2.on(ModifyNetworkInterfaceAttributeCommand).rejects(
      Object.assign(new Error('You have exceeded the maximum number of security groups'), {
        name: 'SecurityGroupsPerInterfaceLimitExceeded',
      }),
    );
    await expect(ensureExistingNetwork({ spec: discovered() }, lambdaContext())).rejects.toMatchObject({
      name: 'ExistingBrokerError',
      message: expect.stringContaining(
        'eni-0123456789abcdef1 already has 1 security groups, the per-interface limit',
      ),
    });
  });

  it('an undiscovered spec is refused: the plan of an existing cluster needs discovered facts', async () => {
    await expect(
      ensureExistingNetwork({ spec: parseClusterSpec(spec()) }, lambdaContext()),
    ).rejects.toMatchObject({
      name: 'PlanError',
    });
    expect(ec2.calls()).toHaveLength(0);
  });
});
