/**
 * expose-existing on the emulator: a Kafka cluster kafka-plc did not build (a VPC, subnets in usw2-az1..3,
 * three instances with the user's own security group, created here with the SDK) is exposed through an
 * NLB and an endpoint service, and each broker is sent its patch, one at a time. SSM commands never run
 * in moto: the patch itself is executed in test/unit/domain/patch-script.test.ts, and the health snapshot
 * is the labelled stand-in (KAFKA_PLC_HEALTH_SOURCE=assume-healthy), as in roll.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcsCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { provision } from '../../cli/commands/provision';
import { roll } from '../../cli/commands/roll';
import { runLocal } from '../../cli/local-sfn';
import { main } from '../../cli/main';
import { clients } from '../../functions/lib/aws/clients';
import { type ClusterSpecInput, parseClusterSpec } from '../../functions/lib/spec';
import { readAppliedSpec, recordAppliedSpec } from '../../functions/lib/steps/cluster-record';
import type { RecordedCall } from '../helpers/aws-calls';
import { type Emulator, FAST, snapshot, startEmulator } from '../helpers/emulator';
import {
  CONFIG_PATH,
  createExistingCluster,
  createSubnet,
  type ExistingCluster,
  existingSpec as exposing,
  launchUserInstance,
  REGION,
} from '../helpers/existing-cluster';

const CLUSTER = 'legacy-usw2';

const existingSpec = (cluster: ExistingCluster, overrides: Partial<ClusterSpecInput> = {}) =>
  exposing(cluster, CLUSTER, overrides);

/** Counts of what only the user creates (the default VPC included): kafka-plc must not add to them. */
async function userInventory() {
  const { ec2 } = clients(REGION);
  const instances = (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap(
    (r) => r.Instances ?? [],
  );
  return {
    vpcs: (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length,
    subnets: (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.length,
    instances: instances?.map((i) => i.InstanceId).sort(),
  };
}

async function interfaceGroups(instanceId: string): Promise<string[]> {
  const { ec2 } = clients(REGION);
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const eni = out.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces?.[0];
  return (eni?.Groups ?? []).map((g) => g.GroupId ?? '').sort();
}

async function ingressOf(groupId: string) {
  const { ec2 } = clients(REGION);
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return (out.SecurityGroups?.[0]?.IpPermissions ?? []).map((p) => ({
    ports: `${p.FromPort}-${p.ToPort}`,
    cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp),
    groups: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId),
  }));
}

/** The ports of the NLB's listeners (the one load balancer of the test's account). */
async function nlbPorts(): Promise<number[]> {
  const { elbv2 } = clients(REGION);
  const [lb] = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const out = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
  return (out.Listeners ?? []).map((l) => l.Port ?? 0).sort((a, b) => a - b);
}

const scriptOf = (send: RecordedCall) => (send.input.Parameters as { commands: string[] }).commands[0] ?? '';

let emulator: Emulator;
let cluster: ExistingCluster;
beforeAll(async () => {
  emulator = await startEmulator();
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  // Prepare: an existing cluster, and a clean call record.
  await emulator.fresh();
  cluster = await createExistingCluster();
  emulator.recorder.clear();
});

describe('expose-existing on the emulator', () => {
  it('builds the NLB (9092..9095 → target groups → instance:39092) and the endpoint service in the existing VPC', async () => {
    // Prepare
    const inventory = await userInventory();
    // Act
    const result = await runLocal('expose-existing', existingSpec(cluster), FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const output = result.output as Record<string, unknown>;
    const { ec2, elbv2 } = clients(REGION);
    const lbs = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    expect(lbs).toHaveLength(1);
    const lb = lbs[0]!;
    expect(lb).toMatchObject({ VpcId: cluster.vpcId, Scheme: 'internal', Type: 'network' });
    expect((lb.AvailabilityZones ?? []).map((z) => z.SubnetId).sort()).toEqual([...cluster.subnetIds].sort());
    expect(lb.SecurityGroups).toEqual([output.nlbSecurityGroupId]);

    const groups = (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const nameOf = new Map(groups.map((g) => [g.TargetGroupArn, g.TargetGroupName]));
    const listeners = (
      (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ??
      []
    )
      .map((l) => ({ port: l.Port, targetGroup: nameOf.get(l.DefaultActions?.[0]?.TargetGroupArn) }))
      .sort((a, b) => (a.port ?? 0) - (b.port ?? 0));
    expect(listeners).toEqual([
      { port: 9092, targetGroup: `${CLUSTER}-bootstrap` },
      { port: 9093, targetGroup: `${CLUSTER}-b1` },
      { port: 9094, targetGroup: `${CLUSTER}-b2` },
      { port: 9095, targetGroup: `${CLUSTER}-b3` },
    ]);
    const [i1, i2, i3] = cluster.instanceIds;
    const expectedTargets: Record<string, string[]> = {
      [`${CLUSTER}-bootstrap`]: [`${i1}:39092`, `${i2}:39092`, `${i3}:39092`].sort(),
      [`${CLUSTER}-b1`]: [`${i1}:39092`],
      [`${CLUSTER}-b2`]: [`${i2}:39092`],
      [`${CLUSTER}-b3`]: [`${i3}:39092`],
    };
    for (const group of groups) {
      expect(group).toMatchObject({
        VpcId: cluster.vpcId,
        Port: 39092,
        Protocol: 'TCP',
        TargetType: 'instance',
      });
      const health = await elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
      );
      const targets = (health.TargetHealthDescriptions ?? []).map((d) => `${d.Target?.Id}:${d.Target?.Port}`);
      expect(targets.sort()).toEqual(expectedTargets[group.TargetGroupName ?? '']);
    }

    const services = await ec2.send(
      new DescribeVpcEndpointServiceConfigurationsCommand({
        ServiceIds: [output.endpointServiceId as string],
      }),
    );
    expect(services.ServiceConfigurations?.[0]).toMatchObject({
      AcceptanceRequired: true,
      NetworkLoadBalancerArns: [lb.LoadBalancerArn],
    });
    const permissions = await ec2.send(
      new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: output.endpointServiceId as string }),
    );
    expect(permissions.AllowedPrincipals?.map((p) => p.Principal)).toEqual([
      'arn:aws:iam::123456789012:root',
    ]);
    expect(output.endpointServiceName).toMatch(/^com\.amazonaws\.vpce\.us-west-2\.vpce-svc-/);

    // The applied spec (what the unique-name trigger rolls with) holds the discovered facts.
    const applied = await clients(REGION).ssm.send(
      new GetParameterCommand({ Name: `/kafka-plc/${CLUSTER}/spec` }),
    );
    expect(JSON.parse(applied.Parameter?.Value ?? '{}').existing.brokers[1]).toMatchObject({
      instanceId: cluster.instanceIds[1],
      azId: 'usw2-az2',
      subnetId: cluster.subnetIds[1],
      privateIp: '10.20.16.25',
    });

    // Nothing of the user's was created, replaced or removed.
    expect(await userInventory()).toEqual(inventory);
    const created = new Set(emulator.recorder.mutating().map((c) => c.operation));
    for (const operation of [
      'CreateVpc',
      'CreateSubnet',
      'RunInstances',
      'CreateInternetGateway',
      'CreateNatGateway',
      'AllocateAddress',
      'CreateRouteTable',
      'RevokeSecurityGroupIngress',
    ]) {
      expect(created, operation).not.toContain(operation);
    }
  });

  it("adds kafka-plc's groups additively: the NLB group from the consumer, EXTERNAL from the NLB only on each broker, the user's group kept and untouched", async () => {
    // Prepare
    const userRules = await ingressOf(cluster.userGroupId);
    // Act
    const result = await runLocal('expose-existing', existingSpec(cluster), FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const output = result.output as { nlbSecurityGroupId: string; brokerExternalSecurityGroupId: string };
    expect(await ingressOf(output.nlbSecurityGroupId)).toEqual([
      { ports: '9092-9095', cidrs: ['10.100.0.0/16'], groups: [] },
    ]);
    expect(await ingressOf(output.brokerExternalSecurityGroupId)).toEqual([
      { ports: '39092-39092', cidrs: [], groups: [output.nlbSecurityGroupId] },
    ]);
    for (const instanceId of cluster.instanceIds) {
      expect(await interfaceGroups(instanceId)).toEqual(
        [cluster.userGroupId, output.brokerExternalSecurityGroupId].sort(),
      );
    }
    expect(await ingressOf(cluster.userGroupId)).toEqual(userRules);
    // Two tags added — the mark (the deployed roll may run commands only on marked instances) and the hash
    // of the patch each broker runs (outliving SSM's command history) — the user's kept; never
    // kafka-plc:cluster, which marks instances kafka-plc built (and teardown terminates).
    const { ec2 } = clients(REGION);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: cluster.instanceIds }));
    for (const instance of described.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) {
      const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key, t.Value]));
      expect(tags).toEqual({
        Name: expect.stringMatching(/^kafka-\d$/),
        'kafka-plc:exposed-by': CLUSTER,
        'kafka-plc:applied-config': expect.stringMatching(/^[0-9a-f]{16}$/),
      });
    }
  });

  it("sends exactly one patch per broker, one at a time, the active controller last, each carrying that broker's EXTERNAL name", async () => {
    // Act
    const result = await runLocal('expose-existing', existingSpec(cluster), FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const calls = emulator.recorder.calls;
    const sends = calls.filter((c) => c.operation === 'SendCommand');
    const order = sends.map(
      (s) => cluster.instanceIds.indexOf((s.input.InstanceIds as string[])[0] ?? '') + 1,
    );
    expect(order).toEqual([2, 3, 1]);
    for (const [i, send] of sends.entries()) {
      const node = order[i] ?? 0;
      expect(send.input.InstanceIds).toEqual([cluster.instanceIds[node - 1]]);
      expect(send.input.Comment).toMatch(new RegExp(`^kafka-plc roll ${CLUSTER} b${node} [0-9a-f]{16}$`));
      const script = scriptOf(send);
      // The patch of the broker's own file, not kafka-plc's full render.
      expect(script).toContain('patched_properties');
      expect(script).not.toContain('install_kafka');
      expect(script).toContain(`readonly CONFIG_PATH='${CONFIG_PATH}'`);
      expect(script).toContain(`readonly NODE_ID='${node}'`);
      expect(script).toContain(`readonly PRIVATE_IP='10.20.${(node - 1) * 16}.25'`);
      expect(script).toContain(
        `readonly EXTERNAL_ADVERTISED='EXTERNAL://b${node}.usw2-az${node}.unique_name.aws.plc.tidbcloud.com:${9092 + node}'`,
      );
    }
    // One at a time: the next patch is sent only after the previous command was seen finished.
    for (let i = 1; i < sends.length; i++) {
      const between = calls.slice(calls.indexOf(sends[i - 1]!) + 1, calls.indexOf(sends[i]!));
      expect(between.filter((c) => c.operation === 'GetCommandInvocation').length).toBeGreaterThan(0);
    }
    const patched = (result.output as { patchedBrokers: { nodeId: number }[] }).patchedBrokers;
    expect(patched.map((b) => b.nodeId)).toEqual([2, 3, 1]);
  });

  it('a re-run changes nothing: groups, NLB, service and patches are all found as they are (only the roll lock is taken and given back)', async () => {
    // Prepare
    const first = await runLocal('expose-existing', existingSpec(cluster), FAST);
    expect(first.status, `${first.error}: ${first.cause}`).toBe('SUCCEEDED');
    emulator.recorder.clear();
    // Act
    const second = await runLocal('expose-existing', existingSpec(cluster), FAST);
    // Assess
    expect(second.status, `${second.error}: ${second.cause}`).toBe('SUCCEEDED');
    expect(emulator.recorder.mutating().map((c) => c.operation)).toEqual(['PutItem', 'DeleteItem']);
    expect(emulator.recorder.mutating().map((c) => c.input.TableName)).toEqual([
      'kafka-plc-dev-roll-locks',
      'kafka-plc-dev-roll-locks',
    ]);
  });

  it.each([
    ['a stopped broker', 'is stopped, not running'],
    ['a broker outside the consumer AZs', "is in AZ usw2-az4, which is not one of the consumer's azIds"],
    ['a broker in another VPC', 'not existing.vpcId'],
  ])('stops at DiscoverBrokers for %s, naming the broker, and creates nothing', async (name, message) => {
    // Prepare
    const { ec2 } = clients(REGION);
    let spec = existingSpec(cluster);
    if (name === 'a stopped broker') {
      await ec2.send(new StopInstancesCommand({ InstanceIds: [cluster.instanceIds[1]!] }));
    } else if (name === 'a broker outside the consumer AZs') {
      const subnetId = await createSubnet(cluster.vpcId, '10.20.48.0/20', 'usw2-az4');
      const instanceId = await launchUserInstance({
        subnetId,
        ip: '10.20.48.25',
        groupId: cluster.userGroupId,
        name: 'kafka-3b',
      });
      spec = existingSpec({ ...cluster, instanceIds: [...cluster.instanceIds.slice(0, 2), instanceId] });
    } else {
      const other = await createExistingCluster();
      spec = existingSpec({
        ...cluster,
        instanceIds: [cluster.instanceIds[0]!, other.instanceIds[1]!, cluster.instanceIds[2]!],
      });
    }
    emulator.recorder.clear();
    // Act
    const result = await runLocal('expose-existing', spec, FAST);
    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.failedState).toBe('DiscoverBrokers');
    expect(result.error).toBe('ExistingBrokerError');
    expect(result.cause).toContain(message);
    expect(emulator.recorder.mutating()).toEqual([]);
  });

  it('then a new unique name (kafka-plc roll) re-patches each existing broker once with the new name; a repeat sends nothing', async () => {
    // Prepare: exposed with the placeholder.
    const exposed = await runLocal('expose-existing', existingSpec(cluster), FAST);
    expect(exposed.status, `${exposed.error}: ${exposed.cause}`).toBe('SUCCEEDED');
    const dir = mkdtempSync(join(tmpdir(), 'kafka-plc-existing-'));
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(existingSpec(cluster)));
    emulator.recorder.clear();
    const io = { stdout: () => undefined, stderr: () => undefined };
    try {
      // Act
      await roll(['--spec', file, '--unique-name', 'tidb-abc', '--local', '--assume-healthy'], io);
      const sendsAfterFirst = emulator.recorder.calls.filter((c) => c.operation === 'SendCommand').length;
      await roll(['--spec', file, '--unique-name', 'tidb-abc', '--local', '--assume-healthy'], io);
      // Assess
      const sends = emulator.recorder.calls.filter((c) => c.operation === 'SendCommand');
      expect(sendsAfterFirst).toBe(3);
      expect(sends).toHaveLength(3);
      for (const send of sends) {
        const node = cluster.instanceIds.indexOf((send.input.InstanceIds as string[])[0] ?? '') + 1;
        expect(scriptOf(send)).toContain('patched_properties');
        expect(scriptOf(send)).toContain(
          `EXTERNAL://b${node}.usw2-az${node}.tidb-abc.aws.plc.tidbcloud.com:${9092 + node}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second consumer on an existing cluster: expose adds EXTERNAL2 and its NLB side; taken out again, a roll retires EXTERNAL2 from each broker', async () => {
    // Prepare: exposed for tidb-a (the shorthand's first consumer) and tidb-b
    const consumer = existingSpec(cluster).consumer as NonNullable<ClusterSpecInput['consumer']>;
    const tidbB = {
      ...consumer,
      name: 'tidb-b',
      principals: ['arn:aws:iam::210987654321:root'],
      cidrs: ['10.200.0.0/16'],
      ports: { bootstrap: 9192, brokerBase: 9193, external: 39192 },
      advertisedListenerPatterns: Object.fromEntries(
        ['usw2-az1', 'usw2-az2', 'usw2-az3'].map((az) => [
          az,
          `<broker_id>.${az}.xyz.us-west-2.aws.3199015.tidbcloud.com:<port>`,
        ]),
      ),
    };
    const tidbA = {
      ...consumer,
      name: 'tidb-a',
      ports: { bootstrap: 9092, brokerBase: 9093, external: 39092 },
    };
    const both = existingSpec(cluster, { consumer: undefined, consumers: [tidbA, tidbB] });
    const firstOnly = existingSpec(cluster, { consumer: undefined, consumers: [tidbA] });
    // Act
    const exposed = await runLocal('expose-existing', both, FAST);
    const patches = emulator.recorder.calls.filter((c) => c.operation === 'SendCommand').map(scriptOf);
    const listenersBoth = await nlbPorts();
    emulator.recorder.clear();
    const dir = mkdtempSync(join(tmpdir(), 'kafka-plc-existing-'));
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(firstOnly));
    const io = { stdout: () => undefined, stderr: () => undefined };
    await roll(['--spec', file, '--local', '--assume-healthy'], io).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    const retiring = emulator.recorder.calls.filter((c) => c.operation === 'SendCommand').map(scriptOf);
    // Assess
    expect(exposed.status, `${exposed.error}: ${exposed.cause}`).toBe('SUCCEEDED');
    expect(listenersBoth).toEqual([9092, 9093, 9094, 9095, 9192, 9193, 9194, 9195]);
    expect(patches).toHaveLength(3);
    for (const script of patches) {
      expect(script).toContain("readonly EXTERNAL_NAMES='EXTERNAL EXTERNAL2'");
      expect(script).toMatch(
        /EXTERNAL2:\/\/b\d\.usw2-az\d\.xyz\.us-west-2\.aws\.3199015\.tidbcloud\.com:919\d/,
      );
    }
    expect(retiring).toHaveLength(3);
    for (const script of retiring) {
      expect(script).toContain("readonly EXTERNAL_NAMES='EXTERNAL'");
      expect(script).toContain("readonly RETIRED_LISTENERS='EXTERNAL2'");
    }
    expect(await nlbPorts()).toEqual([9092, 9093, 9094, 9095]);
  });

  it('kafka-plc plan --live, then provision --local with an existing spec: the changes and roll order, then expose-existing, then nothing left to change', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'kafka-plc-existing-'));
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(existingSpec(cluster)));
    const out: string[] = [];
    const err: string[] = [];
    const cli = async (...args: string[]) => {
      const text: string[] = [];
      const code = await main(args, { stdout: (t) => text.push(t), stderr: (t) => text.push(t) });
      return { code, text: text.join('') };
    };
    let before: { code: number; text: string };
    let offline: { code: number; text: string };
    let after: { code: number; text: string };
    let mutatedByPlan: string[];
    let previews: string[];
    let provisionCalls: RecordedCall[];
    try {
      // Act
      offline = await cli('plan', '--spec', file);
      before = await cli('plan', '--spec', file, '--live');
      mutatedByPlan = emulator.recorder.mutating().map((c) => c.operation);
      previews = emulator.recorder.mutating().map(scriptOf);
      emulator.recorder.clear();
      await provision(['--spec', file, '--local', '--format', 'json'], {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
      });
      provisionCalls = [...emulator.recorder.calls];
      after = await cli('plan', '--spec', file, '--live');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Assess: without --live an existing spec cannot be planned (its brokers' AZs are EC2's): said so, exit 2
    expect(offline.code).toBe(2);
    expect(offline.text).toContain('an `existing` spec is planned from its brokers as EC2 describes them');
    // the live plan of the unexposed cluster: what expose-existing adds, and the order it patches the brokers
    expect(before.code, before.text).toBe(0);
    expect(before.text).toContain('+ load balancer legacy-usw2-nlb');
    expect(before.text).toContain('+ endpoint service');
    expect(before.text).toContain('+ security group legacy-usw2-nlb');
    expect(before.text).toContain('roll order: b1, b2, b3');
    // its only calls that are not reads: the patch script in preview mode on each broker (writes nothing)
    expect(mutatedByPlan).toEqual(['SendCommand', 'SendCommand', 'SendCommand']);
    for (const script of previews)
      expect(script.trimEnd().split('\n').slice(-2)).toEqual(['check_service', 'preview_patch']);
    // moto runs no command: each broker's diff is reported as not read, never as "unchanged"
    expect(before.text).toMatch(
      /b1 \(i-\w+\) server\.properties: no preview in the command output \(an emulator runs no command\)/,
    );
    expect(after.text).toContain('no changes: the account matches the plan');
    expect(err.join('')).toContain('state-machine/expose-existing.asl.json');
    const output = JSON.parse(out.join('')) as Record<string, unknown>;
    expect(output).toMatchObject({ clusterName: CLUSTER, vpcId: cluster.vpcId });
    // provision's own live plan sends no preview: only expose-existing's three patches
    expect(provisionCalls.filter((c) => c.operation === 'SendCommand')).toHaveLength(3);
    expect(provisionCalls.map((c) => c.operation)).not.toContain('RunInstances');
  });

  it('teardown gives the user back their cluster: our groups off the interfaces and deleted, our tag removed, nothing of theirs deleted', async () => {
    // Prepare
    const inventory = await userInventory();
    const exposed = await runLocal('expose-existing', existingSpec(cluster), FAST);
    expect(exposed.status, `${exposed.error}: ${exposed.cause}`).toBe('SUCCEEDED');
    // Act
    const torn = await runLocal('teardown', existingSpec(cluster), FAST);
    // Assess
    expect(torn.status, `${torn.error}: ${torn.cause}`).toBe('SUCCEEDED');
    expect(await userInventory()).toEqual(inventory);
    for (const instanceId of cluster.instanceIds)
      expect(await interfaceGroups(instanceId)).toEqual([cluster.userGroupId]);
    const { ec2 } = clients(REGION);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [cluster.vpcId] }] }),
    );
    const names = (groups.SecurityGroups ?? []).map((g) => g.GroupName ?? '');
    expect(names.filter((n) => n.startsWith(CLUSTER))).toEqual([]);
    expect((groups.SecurityGroups ?? []).map((g) => g.GroupId)).toContain(cluster.userGroupId);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: cluster.instanceIds }));
    for (const instance of described.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) {
      expect((instance.Tags ?? []).map((t) => t.Key).filter((k) => k?.startsWith('kafka-plc:'))).toEqual([]);
      expect(instance.State?.Name).toBe('running');
    }
    expect(await snapshot(CLUSTER)).toMatchObject({
      loadBalancers: 0,
      targetGroups: [],
      endpointServices: 0,
    });
  });

  it('keeps the applied spec of an exposed cluster of 49 brokers in one standard-tier parameter (4,096 characters)', async () => {
    // Prepare: 49 existing brokers, a record whose JSON is past the standard tier's limit
    const spec = parseClusterSpec({
      clusterName: 'legacy-big',
      region: 'us-west-2',
      azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
      consumer: { principals: ['arn:aws:iam::123456789012:root'], cidrs: ['10.100.0.0/16'] },
      existing: {
        vpcId: 'vpc-0123456789abcdef0',
        brokers: Array.from({ length: 49 }, (_, i) => ({
          instanceId: `i-0123456789abcd${String(i).padStart(3, '0')}`,
          nodeId: i + 1,
          configPath: '/opt/kafka/config/kraft/server.properties',
        })),
      },
    });
    expect(JSON.stringify(spec).length).toBeGreaterThan(4096);
    // Act: written and read back through the AWS model (PutParameter over 4,096 standard-tier characters fails)
    const written = await recordAppliedSpec(spec);
    const read = await readAppliedSpec('us-west-2', 'legacy-big');
    const stored = await clients('us-west-2').ssm.send(
      new GetParameterCommand({ Name: '/kafka-plc/legacy-big/spec' }),
    );
    // Assess
    expect(written).toBe(true);
    expect(read).toEqual(spec);
    expect(stored.Parameter?.Value?.length).toBeLessThanOrEqual(4096);
    expect(emulator.model.fired.get('ssm-parameter-size')).toBeUndefined();
  });
});
