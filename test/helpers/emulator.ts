/**
 * A moto-backed AWS account for workflow tests: fresh state per test, calls recorded, AWS's behaviours
 * that moto lacks applied (test/aws-model), state read back.
 */
import { readFileSync } from 'node:fs';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { LOCAL_INSTANCE_PROFILE, prepareLocalEnvironment } from '../../cli/local-prereqs';
import { runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import { ACCOUNT } from '../aws-model/authorization';
import {
  functionPolicies,
  type IamEnforcement,
  installIamEnforcement,
  judgedHandler,
  type RolePolicies,
} from '../aws-model/iam';
import { type AwsModel, installAwsModel } from '../aws-model/model';
import { packagedTemplate } from '../aws-model/template';
import { type Recorder, recordCalls } from './aws-calls';
import { type Moto, startMoto } from './moto';

/** The seed example as a raw spec (what a user passes), and run options that skip waits and retry pauses. */
export const SEED = JSON.parse(
  readFileSync(new URL('../../examples/seed-usw2.json', import.meta.url), 'utf8'),
);
export const FAST = { waitScale: 0, retryPauseMs: 0, wrapHandler: judgedHandler };

export interface Emulator {
  moto: Moto;
  recorder: Recorder;
  /** AWS's documented behaviours moto lacks (test/aws-model/rules.ts), on for every call. */
  model: AwsModel;
  /** Each Lambda's calls judged against its role in the packaged template (test/aws-model/iam.ts). */
  iam: IamEnforcement;
  /** Empties the emulator and creates what the deployed stack would provide. */
  fresh(region?: string): Promise<void>;
  stop(): Promise<void>;
}

const rolesByRegion = new Map<string, Map<string, RolePolicies>>();

/** Each function's role from the packaged template; the brokers' role is the one the local run creates. */
function packagedRoles(region: string): Map<string, RolePolicies> {
  let roles = rolesByRegion.get(region);
  if (!roles) {
    const brokerRole = `arn:aws:iam::${ACCOUNT}:role/${LOCAL_INSTANCE_PROFILE}`;
    roles = functionPolicies(packagedTemplate(), region, new Map([['BrokerInstanceRole', brokerRole]]));
    rolesByRegion.set(region, roles);
  }
  return roles;
}

export async function startEmulator(): Promise<Emulator> {
  const moto = await startMoto();
  const recorder = recordCalls();
  const iam = installIamEnforcement(packagedRoles);
  const model = installAwsModel();
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  return {
    moto,
    recorder,
    model,
    iam,
    async fresh(region = 'us-west-2') {
      await moto.reset();
      model.reset();
      iam.clear();
      delete process.env.CONNECTION_TOPIC_ARN;
      delete process.env.ALARM_TOPIC_ARN;
      await prepareLocalEnvironment(region);
      recorder.clear();
    },
    stop: () => moto.stop(),
  };
}

export interface Snapshot {
  vpcs: number;
  subnets: { id: string; cidr: string; azId: string }[];
  internetGateways: number;
  natGateways: number;
  elasticIps: number;
  routeTables: number;
  securityGroups: string[];
  instances: { id: string; ip: string; state: string; tags: Record<string, string> }[];
  loadBalancers: number;
  targetGroups: { name: string; port: number; targets: string[] }[];
  listeners: { port: number; targetGroup: string }[];
  endpointServices: number;
}

/** Everything of the cluster in the emulator, read back with the SDK (ignoring moto's default VPC). */
export async function snapshot(cluster: string, region = 'us-west-2'): Promise<Snapshot> {
  const { ec2, elbv2 } = clients(region);
  const tagFilter = [{ Name: 'tag:kafka-plc:cluster', Values: [cluster] }];
  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: tagFilter }))).Vpcs ?? [];
  const vpcIds = vpcs.map((v) => v.VpcId ?? '');
  const inVpc = [{ Name: 'vpc-id', Values: vpcIds.length ? vpcIds : ['none'] }];
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets ?? [];
  const igws =
    (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: tagFilter }))).InternetGateways ?? [];
  const nats = ((await ec2.send(new DescribeNatGatewaysCommand({ Filter: inVpc }))).NatGateways ?? []).filter(
    (n) => n.State !== 'deleted',
  );
  const eips = (await ec2.send(new DescribeAddressesCommand({ Filters: tagFilter }))).Addresses ?? [];
  const tables = (
    (await ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc }))).RouteTables ?? []
  ).filter((t) => !(t.Associations ?? []).some((a) => a.Main));
  const groups = (
    (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: inVpc }))).SecurityGroups ?? []
  ).filter((g) => g.GroupName !== 'default');
  const reservations =
    (
      await ec2.send(
        new DescribeInstancesCommand({
          Filters: [...tagFilter, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopped'] }],
        }),
      )
    ).Reservations ?? [];
  const instances = reservations.flatMap((r) => r.Instances ?? []);
  const lbs = ((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).filter((l) =>
    vpcIds.includes(l.VpcId ?? ''),
  );
  const tgs = ((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).filter((t) =>
    vpcIds.includes(t.VpcId ?? ''),
  );
  const targetGroups = [];
  for (const tg of tgs) {
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    targetGroups.push({
      name: tg.TargetGroupName ?? '',
      port: tg.Port ?? 0,
      targets: (health.TargetHealthDescriptions ?? []).map((d) => `${d.Target?.Id}:${d.Target?.Port}`).sort(),
    });
  }
  const tgName = new Map(tgs.map((t) => [t.TargetGroupArn, t.TargetGroupName ?? '']));
  const listeners = [];
  for (const lb of lbs) {
    const out = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    for (const l of out.Listeners ?? []) {
      listeners.push({
        port: l.Port ?? 0,
        targetGroup: tgName.get(l.DefaultActions?.[0]?.TargetGroupArn) ?? '?',
      });
    }
  }
  const services =
    (await ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations ?? [];
  return {
    vpcs: vpcs.length,
    subnets: subnets
      .map((s) => ({ id: s.SubnetId ?? '', cidr: s.CidrBlock ?? '', azId: s.AvailabilityZoneId ?? '' }))
      .sort((a, b) => a.cidr.localeCompare(b.cidr)),
    internetGateways: igws.length,
    natGateways: nats.length,
    elasticIps: eips.length,
    routeTables: tables.length,
    securityGroups: groups.map((g) => g.GroupName ?? '').sort(),
    instances: instances
      .map((i) => ({
        id: i.InstanceId ?? '',
        ip: i.PrivateIpAddress ?? '',
        state: i.State?.Name ?? '',
        tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      }))
      .sort((a, b) => a.ip.localeCompare(b.ip)),
    loadBalancers: lbs.length,
    targetGroups: targetGroups.sort((a, b) => a.name.localeCompare(b.name)),
    listeners: listeners.sort((a, b) => a.port - b.port),
    endpointServices: services.filter((s) => s.ServiceState !== 'Deleted').length,
  };
}

/** Counts only (what "no duplicates" compares). */
export function counts(s: Snapshot) {
  return {
    vpcs: s.vpcs,
    subnets: s.subnets.length,
    internetGateways: s.internetGateways,
    natGateways: s.natGateways,
    elasticIps: s.elasticIps,
    routeTables: s.routeTables,
    securityGroups: s.securityGroups.length,
    instances: s.instances.length,
    loadBalancers: s.loadBalancers,
    targetGroups: s.targetGroups.length,
    targets: s.targetGroups.reduce((n, t) => n + t.targets.length, 0),
    listeners: s.listeners.length,
    endpointServices: s.endpointServices,
  };
}

/**
 * One provisioned seed cluster for a whole test file, whose tests run in order against it, each from a clean
 * call record. Kafka's health comes from the labelled stand-in (moto runs no Run Command; the real-Kafka suites
 * read it from Kafka). Read `emulator` and `output` inside tests and hooks.
 */
export function useProvisionedSeed<T>(): { readonly emulator: Emulator; readonly output: T } {
  const file = {} as { emulator: Emulator; output: T };
  beforeAll(async () => {
    file.emulator = await startEmulator();
    process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
    await file.emulator.fresh();
    const provisioned = await runLocal('provision', SEED, FAST);
    if (provisioned.status !== 'SUCCEEDED')
      throw new Error(`provision: ${provisioned.error}: ${provisioned.cause}`);
    file.output = provisioned.output as T;
  });
  afterAll(async () => {
    delete process.env.KAFKA_PLC_HEALTH_SOURCE;
    await file.emulator?.stop();
  });
  beforeEach(() => {
    file.emulator.recorder.clear();
  });
  return file;
}
