/**
 * The AWS behaviour model's rules on their own (test/aws-model/rules.ts): each fails or answers a call as
 * its AWS documentation page says, and leaves every other call alone.
 */
import { describe, expect, it } from 'vitest';
import {
  type AwsCall,
  addressInUse,
  clientTokens,
  cloudwatchLimits,
  commandOutputCaps,
  dynamodbIsolation,
  elbNames,
  eventualConsistency,
  executionNames,
  instanceProfilePropagation,
  newState,
  nlbListenerQuota,
  type Peers,
  parameterSizes,
  RULES,
} from '../aws-model/rules';

const call = (service: string, operation: string, input: Record<string, unknown> = {}): AwsCall => ({
  service,
  operation,
  input,
  byFunction: 'someFunction',
});
const peers = (status?: string, inUse = false, listeners = 0): Peers => ({
  executionStatus: async () => status,
  addressInUse: async () => inUse,
  listenerCount: async () => listeners,
});
const codeOf = (verdict: unknown) => (verdict as { error?: { name?: string } } | undefined)?.error?.name;

describe('every rule names its AWS documentation page', () => {
  it.each(RULES.map((r) => [r.id, r]))('%s', (_id, rule) => {
    expect(rule.doc.url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(rule.doc.title.length).toBeGreaterThan(5);
    expect(rule.summary.length).toBeGreaterThan(10);
  });
});

describe('dynamodb-request-isolation', () => {
  it('keys every DynamoDB table request (single or transactional) alike, and nothing else', () => {
    const key = (service: string, operation: string, input: Record<string, unknown>) =>
      dynamodbIsolation.isolate?.(call(service, operation, input));
    expect(key('dynamodb', 'PutItem', { TableName: 't' })).toBe('dynamodb');
    expect(key('dynamodb', 'Query', { TableName: 'other' })).toBe('dynamodb');
    expect(key('dynamodb', 'TransactWriteItems', { TransactItems: [{ Put: { TableName: 't' } }] })).toBe(
      'dynamodb',
    );
    expect(key('dynamodb', 'ListTables', {})).toBeUndefined();
    expect(key('ec2', 'DescribeVpcs', {})).toBeUndefined();
  });
});

describe('ec2-eventual-consistency', () => {
  it('answers the first call naming a new group InvalidGroup.NotFound, the next one passes', () => {
    // Prepare
    const state = newState();
    eventualConsistency.after?.(call('ec2', 'CreateSecurityGroup'), { GroupId: 'sg-1' }, state);
    const use = call('ec2', 'AuthorizeSecurityGroupIngress', { GroupId: 'sg-1' });
    // Act
    const first = eventualConsistency.before?.(use, state, peers());
    const second = eventualConsistency.before?.(use, state, peers());
    // Assess
    expect(codeOf(first)).toBe('InvalidGroup.NotFound');
    expect(second).toBeUndefined();
  });

  it('maps each created ID to its NotFound code, and ignores filters and other services', () => {
    const state = newState();
    eventualConsistency.after?.(call('ec2', 'CreateVpc'), { Vpc: { VpcId: 'vpc-1' } }, state);
    eventualConsistency.after?.(call('ec2', 'RunInstances'), { Instances: [{ InstanceId: 'i-1' }] }, state);
    const byFilter = call('ec2', 'DescribeVpcs', { Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] });
    expect(eventualConsistency.before?.(byFilter, state, peers())).toBeUndefined();
    expect(
      eventualConsistency.before?.(call('elbv2', 'X', { VpcId: 'vpc-1' }), state, peers()),
    ).toBeUndefined();
    expect(
      codeOf(eventualConsistency.before?.(call('ec2', 'CreateSubnet', { VpcId: 'vpc-1' }), state, peers())),
    ).toBe('InvalidVpcID.NotFound');
    expect(
      codeOf(
        eventualConsistency.before?.(
          call('ec2', 'DescribeInstances', { InstanceIds: ['i-1'] }),
          state,
          peers(),
        ),
      ),
    ).toBe('InvalidInstanceID.NotFound');
  });
});

describe('ec2-client-token', () => {
  const run = (token: string, subnet: string) =>
    call('ec2', 'RunInstances', { ClientToken: token, NetworkInterfaces: [{ SubnetId: subnet }] });

  it('returns the first answer for the same token and request, even later', () => {
    const state = newState();
    clientTokens.after?.(run('t1', 'subnet-a'), { Instances: [{ InstanceId: 'i-first' }] }, state);
    expect(clientTokens.before?.(run('t1', 'subnet-a'), state, peers())).toEqual({
      output: { Instances: [{ InstanceId: 'i-first' }] },
    });
  });

  it('answers IdempotentParameterMismatch for the same token with another request', () => {
    const state = newState();
    clientTokens.after?.(run('t1', 'subnet-a'), { Instances: [{ InstanceId: 'i-first' }] }, state);
    expect(codeOf(clientTokens.before?.(run('t1', 'subnet-b'), state, peers()))).toBe(
      'IdempotentParameterMismatch',
    );
  });

  it('refuses a token over 64 characters, and lets a new token through', () => {
    const state = newState();
    expect(codeOf(clientTokens.before?.(run('x'.repeat(65), 's'), state, peers()))).toBe(
      'InvalidParameterValue',
    );
    expect(clientTokens.before?.(run('t2', 's'), state, peers())).toBeUndefined();
  });
});

describe('sfn-execution-names', () => {
  const start = (name: string, input = '{}') =>
    call('sfn', 'StartExecution', {
      stateMachineArn: 'arn:aws:states:us-west-2:1:stateMachine:m',
      name,
      input,
    });

  it('answers ExecutionAlreadyExists for a closed execution of the same name, same input or not', async () => {
    const state = newState();
    executionNames.after?.(start('c-v2'), {}, state);
    expect(codeOf(await executionNames.before?.(start('c-v2'), state, peers('SUCCEEDED')))).toBe(
      'ExecutionAlreadyExists',
    );
    expect(codeOf(await executionNames.before?.(start('c-v2', '{"a":1}'), state, peers('RUNNING')))).toBe(
      'ExecutionAlreadyExists',
    );
  });

  it('lets the same name and input through while that execution runs (Step Functions returns it)', async () => {
    const state = newState();
    executionNames.after?.(start('c-v2'), {}, state);
    expect(await executionNames.before?.(start('c-v2'), state, peers('RUNNING'))).toBeUndefined();
  });

  it('refuses names over 80 characters or with forbidden characters', async () => {
    const state = newState();
    expect(codeOf(await executionNames.before?.(start('a'.repeat(81)), state, peers()))).toBe('InvalidName');
    expect(codeOf(await executionNames.before?.(start('a b'), state, peers()))).toBe('InvalidName');
    expect(await executionNames.before?.(start('a'.repeat(80)), state, peers())).toBeUndefined();
  });
});

describe('iam-instance-profile-propagation', () => {
  it('fails the first two launches with a new profile, then lets them through', () => {
    const state = newState();
    instanceProfilePropagation.after?.(
      call('iam', 'AddRoleToInstanceProfile', { InstanceProfileName: 'p' }),
      {},
      state,
    );
    const launch = call('ec2', 'RunInstances', { IamInstanceProfile: { Name: 'p' } });
    const verdicts = [1, 2, 3].map(() => instanceProfilePropagation.before?.(launch, state, peers()));
    expect(verdicts.map(codeOf)).toEqual(['InvalidParameterValue', 'InvalidParameterValue', undefined]);
    expect((verdicts[0] as { error: Error }).error.message).toContain('Invalid IAM Instance Profile name');
  });
});

describe('ssm-parameter-size', () => {
  const put = (length: number, Tier?: string) =>
    call('ssm', 'PutParameter', { Name: '/x', Value: 'v'.repeat(length), ...(Tier ? { Tier } : {}) });
  it.each([
    [4096, undefined, undefined],
    [4097, undefined, 'ValidationException'],
    [4097, 'Intelligent-Tiering', undefined],
    [8192, 'Advanced', undefined],
    [8193, 'Advanced', 'ValidationException'],
    [8193, 'Intelligent-Tiering', 'ValidationException'],
  ])('%i characters, tier %s → %s', (length, tier, code) => {
    expect(codeOf(parameterSizes.before?.(put(length, tier), newState(), peers()))).toBe(code);
  });
});

describe('ssm-output-caps', () => {
  it('cuts stdout at 24,000 and stderr at 8,000 characters', () => {
    const output = { StandardOutputContent: 'o'.repeat(30_000), StandardErrorContent: 'e'.repeat(9_000) };
    commandOutputCaps.after?.(call('ssm', 'GetCommandInvocation'), output, newState());
    expect(output.StandardOutputContent.length).toBe(24_000);
    expect(output.StandardErrorContent.length).toBe(8_000);
  });
});

describe('elb-names', () => {
  it.each([
    ['CreateLoadBalancer', 'seed-usw2-nlb', undefined],
    ['CreateLoadBalancer', 'internal-kafka-nlb', 'ValidationError'],
    ['CreateLoadBalancer', 'a'.repeat(33), 'ValidationError'],
    ['CreateLoadBalancer', '-a', 'ValidationError'],
    ['CreateTargetGroup', 'internal-kafka-b1', undefined],
    ['CreateTargetGroup', 'a_b', 'ValidationError'],
  ])('%s %s → %s', (operation, Name, code) => {
    expect(codeOf(elbNames.before?.(call('elbv2', operation, { Name }), newState(), peers()))).toBe(code);
  });
});

describe('nlb-listener-quota', () => {
  it('answers TooManyListeners for the 51st listener of a load balancer, lets the 50th through', async () => {
    const create = call('elbv2', 'CreateListener', { LoadBalancerArn: 'arn:lb', Port: 9142 });
    expect(codeOf(await nlbListenerQuota.before?.(create, newState(), peers(undefined, false, 50)))).toBe(
      'TooManyListeners',
    );
    expect(await nlbListenerQuota.before?.(create, newState(), peers(undefined, false, 49))).toBeUndefined();
    expect(nlbListenerQuota.isolate?.(create)).toBe('listeners:arn:lb');
  });
});

describe('ec2-address-in-use', () => {
  it('answers InvalidIPAddress.InUse when another interface holds the address', async () => {
    const launch = call('ec2', 'RunInstances', {
      NetworkInterfaces: [{ SubnetId: 'subnet-1', PrivateIpAddress: '10.0.0.10' }],
    });
    expect(codeOf(await addressInUse.before?.(launch, newState(), peers(undefined, true)))).toBe(
      'InvalidIPAddress.InUse',
    );
    expect(await addressInUse.before?.(launch, newState(), peers(undefined, false))).toBeUndefined();
  });
});

describe('cloudwatch-request-limits', () => {
  it('refuses 101 alarm names, 1,001 metrics, a 256-character alarm name and a dashboard name with "/"; lets the limits through', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `kafka-plc/c/a${i}`);
    const data = (n: number) =>
      Array.from({ length: n }, () => ({ MetricName: 'RegisteredBrokers', Value: 3 }));
    const verdict = (operation: string, input: Record<string, unknown>) =>
      codeOf(cloudwatchLimits.before?.(call('cloudwatch', operation, input), newState(), peers()));
    expect(verdict('DeleteAlarms', { AlarmNames: names(101) })).toBe('ValidationError');
    expect(verdict('DeleteAlarms', { AlarmNames: names(100) })).toBeUndefined();
    expect(verdict('PutMetricData', { MetricData: data(1001) })).toBe('ValidationError');
    expect(verdict('PutMetricData', { MetricData: data(1000) })).toBeUndefined();
    expect(verdict('PutMetricAlarm', { AlarmName: 'x'.repeat(256) })).toBe('ValidationError');
    expect(verdict('PutMetricAlarm', { AlarmName: 'x'.repeat(255) })).toBeUndefined();
    expect(verdict('PutDashboard', { DashboardName: 'kafka-plc/c' })).toBe('ValidationError');
    expect(verdict('PutDashboard', { DashboardName: 'kafka-plc-c' })).toBeUndefined();
  });
});
