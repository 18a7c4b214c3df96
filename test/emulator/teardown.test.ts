/**
 * The real teardown ASL on the emulator, after the real provision: every resource tagged with the cluster
 * is gone (read back by tag, service by service), the cluster's parameters too, and a second teardown
 * finds nothing and makes no mutating call. Another cluster in the same account is left alone.
 */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeTagsCommand as DescribeElbTagsCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { main } from '../../cli/main';
import { clients } from '../../functions/lib/aws/clients';
import { counts, type Emulator, FAST, SEED, snapshot, startEmulator } from '../helpers/emulator';

const seed = SEED;
const TAG = 'kafka-plc:cluster';
type Tagged = { Tags?: { Key?: string; Value?: string }[] };
const tagged = (cluster: string) => (r: Tagged) =>
  (r.Tags ?? []).some((t) => t.Key === TAG && t.Value === cluster);

/**
 * Every resource still carrying `kafka-plc:cluster=<cluster>`, read type by type (moto's DescribeTags keeps
 * the tags of deleted resources): EC2 network, instances, volumes, endpoint services, ELBv2, SSM parameters.
 */
async function leftovers(cluster: string, region = 'us-west-2'): Promise<string[]> {
  const { ec2, elbv2, ssm } = clients(region);
  const ours = tagged(cluster);
  const filter = [{ Name: `tag:${TAG}`, Values: [cluster] }];
  const found: string[] = [];
  const add = <T extends Tagged>(type: string, items: T[], id: keyof T) =>
    found.push(...items.filter(ours).map((i) => `${type}:${String(i[id])}`));
  add('vpc', (await ec2.send(new DescribeVpcsCommand({ Filters: filter }))).Vpcs ?? [], 'VpcId');
  add('subnet', (await ec2.send(new DescribeSubnetsCommand({ Filters: filter }))).Subnets ?? [], 'SubnetId');
  add(
    'igw',
    (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: filter }))).InternetGateways ?? [],
    'InternetGatewayId',
  );
  add(
    'route-table',
    (await ec2.send(new DescribeRouteTablesCommand({ Filters: filter }))).RouteTables ?? [],
    'RouteTableId',
  );
  add(
    'security-group',
    (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))).SecurityGroups ?? [],
    'GroupId',
  );
  add(
    'eip',
    (await ec2.send(new DescribeAddressesCommand({ Filters: filter }))).Addresses ?? [],
    'AllocationId',
  );
  add(
    'nat',
    ((await ec2.send(new DescribeNatGatewaysCommand({ Filter: filter }))).NatGateways ?? []).filter(
      (n) => n.State !== 'deleted',
    ),
    'NatGatewayId',
  );
  const reservations = (await ec2.send(new DescribeInstancesCommand({ Filters: filter }))).Reservations ?? [];
  add(
    'instance',
    reservations.flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== 'terminated'),
    'InstanceId',
  );
  add('volume', (await ec2.send(new DescribeVolumesCommand({ Filters: filter }))).Volumes ?? [], 'VolumeId');
  add(
    'endpoint-service',
    (
      (await ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations ?? []
    ).filter((c) => c.ServiceState !== 'Deleted'),
    'ServiceId',
  );
  const arns = [
    ...((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map(
      (l) => l.LoadBalancerArn ?? '',
    ),
    ...((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map(
      (t) => t.TargetGroupArn ?? '',
    ),
  ];
  for (let i = 0; i < arns.length; i += 20) {
    const out = await elbv2.send(new DescribeElbTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    add('elbv2', out.TagDescriptions ?? [], 'ResourceArn');
  }
  const params = await ssm.send(
    new GetParametersByPathCommand({ Path: `/kafka-plc/${cluster}/`, Recursive: true }),
  );
  found.push(...(params.Parameters ?? []).map((p) => `ssm:${p.Name}`));
  return found.sort();
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  await emulator.fresh();
});

describe('teardown on the emulator', () => {
  it('removes everything provision created, in dependency order, and the cluster parameters', async () => {
    // Prepare
    const provisioned = await runLocal('provision', seed, FAST);
    expect(provisioned.status, `${provisioned.error}: ${provisioned.cause}`).toBe('SUCCEEDED');
    expect((await leftovers('seed-usw2')).length).toBeGreaterThan(20);
    emulator.recorder.clear();
    // Act
    const result = await runLocal('teardown', seed, FAST);
    // Assess
    expect(result.status, `${result.failedState}: ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(await leftovers('seed-usw2')).toEqual([]);
    expect(counts(await snapshot('seed-usw2'))).toEqual({
      vpcs: 0,
      subnets: 0,
      internetGateways: 0,
      natGateways: 0,
      elasticIps: 0,
      routeTables: 0,
      securityGroups: 0,
      instances: 0,
      loadBalancers: 0,
      targetGroups: 0,
      targets: 0,
      listeners: 0,
      endpointServices: 0,
    });
    const order = emulator.recorder.mutating().map((c) => c.operation);
    const first = (op: string) => order.indexOf(op);
    const last = (op: string) => order.lastIndexOf(op);
    expect(last('DeleteVpcEndpointServiceConfigurations')).toBeLessThan(first('DeleteLoadBalancer'));
    expect(last('DeleteLoadBalancer')).toBeLessThan(first('DeleteTargetGroup'));
    expect(last('DeleteNatGateway')).toBeLessThan(first('ReleaseAddress'));
    for (const before of ['TerminateInstances', 'DeleteNatGateway', 'DeleteLoadBalancer'])
      expect(last(before), before).toBeLessThan(first('DeleteSubnet'));
    expect(last('DeleteSubnet')).toBeLessThan(first('DeleteVpc'));
    expect(result.output).toMatchObject({ clusterName: 'seed-usw2', deletedParameters: expect.any(Array) });
  });

  it('a second teardown succeeds and makes zero mutating calls', async () => {
    // Prepare
    await runLocal('provision', seed, FAST);
    await runLocal('teardown', seed, FAST);
    emulator.recorder.clear();
    // Act
    const again = await runLocal('teardown', seed, FAST);
    // Assess
    expect(again.status, `${again.failedState}: ${again.error}: ${again.cause}`).toBe('SUCCEEDED');
    expect(emulator.recorder.mutating().map((c) => c.operation)).toEqual([]);
    expect(emulator.recorder.reads().length).toBeGreaterThan(0);
  });

  it('a cluster of the same name provisions again after its teardown: new brokers, each launch with a new ClientToken', async () => {
    // Prepare: provision and tear down (EC2 keeps a RunInstances token bound to its request and instance
    // for at least 24 h; the AWS model remembers them across the teardown, as the account does)
    expect((await runLocal('provision', seed, FAST)).status).toBe('SUCCEEDED');
    const firstTokens = emulator.recorder.calls
      .filter((c) => c.operation === 'RunInstances' && !c.error)
      .map((c) => c.input.ClientToken);
    expect((await runLocal('teardown', seed, FAST)).status).toBe('SUCCEEDED');
    emulator.recorder.clear();
    // Act
    const again = await runLocal('provision', seed, FAST);
    // Assess: three running brokers again, launched with tokens never used before
    expect(again.status, `${again.failedState}: ${again.error}: ${again.cause}`).toBe('SUCCEEDED');
    const launches = emulator.recorder.calls.filter((c) => c.operation === 'RunInstances' && !c.error);
    expect(launches).toHaveLength(3);
    for (const launch of launches) expect(firstTokens).not.toContain(launch.input.ClientToken);
    const state = await snapshot('seed-usw2');
    expect(state.instances.map((i) => i.state)).toEqual(['running', 'running', 'running']);
  });

  it('leaves another cluster of the same account untouched', async () => {
    // Prepare
    const other = { ...seed, clusterName: 'other-usw2', vpcCidr: '10.1.0.0/16' };
    expect((await runLocal('provision', seed, FAST)).status).toBe('SUCCEEDED');
    expect((await runLocal('provision', other, FAST)).status).toBe('SUCCEEDED');
    const before = await leftovers('other-usw2');
    // Act
    const result = await runLocal('teardown', seed, FAST);
    // Assess
    expect(result.status, `${result.failedState}: ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(await leftovers('seed-usw2')).toEqual([]);
    expect(await leftovers('other-usw2')).toEqual(before);
  });

  it('kafka-plc teardown lists what it found, deletes only once confirmed, and reports only what is gone', async () => {
    // Prepare
    expect((await runLocal('provision', seed, FAST)).status).toBe('SUCCEEDED');
    process.env.KAFKA_PLC_LOCAL_WAIT_SCALE = '0';
    const cli = async (more: string[], ask?: (question: string) => Promise<string>) => {
      const out: string[] = [];
      const err: string[] = [];
      const io = {
        stdout: (t: string) => out.push(t),
        stderr: (t: string) => err.push(t),
        ...(ask ? { ask } : {}),
      };
      const code = await main(['teardown', '--spec', 'examples/seed-usw2.json', '--local', ...more], io);
      return { code, stdout: out.join(''), stderr: err.join('') };
    };
    const questions: string[] = [];
    emulator.recorder.clear();
    try {
      // Act: no terminal and no --yes; then "no" at the prompt; then --yes; then once more
      const noTerminal = await cli([]);
      const declined = await cli([], async (question) => {
        questions.push(question);
        return 'no';
      });
      const mutatedBeforeYes = emulator.recorder.mutating().map((c) => c.operation);
      const confirmed = await cli(['--yes']);
      emulator.recorder.clear();
      const again = await cli(['--yes']);
      // Assess: the refusals list what is there and delete nothing
      expect(noTerminal.code, noTerminal.stderr).toBe(2);
      expect(noTerminal.stderr).toContain('emulator http');
      expect(noTerminal.stderr).toContain(
        'found 10 alarms, 1 dashboard, 1 endpoint service, 1 load balancer, 4 target groups, 3 instances, 1 NAT gateway, 1 Elastic IP, 1 internet gateway, 2 route tables, 4 subnets, 2 security groups, 1 VPC, 3 parameters',
      );
      expect(noTerminal.stderr).toMatch(/ {2}- instance i-[0-9a-f]+ \(running\)/);
      expect(noTerminal.stderr).toContain('pass --yes to confirm (no terminal to ask); nothing was deleted');
      expect(declined.code).toBe(1);
      expect(questions).toEqual([
        expect.stringMatching(/^Delete these \d+ resources of seed-usw2\? Type "yes": $/),
      ]);
      expect(declined.stderr).toContain('teardown not confirmed (answer "no"); nothing was deleted');
      expect(mutatedBeforeYes).toEqual([]);
      // --yes deletes, and the report is the inventory before minus the inventory after
      expect(confirmed.code, confirmed.stderr).toBe(0);
      const report = JSON.parse(confirmed.stdout) as { removed: { type: string }[]; remaining: unknown[] };
      expect(report.remaining).toEqual([]);
      expect(report.removed.filter((r) => r.type === 'instance')).toHaveLength(3);
      expect(report.removed.map((r) => r.type)).toEqual(
        expect.arrayContaining(['VPC', 'load balancer', 'endpoint service']),
      );
      expect(await leftovers('seed-usw2')).toEqual([]);
      // Nothing left: said so, no execution started, nothing deleted
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(
        'nothing tagged kafka-plc:cluster=seed-usw2 in us-west-2: nothing to delete',
      );
      expect(JSON.parse(again.stdout)).toMatchObject({ removed: [], remaining: [] });
      expect(emulator.recorder.mutating()).toEqual([]);
    } finally {
      delete process.env.KAFKA_PLC_LOCAL_WAIT_SCALE;
    }
  });

  it('refuses an invalid spec at ValidateSpec, deleting nothing', async () => {
    const result = await runLocal('teardown', { ...seed, clusterName: 'Bad Name' }, FAST);
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'SpecValidationError',
      failedState: 'ValidateSpec',
    });
    expect(emulator.recorder.mutating()).toEqual([]);
  });
});
