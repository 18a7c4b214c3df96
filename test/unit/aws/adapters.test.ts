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
import { translateAwsError } from '../../../functions/lib/aws/errors';
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

  it('an HTML 500 page (an emulator without the API) → ApiNotImplementedError naming the call', () => {
    expect(translateAwsError('DescribeInstanceInformation', htmlPage())).toMatchObject({
      name: 'ApiNotImplementedError',
      operation: 'DescribeInstanceInformation',
    });
  });

  it('keeps the code on AwsCallError for callers that branch on it', () => {
    expect(translateAwsError('RunInstances', awsError('InvalidIPAddress.InUse'))).toMatchObject({
      code: 'InvalidIPAddress.InUse',
    });
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
      name: 'ApiNotImplementedError',
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
      name: 'ApiNotImplementedError',
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
