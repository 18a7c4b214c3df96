/**
 * Alarms, dashboard and the health probe on the emulator: provisioning creates the cluster's alarms (on the
 * NLB's and target groups' CloudWatch dimensions, to the alarm topic) and its dashboard; a re-run writes
 * nothing; what was changed behind kafka-plc's back is put back; the probe publishes its metrics (read back
 * with GetMetricData); teardown removes alarms and dashboard. Every call is judged against the packaged roles.
 */
import {
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { loadHandler, runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import { alarmPrefix, metricDimensionOf } from '../../functions/lib/domain/alarms';
import { PROBE_NAMESPACE } from '../../functions/lib/domain/probe-metrics';
import { asFunction } from '../aws-model/iam';
import { FAST, SEED, useProvisionedSeed } from '../helpers/emulator';
import { lambdaContext } from '../helpers/lambda';

const REGION = 'us-west-2';
const PREFIX = alarmPrefix(SEED.clusterName);
type Output = {
  loadBalancerArn: string;
  targetGroupArns: Record<string, string>;
  monitoring: { alarms: number; dashboard: string; alarmTopicArn: string };
};
const file = useProvisionedSeed<Output>();

const cloudwatch = () => clients(REGION).cloudwatch;
async function alarms(): Promise<Map<string, MetricAlarm>> {
  const out = await cloudwatch().send(new DescribeAlarmsCommand({ AlarmNamePrefix: PREFIX }));
  return new Map((out.MetricAlarms ?? []).map((a) => [a.AlarmName ?? '', a]));
}
const cloudwatchWrites = () => file.emulator.recorder.carriedOut().filter((c) => c.service === 'cloudwatch');

describe('monitoring on the emulator', () => {
  it('provisioning creates an alarm per target group and per probe metric, to the alarm topic, and the dashboard', async () => {
    // Act
    const live = await alarms();
    const dashboard = await cloudwatch().send(
      new GetDashboardCommand({ DashboardName: 'kafka-plc-seed-usw2' }),
    );
    // Assess
    expect(file.output.monitoring).toEqual({
      alarms: 10,
      dashboard: 'kafka-plc-seed-usw2',
      alarmTopicArn: process.env.ALARM_TOPIC_ARN,
    });
    expect(live.size).toBe(10);
    const b2 = live.get(`${PREFIX}unhealthy-seed-usw2-b2`);
    expect(b2).toMatchObject({
      Namespace: 'AWS/NetworkELB',
      MetricName: 'UnHealthyHostCount',
      AlarmActions: [process.env.ALARM_TOPIC_ARN],
      OKActions: [process.env.ALARM_TOPIC_ARN],
    });
    expect(b2?.Dimensions).toEqual([
      { Name: 'TargetGroup', Value: metricDimensionOf(file.output.targetGroupArns['seed-usw2-b2'] ?? '') },
      { Name: 'LoadBalancer', Value: metricDimensionOf(file.output.loadBalancerArn) },
    ]);
    expect(metricDimensionOf(file.output.loadBalancerArn)).toMatch(/^(net|app)\/seed-usw2-nlb\/[0-9a-f]+$/);
    expect(live.get(`${PREFIX}RegisteredBrokers`)).toMatchObject({
      Namespace: PROBE_NAMESPACE,
      Dimensions: [{ Name: 'Cluster', Value: 'seed-usw2' }],
      Threshold: 3,
      TreatMissingData: 'breaching',
    });
    const body = JSON.parse(dashboard.DashboardBody ?? '{}') as {
      widgets: { properties: { title: string } }[];
    };
    expect(body.widgets.map((w) => w.properties.title)).toContain('Unhealthy targets per NLB port');
    expect(JSON.stringify(body)).toContain(
      metricDimensionOf(file.output.targetGroupArns['seed-usw2-b3'] ?? ''),
    );
  });

  it('a provisioning re-run writes no alarm and no dashboard', async () => {
    // Act
    const again = await runLocal('provision', SEED, FAST);
    // Assess
    expect(again.status, `${again.error}: ${again.cause}`).toBe('SUCCEEDED');
    expect(again.output).toEqual(file.output);
    expect(cloudwatchWrites()).toEqual([]);
    expect(
      file.emulator.recorder
        .reads()
        .filter((c) => c.service === 'cloudwatch')
        .map((c) => c.operation),
    ).toEqual(['DescribeAlarms', 'GetDashboard']);
  });

  it("puts back an alarm changed behind its back and deletes one of the cluster's alarms no longer planned", async () => {
    // Prepare
    const { cloudwatch: cw } = clients(REGION);
    const changed = (await alarms()).get(`${PREFIX}OfflinePartitions`);
    await cw.send(
      new PutMetricAlarmCommand({
        ...(changed as PutMetricAlarmCommand['input']),
        Threshold: 5,
        AlarmActions: [],
      }),
    );
    await cw.send(
      new PutMetricAlarmCommand({
        ...(changed as PutMetricAlarmCommand['input']),
        AlarmName: `${PREFIX}unhealthy-seed-usw2-b9`,
      }),
    );
    file.emulator.recorder.clear();
    // Act
    const again = await runLocal('provision', SEED, FAST);
    // Assess
    expect(again.status, `${again.error}: ${again.cause}`).toBe('SUCCEEDED');
    expect(cloudwatchWrites().map((c) => [c.operation, c.input.AlarmName ?? c.input.AlarmNames])).toEqual([
      ['PutMetricAlarm', `${PREFIX}OfflinePartitions`],
      ['DeleteAlarms', [`${PREFIX}unhealthy-seed-usw2-b9`]],
    ]);
    const live = await alarms();
    expect(live.size).toBe(10);
    expect(live.get(`${PREFIX}OfflinePartitions`)).toMatchObject({
      Threshold: 0,
      AlarmActions: [process.env.ALARM_TOPIC_ARN],
    });
  });

  it('the scheduled probe publishes the cluster metrics, read back from CloudWatch', async () => {
    // Prepare
    process.env.AWS_REGION = REGION;
    const probe = await loadHandler('probeClusters');
    const started = new Date(Date.now() - 60_000);
    // Act
    const result = (await asFunction('probeClusters', () =>
      probe({}, lambdaContext('probeClusters') as Context),
    )) as { clusters: number; results: { cluster: string; metrics: Record<string, number> }[] };
    // Assess
    expect(result.clusters).toBe(1);
    expect(result.results[0]).toMatchObject({
      cluster: 'seed-usw2',
      metrics: { RegisteredBrokers: 3, ActiveControllerPresent: 1, UnderReplicatedPartitions: 0 },
    });
    // Endpoint connections are not readable in moto: the metric is left out, not published as 0.
    expect(result.results[0]?.metrics).not.toHaveProperty('PendingConnections');
    const query = (name: string) => ({
      Id: name.toLowerCase(),
      MetricStat: {
        Metric: {
          Namespace: PROBE_NAMESPACE,
          MetricName: name,
          Dimensions: [{ Name: 'Cluster', Value: 'seed-usw2' }],
        },
        Period: 60,
        Stat: 'Minimum',
      },
    });
    const read = await cloudwatch().send(
      new GetMetricDataCommand({
        StartTime: started,
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          query('RegisteredBrokers'),
          query('ActiveControllerPresent'),
          query('OfflinePartitions'),
        ],
      }),
    );
    const values = Object.fromEntries((read.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(values).toEqual({ registeredbrokers: [3], activecontrollerpresent: [1], offlinepartitions: [0] });
    const listed = await cloudwatch().send(new ListMetricsCommand({ Namespace: PROBE_NAMESPACE }));
    expect(listed.Metrics?.map((m) => m.MetricName)).not.toContain('PendingConnections');
    const judged = file.emulator.iam.judged.filter((j) => j.functionKey === 'probeClusters');
    expect(judged.map((j) => j.request.action)).toContain('cloudwatch:PutMetricData');
    expect(judged.map((j) => j.request.action)).toContain('ssm:GetParametersByPath');
    expect(file.emulator.iam.denied()).toEqual([]);
  });

  it('teardown removes the alarms and the dashboard first', async () => {
    // Act
    const torn = await runLocal('teardown', SEED, FAST);
    // Assess
    expect(torn.status, `${torn.error}: ${torn.cause}`).toBe('SUCCEEDED');
    expect((torn.output as { monitoring: { alarmsDeleted: string[] } }).monitoring).toMatchObject({
      dashboardDeleted: true,
    });
    expect(
      (torn.output as { monitoring: { alarmsDeleted: string[] } }).monitoring.alarmsDeleted,
    ).toHaveLength(10);
    expect((await alarms()).size).toBe(0);
    await expect(
      cloudwatch().send(new GetDashboardCommand({ DashboardName: 'kafka-plc-seed-usw2' })),
    ).rejects.toThrow(/does not exist/);
    const first = file.emulator.recorder.carriedOut().findIndex((c) => c.operation === 'DeleteAlarms');
    const brokersGone = file.emulator.recorder
      .carriedOut()
      .findIndex((c) => c.operation === 'TerminateInstances');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(brokersGone);
  });
});
