/**
 * Monitoring paths the emulator cannot take, with aws-sdk-client-mock: endpoint connections pending
 * acceptance counted by the probe; a failed health read publishes no Kafka metric (missing data, which the
 * liveness alarms treat as breaching); one cluster's failure does not stop the others' probe; teardown of a
 * dashboard already gone; more than 100 alarms deleted in batches (DeleteAlarms' limit).
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeInstancesCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeInstanceInformationCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecord } from '../../../functions/lib/domain/record';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { probeCluster, probeClusters, removeMonitoring } from '../../../functions/lib/steps/monitoring';
import { seedSpec } from '../../fixtures/specs';

const cloudwatch = mockClient(CloudWatchClient);
const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ssm = mockClient(SSMClient);
const spec = parseClusterSpec(seedSpec());
const TAGS = [{ Key: 'kafka-plc:cluster', Value: 'seed-usw2' }];
const LB =
  'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/seed-usw2-nlb/50dc6c495c0c9188';

const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
const broker = (n: number, state = 'running') => ({
  InstanceId: `i-${n}`,
  PrivateIpAddress: `10.0.0.${n}`,
  State: { Name: state as never },
  Tags: [...TAGS, { Key: 'kafka-plc:role', Value: `broker-${n}` }],
});
const published = () =>
  Object.fromEntries(
    cloudwatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricData ?? [])
      .map((d) => [d.MetricName, d.Value]),
  );

beforeEach(() => {
  for (const mock of [cloudwatch, ec2, elbv2, ssm]) mock.reset();
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
  elbv2.on(DescribeLoadBalancersCommand).resolves({
    LoadBalancers: [{ LoadBalancerArn: LB, LoadBalancerName: 'seed-usw2-nlb', State: { Code: 'active' } }],
  });
  ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
    ServiceConfigurations: [
      { ServiceId: 'vpce-svc-1', ServiceState: 'Available', Tags: TAGS, NetworkLoadBalancerArns: [LB] },
    ],
  });
  ec2.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [] });
  ec2
    .on(DescribeInstancesCommand)
    .resolves({ Reservations: [{ Instances: [1, 2, 3].map((n) => broker(n)) }] });
  cloudwatch.on(PutMetricDataCommand).resolves({});
});
afterEach(() => {
  delete process.env.KAFKA_PLC_HEALTH_SOURCE;
});

describe('probeCluster', () => {
  it('counts the endpoint connections pending acceptance, asked by state', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointConnectionsCommand).resolves({
      VpcEndpointConnections: [
        { VpcEndpointId: 'vpce-1', VpcEndpointState: 'pendingAcceptance' as never },
        { VpcEndpointId: 'vpce-2', VpcEndpointState: 'pendingAcceptance' as never },
      ],
    });
    // Act
    const result = await probeCluster(spec);
    // Assess
    expect(result.metrics.PendingConnections).toBe(2);
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcEndpointConnectionsCommand, {
      Filters: [
        { Name: 'service-id', Values: ['vpce-svc-1'] },
        { Name: 'vpc-endpoint-state', Values: ['pendingAcceptance'] },
      ],
    });
    expect(published()).toEqual({
      RegisteredBrokers: 3,
      ActiveControllerPresent: 1,
      UnderReplicatedPartitions: 0,
      UnderMinIsrPartitions: 0,
      OfflinePartitions: 0,
      PendingConnections: 2,
    });
    expect(cloudwatch).toHaveReceivedCommandWith(PutMetricDataCommand, { Namespace: 'KafkaPlc' });
    // The probe needs running instances only: SSM registration is not asked for.
    expect(ssm).not.toHaveReceivedCommand(DescribeInstanceInformationCommand);
  });

  it('no running broker: no Kafka metric is published (missing data), the connections still are', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [1, 2, 3].map((n) => broker(n, 'stopped')) }],
    });
    // Act
    const result = await probeCluster(spec);
    // Assess
    expect(result.healthError).toBe('no broker instance is running');
    expect(published()).toEqual({ PendingConnections: 0 });
  });
});

describe('probeClusters', () => {
  it("probes every cluster of its stage with an applied spec; one cluster's failure is reported, the others published", async () => {
    // Prepare: two clusters of stage dev, one of stage prod (its own probe's), one no stage owns
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: '/kafka-plc/seed-usw2/spec' },
        { Name: '/kafka-plc/seed-usw2/stage', Value: 'dev' },
        { Name: '/kafka-plc/seed-usw2/unique-name' },
        { Name: '/kafka-plc/broken/spec' },
        { Name: '/kafka-plc/broken/stage', Value: 'dev' },
        { Name: '/kafka-plc/other/spec' },
        { Name: '/kafka-plc/other/stage', Value: 'prod' },
        { Name: '/kafka-plc/legacy/spec' },
      ],
    });
    ssm
      .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/spec' })
      .resolves({ Parameter: { Value: encodeRecord(spec), Version: 1 } })
      .on(GetParameterCommand, { Name: '/kafka-plc/broken/spec' })
      .rejects(awsError('AccessDeniedException', 'not authorized to perform ssm:GetParameter'));
    // Act
    const result = await probeClusters('us-west-2', 'dev');
    // Assess
    expect(result.clusters).toBe(2);
    expect(result.results.map((r) => r.cluster)).toEqual(['seed-usw2']);
    expect(result.failed).toEqual([
      { cluster: 'broken', error: expect.stringContaining('AccessDeniedException') },
    ]);
    expect(published().RegisteredBrokers).toBe(3);
  });
});

describe('removeMonitoring', () => {
  it('deletes alarms in batches of 100; a dashboard already gone is not deleted again', async () => {
    // Prepare
    const names = Array.from({ length: 130 }, (_, i) => `kafka-plc/seed-usw2/unhealthy-seed-usw2-b${i}`);
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: names.slice(0, 100).map((AlarmName) => ({ AlarmName })), NextToken: 't' })
      .resolvesOnce({ MetricAlarms: names.slice(100).map((AlarmName) => ({ AlarmName })) });
    cloudwatch.on(DeleteAlarmsCommand).resolves({});
    cloudwatch.on(GetDashboardCommand).rejects(awsError('ResourceNotFound', 'Dashboard does not exist'));
    // Act
    const result = await removeMonitoring('us-west-2', 'seed-usw2');
    // Assess
    expect(result).toEqual({ alarmsDeleted: names, dashboardDeleted: false });
    const batches = cloudwatch
      .commandCalls(DeleteAlarmsCommand)
      .map((c) => c.args[0].input.AlarmNames?.length);
    expect(batches).toEqual([100, 30]);
    expect(cloudwatch).not.toHaveReceivedCommand(DeleteDashboardsCommand);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNamePrefix: 'kafka-plc/seed-usw2/',
    });
  });
});
