import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AlarmInput,
  alarmChanges,
  alarmPrefix,
  clusterAlarms,
  type LiveAlarm,
  metricDimensionOf,
} from '../../../functions/lib/domain/alarms';
import { planCluster } from '../../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:kafka-plc-dev-alarms';
const LB =
  'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/seed-usw2-nlb/50dc6c495c0c9188';
const tgArn = (name: string) =>
  `arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/${name}/73e2d6bc24d8a067`;

function alarmsOf(spec = seedSpec()) {
  const plan = planCluster(parseClusterSpec(spec));
  const arns = Object.fromEntries(
    plan.loadBalancer.listeners.map((l) => [l.targetGroupName, tgArn(l.targetGroupName)]),
  );
  return { plan, alarms: clusterAlarms(plan, { loadBalancerArn: LB, targetGroupArns: arns }, TOPIC) };
}

describe('clusterAlarms', () => {
  it("one UnHealthyHostCount alarm per target group, on the ARNs' final parts, 2 of 2 minutes, missing data not breaching", () => {
    // Act
    const { alarms } = alarmsOf();
    const nlb = alarms.filter((a) => a.Namespace === 'AWS/NetworkELB');
    // Assess
    expect(nlb.map((a) => a.AlarmName)).toEqual([
      'kafka-plc/seed-usw2/unhealthy-seed-usw2-bootstrap',
      'kafka-plc/seed-usw2/unhealthy-seed-usw2-b1',
      'kafka-plc/seed-usw2/unhealthy-seed-usw2-b2',
      'kafka-plc/seed-usw2/unhealthy-seed-usw2-b3',
    ]);
    expect(nlb[1]).toMatchObject({
      MetricName: 'UnHealthyHostCount',
      Dimensions: [
        { Name: 'TargetGroup', Value: 'targetgroup/seed-usw2-b1/73e2d6bc24d8a067' },
        { Name: 'LoadBalancer', Value: 'net/seed-usw2-nlb/50dc6c495c0c9188' },
      ],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
    });
  });

  it("the probe's alarms: liveness breaching on missing data, the rest not; thresholds from the plan", () => {
    // Act
    const { alarms } = alarmsOf(seedSpec({ brokersPerAz: 2 }));
    const probe = Object.fromEntries(
      alarms
        .filter((a) => a.Namespace === 'KafkaPlc')
        .map((a) => [
          a.MetricName,
          [a.ComparisonOperator, a.Threshold, a.EvaluationPeriods, a.TreatMissingData, a.Statistic],
        ]),
    );
    // Assess
    expect(probe).toEqual({
      RegisteredBrokers: ['LessThanThreshold', 6, 2, 'breaching', 'Minimum'],
      ActiveControllerPresent: ['LessThanThreshold', 1, 2, 'breaching', 'Minimum'],
      UnderMinIsrPartitions: ['GreaterThanThreshold', 0, 2, 'notBreaching', 'Maximum'],
      OfflinePartitions: ['GreaterThanThreshold', 0, 2, 'notBreaching', 'Maximum'],
      UnderReplicatedPartitions: ['GreaterThanThreshold', 0, 3, 'notBreaching', 'Maximum'],
      PendingConnections: ['GreaterThanThreshold', 0, 12, 'notBreaching', 'Maximum'],
    });
    for (const alarm of alarms.filter((a) => a.Namespace === 'KafkaPlc'))
      expect(alarm.Dimensions).toEqual([{ Name: 'Cluster', Value: 'seed-usw2' }]);
  });

  it('every alarm name starts with the cluster prefix and is at most 255 characters (PutMetricAlarm)', () => {
    const { alarms } = alarmsOf(seedSpec({ clusterName: `c${'x'.repeat(31)}`, brokersPerAz: 16 }));
    expect(alarms).toHaveLength(49 + 6);
    for (const alarm of alarms) {
      expect(alarm.AlarmName.startsWith(alarmPrefix(`c${'x'.repeat(31)}`))).toBe(true);
      expect(alarm.AlarmName.length).toBeLessThanOrEqual(255);
    }
    expect(new Set(alarms.map((a) => a.AlarmName)).size).toBe(alarms.length);
  });

  it('two consumers: an alarm for each target group of each', () => {
    const spec = JSON.parse(
      readFileSync(new URL('../../../examples/two-consumers-usw2.json', import.meta.url), 'utf8'),
    );
    const { alarms } = alarmsOf(spec);
    expect(alarms.filter((a) => a.Namespace === 'AWS/NetworkELB')).toHaveLength(8);
  });
});

describe('metricDimensionOf', () => {
  it('is the final part of an ELB ARN as CloudWatch names it', () => {
    expect(metricDimensionOf(LB)).toBe('net/seed-usw2-nlb/50dc6c495c0c9188');
    expect(metricDimensionOf(tgArn('x'))).toBe('targetgroup/x/73e2d6bc24d8a067');
  });
});

describe('alarmChanges (desired vs the live alarms with the cluster prefix)', () => {
  const desired = alarmsOf().alarms;
  const asLive = (alarm: AlarmInput): LiveAlarm => ({ ...alarm });
  const named = (name: string) => desired.find((a) => a.AlarmName.endsWith(name)) as AlarmInput;
  const cases: {
    name: string;
    live: () => LiveAlarm[];
    put: [string, string][];
    remove: string[];
  }[] = [
    { name: 'all as desired: nothing', live: () => desired.map(asLive), put: [], remove: [] },
    {
      name: 'dimensions and actions in another order: nothing',
      live: () =>
        desired.map((a) => ({
          ...asLive(a),
          Dimensions: [...a.Dimensions].reverse(),
          AlarmActions: [...a.AlarmActions].reverse(),
        })),
      put: [],
      remove: [],
    },
    {
      name: 'one missing: put',
      live: () => desired.filter((a) => a !== named('RegisteredBrokers')).map(asLive),
      put: [['RegisteredBrokers', 'missing']],
      remove: [],
    },
    {
      name: 'a threshold and the actions changed: put, naming the fields',
      live: () =>
        desired.map((a) =>
          a === named('OfflinePartitions') ? { ...asLive(a), Threshold: 5, AlarmActions: [] } : asLive(a),
        ),
      put: [['OfflinePartitions', 'differs in Threshold, AlarmActions']],
      remove: [],
    },
    {
      name: 'another target group in the dimension: put',
      live: () =>
        desired.map((a) =>
          a === named('unhealthy-seed-usw2-b1')
            ? {
                ...asLive(a),
                Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/x/1' }, a.Dimensions[1]],
              }
            : asLive(a),
        ) as LiveAlarm[],
      put: [['unhealthy-seed-usw2-b1', 'differs in Dimensions']],
      remove: [],
    },
    {
      name: 'an alarm no longer planned (a removed consumer): remove',
      live: () => [
        ...desired.map(asLive),
        {
          ...asLive(named('unhealthy-seed-usw2-b1')),
          AlarmName: `${alarmPrefix('seed-usw2')}unhealthy-seed-usw2-tidb2-b1`,
        },
      ],
      put: [],
      remove: [`${alarmPrefix('seed-usw2')}unhealthy-seed-usw2-tidb2-b1`],
    },
  ];
  it.each(cases)('$name', ({ live, put, remove }) => {
    // Act
    const changes = alarmChanges(desired, live());
    // Assess
    expect(
      changes.put.map((p) => [p.alarm.AlarmName.slice(alarmPrefix('seed-usw2').length), p.reason]),
    ).toEqual(put.map(([name, reason]) => [name, reason]));
    expect(changes.remove).toEqual(remove);
  });

  it("no cluster's prefix starts another's names ('/' is not in a cluster name)", () => {
    expect(`${alarmPrefix('a-b')}RegisteredBrokers`.startsWith(alarmPrefix('a'))).toBe(false);
    expect(`${alarmPrefix('ab')}RegisteredBrokers`.startsWith(alarmPrefix('a'))).toBe(false);
  });
});
