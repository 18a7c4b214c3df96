/**
 * Provisioning handlers with aws-sdk-client-mock: the error paths the emulator cannot produce (an IP held
 * by someone else, a failed configure command, a NAT gateway that failed, a wait that runs out).
 */
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  GetCommandInvocationCommand,
  GetParameterCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as checkBrokersConfigured } from '../../../functions/check-brokers-configured/handler';
import { handler as checkNatGateway } from '../../../functions/check-nat-gateway/handler';
import { handler as configureBrokers } from '../../../functions/configure-brokers/handler';
import { handler as ensureNetwork } from '../../../functions/ensure-network/handler';
import { handler as launchBrokers } from '../../../functions/launch-brokers/handler';
import { renderBrokerScript } from '../../../functions/lib/domain/broker-script';
import { commandComment, scriptHash } from '../../../functions/lib/domain/commands';
import { planCluster } from '../../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { handler as validateSpec } from '../../../functions/validate-spec/handler';
import { seedSpec } from '../../fixtures/specs';
import { lambdaContext } from '../../helpers/lambda';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const spec = parseClusterSpec(seedSpec());
const plan = planCluster(spec);
const network = {
  vpcId: 'vpc-1',
  brokerSubnetIds: ['subnet-1', 'subnet-2', 'subnet-3'],
  subnetIdsByName: {
    'broker-usw2-az1': 'subnet-1',
    'broker-usw2-az2': 'subnet-2',
    'broker-usw2-az3': 'subnet-3',
    public: 'subnet-p',
  },
  publicSubnetId: 'subnet-p',
  internetGatewayId: 'igw-1',
  natGatewayId: 'nat-1',
  brokerSecurityGroupId: 'sg-b',
  nlbSecurityGroupId: 'sg-n',
};
const awsError = (name: string) =>
  Object.assign(new Error(name), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
const brokers = {
  brokers: plan.brokers.map((b) => ({
    nodeId: b.nodeId,
    instanceId: `i-${b.nodeId}`,
    privateIp: b.privateIp,
  })),
  launched: [],
};

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  process.env.BROKER_INSTANCE_PROFILE = 'kafka-plc-broker';
  // This stage (dev) owns the cluster: EnsureNetwork's claim finds it so
  ssm
    .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
    .resolves({ Parameter: { Value: 'dev' } });
});

describe('ValidateSpec', () => {
  it('fails with SpecValidationError naming the field, without any AWS call', async () => {
    await expect(validateSpec({ ...seedSpec(), vpcCidr: 'nope' }, lambdaContext())).rejects.toMatchObject({
      name: 'SpecValidationError',
      message: expect.stringContaining('vpcCidr'),
    });
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('EnsureNetwork', () => {
  it('refuses a tagged VPC whose CIDR differs from the spec (no silent re-addressing)', async () => {
    ec2.on(DescribeVpcsCommand).resolves({
      Vpcs: [
        {
          VpcId: 'vpc-9',
          CidrBlock: '10.9.0.0/16',
          Tags: [
            { Key: 'kafka-plc:cluster', Value: 'seed-usw2' },
            { Key: 'kafka-plc:role', Value: 'vpc' },
          ],
        },
      ],
    });
    await expect(ensureNetwork({ spec }, lambdaContext())).rejects.toMatchObject({
      name: 'UnsupportedChangeError',
    });
  });
});

describe('LaunchBrokers', () => {
  beforeEach(() => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-1' } });
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ RootDeviceName: '/dev/xvda' }] });
  });

  it('launches each broker at its planned IP with IMDSv2, an encrypted gp3 root, no public IP and its tags', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2.on(RunInstancesCommand).callsFake((input) => ({
      Instances: [
        { InstanceId: `i-${input.NetworkInterfaces[0].PrivateIpAddress}`, State: { Name: 'pending' } },
      ],
    }));
    const out = (await launchBrokers({ spec, network, executionName: 'exec-1' }, lambdaContext())) as {
      launched: number[];
    };
    expect(out.launched).toEqual([1, 2, 3]);
    const first = ec2.commandCalls(RunInstancesCommand)[0]?.args[0].input;
    expect(first).toMatchObject({
      ImageId: 'ami-1',
      InstanceType: 't3.large',
      MetadataOptions: { HttpTokens: 'required' },
      IamInstanceProfile: { Name: 'kafka-plc-broker' },
      NetworkInterfaces: [
        {
          SubnetId: 'subnet-1',
          PrivateIpAddress: '10.0.0.10',
          AssociatePublicIpAddress: false,
          Groups: ['sg-b'],
        },
      ],
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', Encrypted: true } }],
    });
    expect(first?.KeyName).toBeUndefined();
  });

  it('fails with ResourceConflictError when the planned IP is held by an instance that is not ours', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .callsFake((input: { Filters?: { Name: string; Values: string[] }[] }) => {
        const byIp = input.Filters?.some(
          (f) => f.Name === 'private-ip-address' && f.Values.includes('10.0.0.10'),
        );
        return {
          Reservations: byIp
            ? [{ Instances: [{ InstanceId: 'i-foreign', PrivateIpAddress: '10.0.0.10', Tags: [] }] }]
            : [],
        };
      });
    ec2.on(RunInstancesCommand).rejects(awsError('InvalidIPAddress.InUse'));
    await expect(
      launchBrokers({ spec, network, executionName: 'exec-1' }, lambdaContext()),
    ).rejects.toMatchObject({
      name: 'ResourceConflictError',
      message: expect.stringContaining('10.0.0.10 is used by i-foreign'),
    });
  });

  it('missing instance profile configuration fails fast naming the variable', async () => {
    delete process.env.BROKER_INSTANCE_PROFILE;
    await expect(
      launchBrokers({ spec, network, executionName: 'exec-1' }, lambdaContext()),
    ).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('BROKER_INSTANCE_PROFILE'),
    });
  });
});

describe('ConfigureBrokers', () => {
  const hashes = plan.brokers.map((b) => scriptHash(renderBrokerScript(plan, b)));
  /** DescribeInstances of the seed's brokers i-1..i-3: this cluster's, with the applied-config tags given. */
  const instancesWith = (applied: Record<string, string> = {}, owner = (_id: string) => 'seed-usw2') =>
    ec2.on(DescribeInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => ({
      Reservations: [
        {
          Instances: (input.InstanceIds ?? []).map((id) => ({
            InstanceId: id,
            Tags: [
              { Key: 'kafka-plc:cluster', Value: owner(id) },
              ...(applied[id] ? [{ Key: 'kafka-plc:applied-config', Value: applied[id] }] : []),
            ],
          })),
        },
      ],
    }));

  it('never restarts running brokers together: a broker running another configuration is refused', async () => {
    // Prepare
    instancesWith();
    ssm.on(ListCommandsCommand).resolves({
      Commands: [
        {
          CommandId: 'old',
          Status: 'Success',
          Comment: commandComment('configure', 'seed-usw2', 1, 'aaaaaaaaaaaaaaaa'),
          RequestedDateTime: new Date(),
        },
      ],
    });
    // Act + Assess
    await expect(configureBrokers({ spec, brokers }, lambdaContext())).rejects.toMatchObject({
      name: 'UnsupportedChangeError',
      message: expect.stringContaining('kafka-plc roll'),
    });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('…also once the command history has expired: the applied-config tag names the configuration it runs', async () => {
    // Prepare: SSM remembers nothing; broker 2's tag records another configuration
    instancesWith({ 'i-1': hashes[0] ?? '', 'i-2': 'bbbbbbbbbbbbbbbb', 'i-3': hashes[2] ?? '' });
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    // Act + Assess
    await expect(configureBrokers({ spec, brokers }, lambdaContext())).rejects.toMatchObject({
      name: 'UnsupportedChangeError',
      message: expect.stringContaining(
        `broker 2 (i-2) runs another configuration (bbbbbbbbbbbbbbbb, planned ${hashes[1]})`,
      ),
    });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('sends nothing to brokers whose tag records this configuration, and the check records nothing again', async () => {
    // Prepare
    const applied = { 'i-1': hashes[0] ?? '', 'i-2': hashes[1] ?? '', 'i-3': hashes[2] ?? '' };
    instancesWith(applied);
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    // Act
    const configure = (await configureBrokers({ spec, brokers }, lambdaContext())) as {
      commands: { commandId?: string; sent: boolean; hash: string; recorded?: string }[];
    };
    const checked = await checkBrokersConfigured(
      { spec, configure, wait: { attempt: 0, maxAttempts: 10 } },
      lambdaContext(),
    );
    // Assess
    expect(configure.commands.map((c) => [c.commandId, c.sent, c.recorded === c.hash])).toEqual([
      [undefined, false, true],
      [undefined, false, true],
      [undefined, false, true],
    ]);
    expect(checked).toMatchObject({ ready: true });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(0);
  });

  it('sends again when a command with this configuration failed after the tag was written', async () => {
    // Prepare: the tag says broker 1 runs it, but the newest command with that hash failed (restart not done)
    instancesWith({ 'i-1': hashes[0] ?? '', 'i-2': hashes[1] ?? '', 'i-3': hashes[2] ?? '' });
    ssm.on(ListCommandsCommand).callsFake((input) =>
      input.InstanceId === 'i-1'
        ? {
            Commands: [
              {
                CommandId: 'failed',
                Status: 'Failed',
                Comment: commandComment('configure', 'seed-usw2', 1, hashes[0] ?? ''),
                RequestedDateTime: new Date(),
              },
            ],
          }
        : { Commands: [] },
    );
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'again' } });
    // Act
    const configure = (await configureBrokers({ spec, brokers }, lambdaContext())) as {
      commands: { commandId?: string; sent: boolean }[];
    };
    // Assess
    expect(configure.commands.map((c) => [c.commandId, c.sent])).toEqual([
      ['again', true],
      [undefined, false],
      [undefined, false],
    ]);
  });

  it("sends to a broker only after reading that it carries this cluster's tag value; another cluster's instance gets nothing", async () => {
    // Prepare: no command yet; broker 2's instance belongs to another cluster (IAM checks only the tag key)
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'sent' } });
    instancesWith({}, (id) => (id === 'i-2' ? 'seed-usw2-prod' : 'seed-usw2'));
    // Act + Assess
    await expect(configureBrokers({ spec, brokers }, lambdaContext())).rejects.toMatchObject({
      name: 'ResourceConflictError',
      message: expect.stringContaining(
        'no command sent: instance i-2 belongs to cluster seed-usw2-prod, not seed-usw2',
      ),
    });
    expect(ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([['i-1']]);
  });

  it('reuses a command still in flight instead of sending it again', async () => {
    // Prepare
    instancesWith();
    ssm.on(ListCommandsCommand).callsFake((input) => {
      const node = Number(String(input.InstanceId).slice(2));
      return {
        Commands: [
          {
            CommandId: `c${node}`,
            Status: 'InProgress',
            Comment: commandComment('configure', 'seed-usw2', node, hashes[node - 1] ?? ''),
            RequestedDateTime: new Date(),
          },
        ],
      };
    });
    // Act
    const out = (await configureBrokers({ spec, brokers }, lambdaContext())) as {
      commands: { commandId: string; sent: boolean }[];
    };
    // Assess
    expect(out.commands.map((c) => [c.commandId, c.sent])).toEqual([
      ['c1', false],
      ['c2', false],
      ['c3', false],
    ]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('CheckBrokersConfigured records each configuration on its instance once every command succeeded', async () => {
    // Prepare: b1 already tagged with its hash; b2 untagged; b3's command still running on the first poll
    const commands = plan.brokers.map((b, i) => ({
      nodeId: b.nodeId,
      instanceId: `i-${b.nodeId}`,
      commandId: `c${b.nodeId}`,
      sent: true,
      hash: hashes[i] ?? '',
      ...(b.nodeId === 1 ? { recorded: hashes[0] } : {}),
    }));
    let b3 = 'InProgress';
    ssm
      .on(GetCommandInvocationCommand)
      .callsFake((input) => ({ Status: input.CommandId === 'c3' ? b3 : 'Success' }));
    ec2.on(CreateTagsCommand).resolves({});
    const poll = () =>
      checkBrokersConfigured(
        { spec, configure: { commands }, wait: { attempt: 0, maxAttempts: 10 } },
        lambdaContext(),
      );
    // Act
    const first = await poll();
    const taggedWhileRunning = ec2.commandCalls(CreateTagsCommand).length;
    b3 = 'Success';
    const second = await poll();
    // Assess
    expect(first).toMatchObject({ ready: false });
    expect(taggedWhileRunning).toBe(0);
    expect(second).toMatchObject({ ready: true });
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([
      { Resources: ['i-2'], Tags: [{ Key: 'kafka-plc:applied-config', Value: hashes[1] }] },
      { Resources: ['i-3'], Tags: [{ Key: 'kafka-plc:applied-config', Value: hashes[2] }] },
    ]);
  });
});

describe('polling checks', () => {
  it('CheckBrokersConfigured reports the broker, exit code and output tails of a failed command', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({
      Status: 'Failed',
      ResponseCode: 1,
      StandardOutputContent: 'line 1\nline 2',
      StandardErrorContent: 'kafka-plc[b1]: ERROR: SHA-512 of kafka_2.13-3.7.1.tgz does not match',
    });
    const configure = {
      commands: [{ nodeId: 1, instanceId: 'i-1', commandId: 'c1', sent: true, hash: '0123456789abcdef' }],
    };
    await expect(
      checkBrokersConfigured({ spec, configure, wait: { attempt: 0, maxAttempts: 10 } }, lambdaContext()),
    ).rejects.toMatchObject({
      name: 'BrokerConfigureFailedError',
      message: expect.stringMatching(/broker 1 \(i-1\).*exit code 1[\s\S]*SHA-512/),
    });
  });

  it('CheckNatGateway counts attempts and gives up with WaitTimeoutError at the bound', async () => {
    ec2
      .on(DescribeNatGatewaysCommand)
      .resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: 'pending' }] });
    const first = await checkNatGateway(
      { spec, network, wait: { attempt: 0, maxAttempts: 2 } },
      lambdaContext(),
    );
    expect(first).toMatchObject({ ready: false, attempt: 1, maxAttempts: 2 });
    await expect(
      checkNatGateway({ spec, network, wait: { attempt: 1, maxAttempts: 2 } }, lambdaContext()),
    ).rejects.toMatchObject({
      name: 'WaitTimeoutError',
      message: expect.stringContaining('nat-1 is pending'),
    });
  });

  it('CheckNatGateway fails at once on a failed gateway', async () => {
    ec2
      .on(DescribeNatGatewaysCommand)
      .resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: 'failed' }] });
    await expect(
      checkNatGateway({ spec, network, wait: { attempt: 0, maxAttempts: 5 } }, lambdaContext()),
    ).rejects.toMatchObject({
      name: 'ResourceConflictError',
    });
  });
});
