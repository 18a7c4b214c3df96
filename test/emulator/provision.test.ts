/**
 * The real provision ASL, executed by aws-local-stepfunctions, whose Tasks call our real handlers, whose
 * real SDK clients reach moto over HTTP, with the AWS model (test/aws-model) failing calls where AWS would and
 * IAM judged against each function's packaged role. Emulator gaps (DescribeInstanceInformation, connection
 * notifications) are behind adapters that warn and go on here; their real paths are unit-tested with mocks.
 */
import {
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import { planCluster } from '../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../functions/lib/spec';
import { counts, type Emulator, FAST, SEED, snapshot, startEmulator } from '../helpers/emulator';

const seed = SEED;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  await emulator.fresh();
});

describe('provision on the emulator', () => {
  it('builds exactly the plan: subnets by AZ ID, brokers at planned IPs, listener → target group → broker:39092', async () => {
    // Act
    const result = await runLocal('provision', seed, FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const plan = planCluster(parseClusterSpec(seed));
    const state = await snapshot(plan.clusterName);
    const byCidr = (a: { cidr: string }, b: { cidr: string }) => a.cidr.localeCompare(b.cidr);
    expect(state.subnets.map(({ cidr, azId }) => ({ cidr, azId })).sort(byCidr)).toEqual(
      plan.subnets.map((s) => ({ cidr: s.cidr, azId: s.azId ?? 'usw2-az1' })).sort(byCidr),
    );
    const byNode = (a: { node?: string }, b: { node?: string }) => Number(a.node) - Number(b.node);
    expect(
      state.instances
        .map((i) => ({ ip: i.ip, node: i.tags['kafka-plc:node-id'], az: i.tags['kafka-plc:az-id'] }))
        .sort(byNode),
    ).toEqual(plan.brokers.map((b) => ({ ip: b.privateIp, node: String(b.nodeId), az: b.azId })));
    const idByNode = new Map(state.instances.map((i) => [Number(i.tags['kafka-plc:node-id']), i.id]));
    for (const listener of plan.loadBalancer.listeners) {
      const actual = state.listeners.find((l) => l.port === listener.port);
      expect(actual?.targetGroup).toBe(listener.targetGroupName);
      const group = state.targetGroups.find((g) => g.name === listener.targetGroupName);
      expect(group?.targets).toEqual(listener.brokerNodeIds.map((id) => `${idByNode.get(id)}:39092`).sort());
    }
    expect(state.listeners.map((l) => l.port)).toEqual([9092, 9093, 9094, 9095]);
    expect(state.securityGroups).toEqual(['seed-usw2-brokers', 'seed-usw2-nlb']);

    const output = result.output as Record<string, string>;
    const { ec2, ssm } = clients('us-west-2');
    const services = await ec2.send(
      new DescribeVpcEndpointServiceConfigurationsCommand({
        ServiceIds: [output.endpointServiceId as string],
      }),
    );
    expect(services.ServiceConfigurations?.[0]).toMatchObject({
      AcceptanceRequired: true,
      NetworkLoadBalancerArns: [output.loadBalancerArn],
    });
    const permissions = await ec2.send(
      new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: output.endpointServiceId }),
    );
    expect(permissions.AllowedPrincipals?.map((p) => p.Principal)).toEqual([
      'arn:aws:iam::123456789012:root',
    ]);
    const parameter = await ssm.send(new GetParameterCommand({ Name: '/kafka-plc/seed-usw2/unique-name' }));
    expect(parameter.Parameter?.Value).toBe('unique_name');
    expect(output.endpointServiceName).toMatch(/^com\.amazonaws\.vpce\.us-west-2\.vpce-svc-/);
  });

  it('survives what AWS does that moto does not: NotFound right after a create, an instance profile not yet usable', async () => {
    // Act
    const result = await runLocal('provision', seed, FAST);
    // Assess: the AWS model failed calls as AWS would, and the run converged anyway
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(emulator.model.fired.get('ec2-eventual-consistency') ?? 0).toBeGreaterThanOrEqual(6);
    expect(emulator.model.fired.get('iam-instance-profile-propagation')).toBe(2);
    const refused = emulator.recorder.calls.filter((c) => c.error).map((c) => `${c.operation} ${c.error}`);
    expect(refused).toEqual(
      expect.arrayContaining([
        'RunInstances InvalidParameterValue',
        expect.stringMatching(/ InvalidVpcID\.NotFound$/),
        expect.stringMatching(/ InvalidGroup\.NotFound$/),
      ]),
    );
  });

  it("sets every listener's TCP idle timeout above Kafka's idle close (NLB default 350 s < 600 s)", async () => {
    // Act
    const result = await runLocal('provision', seed, FAST);
    const first = emulator.recorder.calls.map((c) => c.operation);
    emulator.recorder.clear();
    const rerun = await runLocal('provision', seed, FAST);
    // Assess: the listeners it created are set without a read first; a re-run reads each and changes none
    expect(rerun.status).toBe('SUCCEEDED');
    expect(first.filter((o) => o === 'ModifyListenerAttributes')).toHaveLength(4);
    expect(first.filter((o) => o === 'DescribeListenerAttributes')).toHaveLength(0);
    const again = emulator.recorder.calls.map((c) => c.operation);
    expect(again.filter((o) => o === 'DescribeListenerAttributes')).toHaveLength(4);
    expect(again.filter((o) => o === 'ModifyListenerAttributes')).toHaveLength(0);
    const { elbv2 } = clients('us-west-2');
    const arn = (result.output as Record<string, string>).loadBalancerArn;
    const listeners =
      (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];
    expect(listeners).toHaveLength(4);
    for (const listener of listeners) {
      const attributes = await elbv2.send(
        new DescribeListenerAttributesCommand({ ListenerArn: listener.ListenerArn }),
      );
      expect(attributes.Attributes?.find((a) => a.Key === 'tcp.idle_timeout.seconds')?.Value).toBe('660');
    }
  });

  it("gives the local run's notification topic the policy that lets PrivateLink publish to it", async () => {
    // Act (fresh() prepared the local environment as kafka-plc provision --local does)
    const { sns } = clients('us-west-2');
    const topicArn = process.env.CONNECTION_TOPIC_ARN as string;
    const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    // Assess
    const policy = JSON.parse(attributes.Attributes?.Policy ?? '{}');
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'vpce.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:us-west-2:123456789012:vpc-endpoint-service/*' },
        },
      }),
    ]);
  });

  it('a complete re-run makes zero mutating calls and returns the same outputs', async () => {
    // Prepare
    const first = await runLocal('provision', seed, FAST);
    const before = counts(await snapshot('seed-usw2'));
    const mutatingFirst = emulator.recorder.mutating().length;
    emulator.recorder.clear();
    // Act
    const second = await runLocal('provision', seed, FAST);
    // Assess
    expect(second.status).toBe('SUCCEEDED');
    expect(second.output).toEqual(first.output);
    expect(emulator.recorder.mutating().map((c) => c.operation)).toEqual([]);
    expect(emulator.recorder.reads().length).toBeGreaterThan(0);
    expect(counts(await snapshot('seed-usw2'))).toEqual(before);
    expect(mutatingFirst).toBeGreaterThan(20);
  });

  it("sends each configure command to its own broker only, carrying that broker's advertised listener", async () => {
    await runLocal('provision', seed, FAST);
    const sends = emulator.recorder.calls.filter((c) => c.operation === 'SendCommand');
    const state = await snapshot('seed-usw2');
    expect(sends).toHaveLength(3);
    for (const send of sends) {
      const ids = send.input.InstanceIds as string[];
      expect(ids).toHaveLength(1);
      const instance = state.instances.find((i) => i.id === ids[0]);
      const node = instance?.tags['kafka-plc:node-id'];
      const script = (send.input.Parameters as { commands: string[] }).commands[0] ?? '';
      expect(script).toContain(`readonly NODE_ID='${node}'`);
      expect(script).toContain(
        `EXTERNAL://b${node}.usw2-az${node}.unique_name.aws.plc.tidbcloud.com:${9092 + Number(node)}`,
      );
    }
  });

  it('scale-out adds only the new broker-only brokers, their target groups and listeners', async () => {
    // Prepare
    await runLocal('provision', seed, FAST);
    const before = await snapshot('seed-usw2');
    emulator.recorder.clear();
    // Act
    const result = await runLocal('provision', { ...seed, brokersPerAz: 2 }, FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const after = await snapshot('seed-usw2');
    expect(after.instances).toHaveLength(6);
    expect(after.listeners).toHaveLength(7);
    const oldIds = before.instances.map((i) => i.id);
    for (const id of oldIds) expect(after.instances.map((i) => i.id)).toContain(id);
    const sentTo = emulator.recorder.calls
      .filter((c) => c.operation === 'SendCommand')
      .flatMap((c) => c.input.InstanceIds as string[]);
    expect(sentTo).toHaveLength(3);
    for (const id of sentTo) expect(oldIds).not.toContain(id);
    const bootstrap = after.targetGroups.find((g) => g.name === 'seed-usw2-bootstrap');
    expect(bootstrap?.targets).toHaveLength(6);
    const newInstances = after.instances.filter((i) => !oldIds.includes(i.id));
    expect(newInstances.map((i) => i.ip).sort()).toEqual(['10.0.0.11', '10.0.128.11', '10.0.64.11']);
  });

  it('refuses a spec whose AZ ID does not exist in the region, before creating anything', async () => {
    const result = await runLocal('provision', { ...seed, azIds: ['usw2-az1', 'usw2-az9'] }, FAST);
    expect(result).toMatchObject({ status: 'FAILED', error: 'UnknownAzIdError', failedState: 'ResolveAzs' });
    expect(result.cause).toContain('usw2-az9');
    // a re-run would fail the same way: not called safe to re-run as it stands
    expect(result.cause).toContain(
      'Running the execution again with the same input fails the same way: fix what the message names',
    );
    expect(result.cause).not.toContain('Re-running the execution with the same input is safe');
    expect(emulator.recorder.mutating()).toEqual([]);
  });

  it('refuses an instance type not offered in the region (a typo), naming the nearest one, before creating anything', async () => {
    // Act
    const result = await runLocal('provision', { ...seed, instanceType: 't3.larg' }, FAST);
    // Assess: DescribeInstanceTypeOfferings by AZ ID, then by region for the suggestion; nothing billable
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'InstanceTypeNotOfferedError',
      failedState: 'ResolveAzs',
    });
    expect(result.cause).toContain(
      'instanceType = "t3.larg": not an instance type offered in us-west-2; did you mean "t3.large"?',
    );
    expect(
      emulator.recorder.calls.filter((c) => c.operation === 'DescribeInstanceTypeOfferings'),
    ).toHaveLength(2);
    expect(emulator.recorder.mutating()).toEqual([]);
    expect(emulator.iam.denied()).toEqual([]);
  });

  it('refuses an invalid spec at ValidateSpec with the field named, making no AWS call', async () => {
    const result = await runLocal('provision', { ...seed, vpcCidr: '10.0.0.1/16' }, FAST);
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'SpecValidationError',
      failedState: 'ValidateSpec',
    });
    expect(result.cause).toContain('vpcCidr');
    expect(emulator.recorder.calls).toEqual([]);
  });
});
