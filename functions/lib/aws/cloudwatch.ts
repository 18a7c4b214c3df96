/**
 * CloudWatch adapter: a cluster's alarms (by name prefix), its dashboard and the probe's metric data. Missing
 * dashboards read as undefined; deleting a missing one is done.
 */
import {
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  type MetricAlarm,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmInput, LiveAlarm } from '../domain/alarms';
import { CLUSTER_TAG } from '../domain/names';
import type { MetricDatum } from '../domain/probe-metrics';
import { cloudwatchClient } from './clients/cloudwatch';
import { call, hasCode } from './errors';

/** "DeleteAlarms": at most 100 alarm names per call; "PutMetricData": at most 1000 metrics per call. */
const DELETE_ALARMS_MAX = 100;
const PUT_METRIC_DATA_MAX = 1000;
const DASHBOARD_MISSING = ['ResourceNotFound', 'DashboardNotFoundError', 'ResourceNotFoundException'];

function liveAlarm(alarm: MetricAlarm): LiveAlarm {
  return {
    AlarmName: alarm.AlarmName ?? '',
    AlarmDescription: alarm.AlarmDescription ?? '',
    Namespace: alarm.Namespace ?? '',
    MetricName: alarm.MetricName ?? '',
    Dimensions: (alarm.Dimensions ?? []).map((d) => ({ Name: d.Name ?? '', Value: d.Value ?? '' })),
    Statistic: alarm.Statistic ?? '',
    Period: alarm.Period ?? 0,
    EvaluationPeriods: alarm.EvaluationPeriods ?? 0,
    DatapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods ?? 0,
    Threshold: alarm.Threshold ?? Number.NaN,
    ComparisonOperator: alarm.ComparisonOperator ?? '',
    TreatMissingData: alarm.TreatMissingData ?? 'missing',
    AlarmActions: alarm.AlarmActions ?? [],
    OKActions: alarm.OKActions ?? [],
  };
}

/** The metric alarms whose names start with `prefix`, every page. */
export async function alarmsWithPrefix(region: string, prefix: string): Promise<LiveAlarm[]> {
  const found: LiveAlarm[] = [];
  let NextToken: string | undefined;
  do {
    const out = await call('DescribeAlarms', () =>
      cloudwatchClient(region).send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm'], NextToken }),
      ),
    );
    found.push(...(out.MetricAlarms ?? []).map(liveAlarm));
    NextToken = out.NextToken;
  } while (NextToken);
  return found;
}

/** Creates or replaces the alarm (the tag is set on creation; AWS ignores tags on an update). */
export async function putAlarm(region: string, alarm: AlarmInput, cluster: string): Promise<void> {
  await call('PutMetricAlarm', () =>
    cloudwatchClient(region).send(
      new PutMetricAlarmCommand({ ...alarm, Tags: [{ Key: CLUSTER_TAG, Value: cluster }] }),
    ),
  );
}

export async function deleteAlarms(region: string, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += DELETE_ALARMS_MAX) {
    const AlarmNames = names.slice(i, i + DELETE_ALARMS_MAX);
    await call('DeleteAlarms', () => cloudwatchClient(region).send(new DeleteAlarmsCommand({ AlarmNames })));
  }
}

/** The dashboard's body as stored, or undefined when there is none. */
export async function dashboardBodyOf(region: string, name: string): Promise<string | undefined> {
  try {
    const out = await call('GetDashboard', () =>
      cloudwatchClient(region).send(new GetDashboardCommand({ DashboardName: name })),
    );
    return out.DashboardBody;
  } catch (error) {
    if (hasCode(error, ...DASHBOARD_MISSING)) return undefined;
    throw error;
  }
}

export async function putDashboard(region: string, name: string, body: string): Promise<void> {
  await call('PutDashboard', () =>
    cloudwatchClient(region).send(new PutDashboardCommand({ DashboardName: name, DashboardBody: body })),
  );
}

/** Deletes the dashboard; false when it did not exist. */
export async function deleteDashboard(region: string, name: string): Promise<boolean> {
  try {
    await call('DeleteDashboards', () =>
      cloudwatchClient(region).send(new DeleteDashboardsCommand({ DashboardNames: [name] })),
    );
    return true;
  } catch (error) {
    if (hasCode(error, ...DASHBOARD_MISSING)) return false;
    throw error;
  }
}

export async function putMetricData(region: string, namespace: string, data: MetricDatum[]): Promise<void> {
  for (let i = 0; i < data.length; i += PUT_METRIC_DATA_MAX) {
    const MetricData = data.slice(i, i + PUT_METRIC_DATA_MAX);
    await call('PutMetricData', () =>
      cloudwatchClient(region).send(new PutMetricDataCommand({ Namespace: namespace, MetricData })),
    );
  }
}
