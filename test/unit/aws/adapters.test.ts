/**
 * Adapters with aws-sdk-client-mock: SDK errors become our typed errors; "not found" and "already exists"
 * answers are handled where they mean something; emulator gaps are tolerated only in emulator mode.
 */
import {
  CreateVpcEndpointConnectionNotificationCommand,
  DescribeVpcEndpointConnectionNotificationsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import * as elb from '../../../functions/lib/aws/elbv2';
import * as eps from '../../../functions/lib/aws/endpoint-service';
import { call, hasCode, translateAwsError } from '../../../functions/lib/aws/errors';
import { ensureBrokerInstanceProfile } from '../../../functions/lib/aws/iam';
import * as ssm from '../../../functions/lib/aws/ssm';

const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ssmMock = mockClient(SSMClient);
const iam = mockClient(IAMClient);

const awsError = (name: string, message = name, status = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
const htmlPage = () =>
  Object.assign(new Error('Unexpected token \'<\', "<!doctype "... is not valid JSON'), {
    name: 'SyntaxError',
    $response: { statusCode: 500, headers: { 'content-type': 'text/html; charset=utf-8' } },
  });

beforeEach(() => {
  ec2.reset();
  elbv2.reset();
  ssmMock.reset();
  iam.reset();
  delete process.env.KAFKA_PLC_EMULATOR;
});

describe('translateAwsError', () => {
  it.each([
    ['Throttling', 'AwsThrottledError'],
    ['RequestLimitExceeded', 'AwsThrottledError'],
    ['TooManyRequestsException', 'AwsThrottledError'],
    ['InternalError', 'AwsThrottledError'],
    ['IncorrectState', 'ResourceNotReadyError'],
    ['IncorrectInstanceState', 'ResourceNotReadyError'],
    ['UnauthorizedOperation', 'AwsCallError'],
    ['InvalidParameterValue', 'AwsCallError'],
  ])('%s → %s', (code, name) => {
    const translated = translateAwsError('RunInstances', awsError(code));
    expect(translated.name).toBe(name);
    expect(translated.message).toContain('RunInstances');
  });

  it('an HTML 500 page on AWS is a server failure, retried (AwsThrottledError), never "not implemented"', () => {
    // Prepare: no KAFKA_PLC_EMULATOR (beforeEach), even with AWS_ENDPOINT_URL set
    process.env.AWS_ENDPOINT_URL = 'https://ec2-fips.us-west-2.amazonaws.com';
    try {
      // Act
      const translated = translateAwsError('DescribeInstanceInformation', htmlPage());
      // Assess
      expect(translated).toMatchObject({ name: 'AwsThrottledError' });
      expect(translated.message).toContain('DescribeInstanceInformation');
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });

  it('a truncated answer (unparsable body) and any 5xx are server failures too', () => {
    const truncated = Object.assign(new Error('Unexpected end of JSON input'), { name: 'SyntaxError' });
    const status503 = awsError('SomethingNew', 'upstream', 503);
    expect(translateAwsError('GetParameter', truncated).name).toBe('AwsThrottledError');
    expect(translateAwsError('GetParameter', status503).name).toBe('AwsThrottledError');
  });

  it('against an emulator only (KAFKA_PLC_EMULATOR=1), an HTML 500 page means the API is missing', () => {
    process.env.KAFKA_PLC_EMULATOR = '1';
    expect(translateAwsError('DescribeInstanceInformation', htmlPage())).toMatchObject({
      name: 'ApiNotImplementedError',
      operation: 'DescribeInstanceInformation',
    });
  });

  it.each([
    'InvalidGroup.NotFound',
    'InvalidInstanceID.NotFound',
    'InvalidVpcID.NotFound',
    'InvalidSubnetID.NotFound',
    'InvalidRouteTableID.NotFound',
    'InvalidAllocationID.NotFound',
  ])('%s (eventual consistency) → ResourceNotReadyError keeping the code', (code) => {
    const translated = translateAwsError('CreateSubnet', awsError(code));
    expect(translated).toMatchObject({ name: 'ResourceNotReadyError', code });
    expect(hasCode(translated, code)).toBe(true);
  });

  it('an instance profile IAM has not propagated yet → ResourceNotReadyError', () => {
    const error = awsError(
      'InvalidParameterValue',
      'Value (kafka-plc-broker) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name',
    );
    expect(translateAwsError('RunInstances', error).name).toBe('ResourceNotReadyError');
  });

  it('keeps the code on AwsCallError for callers that branch on it', () => {
    expect(translateAwsError('RunInstances', awsError('InvalidIPAddress.InUse'))).toMatchObject({
      code: 'InvalidIPAddress.InUse',
    });
  });
});

describe('call: in-place retries', () => {
  it('repeats a call that names a resource AWS does not show yet, until it does', async () => {
    // Prepare
    process.env.KAFKA_PLC_IN_PLACE_RETRY_MS = '0';
    let attempts = 0;
    const fn = async () => {
      attempts += 1;
      if (attempts < 3) throw awsError('InvalidSubnetID.NotFound');
      return 'ok';
    };
    try {
      // Act
      const result = await call('CreateRouteTable', fn);
      // Assess
      expect(result).toBe('ok');
      expect(attempts).toBe(3);
    } finally {
      delete process.env.KAFKA_PLC_IN_PLACE_RETRY_MS;
    }
  });

  it('gives up after 7 attempts with ResourceNotReadyError (the state machine retries further)', async () => {
    process.env.KAFKA_PLC_IN_PLACE_RETRY_MS = '0';
    let attempts = 0;
    try {
      await expect(
        call('CreateRoute', async () => {
          attempts += 1;
          throw awsError('InvalidRouteTableID.NotFound');
        }),
      ).rejects.toMatchObject({ name: 'ResourceNotReadyError', code: 'InvalidRouteTableID.NotFound' });
      expect(attempts).toBe(7);
    } finally {
      delete process.env.KAFKA_PLC_IN_PLACE_RETRY_MS;
    }
  });

  it('never repeats a removal (NotFound there means already gone) nor other errors', async () => {
    process.env.KAFKA_PLC_IN_PLACE_RETRY_MS = '0';
    let attempts = 0;
    const fails = (code: string) => async () => {
      attempts += 1;
      throw awsError(code);
    };
    try {
      await expect(call('DeleteSubnet', fails('InvalidSubnetID.NotFound'))).rejects.toMatchObject({
        code: 'InvalidSubnetID.NotFound',
      });
      await expect(call('RunInstances', fails('InvalidParameterValue'))).rejects.toMatchObject({
        name: 'AwsCallError',
      });
      expect(attempts).toBe(2);
    } finally {
      delete process.env.KAFKA_PLC_IN_PLACE_RETRY_MS;
    }
  });
});

describe('SSM adapter', () => {
  it('reads a missing parameter as undefined, and rethrows other failures typed', async () => {
    ssmMock
      .on(GetParameterCommand)
      .rejectsOnce(awsError('ParameterNotFound'))
      .rejectsOnce(awsError('ThrottlingException'));
    await expect(ssm.getParameter('us-west-2', '/x')).resolves.toBeUndefined();
    await expect(ssm.getParameter('us-west-2', '/x')).rejects.toMatchObject({ name: 'AwsThrottledError' });
  });

  it('creates a parameter only if absent; losing a creation race is not an error', async () => {
    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    ssmMock.on(PutParameterCommand).rejectsOnce(awsError('ParameterAlreadyExists')).resolves({ Version: 1 });
    const input = {
      name: '/kafka-plc/c/unique-name',
      value: 'unique_name',
      description: 'd',
      tags: { a: 'b' },
    };
    await expect(ssm.createParameterIfAbsent('us-west-2', input)).resolves.toBe(false);
    await expect(ssm.createParameterIfAbsent('us-west-2', input)).resolves.toBe(true);
    expect(ssmMock.commandCalls(PutParameterCommand)[0]?.args[0].input).toMatchObject({
      Overwrite: false,
      Type: 'String',
    });
  });

  it('reads an invocation that does not exist yet as pending', async () => {
    ssmMock.on(GetCommandInvocationCommand).rejects(awsError('InvocationDoesNotExist'));
    await expect(ssm.commandInvocation('us-west-2', 'c', 'i-1')).resolves.toMatchObject({
      status: 'Pending',
    });
  });

  it('reports only Online managed instances (the real API)', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        { InstanceId: 'i-1', PingStatus: 'Online' },
        { InstanceId: 'i-2', PingStatus: 'ConnectionLost' },
      ],
    });
    expect([...(await ssm.onlineManagedInstances('us-west-2', ['i-1', 'i-2', 'i-3']))]).toEqual(['i-1']);
  });

  it('tolerates the DescribeInstanceInformation gap only against an emulator', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).rejects(htmlPage());
    await expect(ssm.onlineManagedInstances('us-west-2', ['i-1'])).rejects.toMatchObject({
      name: 'AwsThrottledError',
    });
    process.env.KAFKA_PLC_EMULATOR = '1';
    expect([...(await ssm.onlineManagedInstances('us-west-2', ['i-1']))]).toEqual(['i-1']);
  });
});

describe('ELBv2 adapter', () => {
  it('reads a missing load balancer as undefined', async () => {
    elbv2.on(DescribeLoadBalancersCommand).rejects(awsError('LoadBalancerNotFound'));
    await expect(elb.findLoadBalancer('us-west-2', 'x')).resolves.toBeUndefined();
  });
});

describe('endpoint service adapter', () => {
  it('subscribes the topic to Connect events once', async () => {
    ec2
      .on(DescribeVpcEndpointConnectionNotificationsCommand)
      .resolvesOnce({ ConnectionNotificationSet: [] })
      .resolves({
        ConnectionNotificationSet: [
          { ConnectionNotificationArn: 'arn:topic', ConnectionEvents: ['Connect'] },
        ],
      });
    ec2.on(CreateVpcEndpointConnectionNotificationCommand).resolves({});
    await expect(eps.ensureConnectionNotification('us-west-2', 'vpce-svc-1', 'arn:topic')).resolves.toBe(
      'created',
    );
    await expect(eps.ensureConnectionNotification('us-west-2', 'vpce-svc-1', 'arn:topic')).resolves.toBe(
      'exists',
    );
    expect(
      ec2.commandCalls(CreateVpcEndpointConnectionNotificationCommand).map((c) => c.args[0].input),
    ).toEqual([
      { ServiceId: 'vpce-svc-1', ConnectionNotificationArn: 'arn:topic', ConnectionEvents: ['Connect'] },
    ]);
  });

  it('fails on the notification gap outside an emulator, warns and skips inside one', async () => {
    ec2.on(DescribeVpcEndpointConnectionNotificationsCommand).rejects(htmlPage());
    await expect(eps.ensureConnectionNotification('us-west-2', 's', 't')).rejects.toMatchObject({
      name: 'AwsThrottledError',
    });
    process.env.KAFKA_PLC_EMULATOR = '1';
    await expect(eps.ensureConnectionNotification('us-west-2', 's', 't')).resolves.toBe('skipped');
  });
});

describe('IAM adapter (local prerequisites)', () => {
  it('creates the role, attaches only AmazonSSMManagedInstanceCore, and the profile, when absent', async () => {
    iam.on(GetRoleCommand).rejects(awsError('NoSuchEntity'));
    iam.on(CreateRoleCommand).resolves({});
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    iam.on(AttachRolePolicyCommand).resolves({});
    iam.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntity'));
    iam.on(CreateInstanceProfileCommand).resolves({});
    iam.on(AddRoleToInstanceProfileCommand).resolves({});
    await ensureBrokerInstanceProfile('us-west-2', 'kafka-plc-broker');
    expect(iam.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input.PolicyArn)).toEqual([
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
    expect(iam.commandCalls(AddRoleToInstanceProfileCommand)).toHaveLength(1);
  });

  it('changes nothing when everything exists', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'r' } as never });
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }],
    });
    iam
      .on(GetInstanceProfileCommand)
      .resolves({ InstanceProfile: { Roles: [{ RoleName: 'kafka-plc-broker' }] } as never });
    await ensureBrokerInstanceProfile('us-west-2', 'kafka-plc-broker');
    expect(
      iam
        .calls()
        .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name)
        .filter((n) => !/^(Get|List)/.test(n)),
    ).toEqual([]);
  });
});
