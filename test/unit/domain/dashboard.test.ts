import { describe, expect, it } from 'vitest';
import {
  dashboardBody,
  dashboardName,
  rollStateMachineArnFor,
} from '../../../functions/lib/domain/dashboard';
import { planCluster } from '../../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const plan = planCluster(parseClusterSpec(seedSpec()));
const LB =
  'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/seed-usw2-nlb/50dc6c495c0c9188';
const ROLL = 'arn:aws:states:us-west-2:123456789012:stateMachine:kafka-plc-dev-roll-brokers';
const refs = {
  loadBalancerArn: LB,
  targetGroupArns: Object.fromEntries(
    plan.loadBalancer.listeners.map((l) => [
      l.targetGroupName,
      `arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/${l.targetGroupName}/0123456789abcdef`,
    ]),
  ),
  rollStateMachineArn: ROLL,
};

describe('dashboardBody', () => {
  it('shows NLB flows, unhealthy targets per broker port, the probe and the rolls', () => {
    // Act
    const body = dashboardBody(plan, refs);
    // Assess
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      'NLB flows and bytes',
      'Unhealthy targets per NLB port',
      'Brokers and controller (probe)',
      'Partitions and connections (probe)',
      'Rolls (roll-brokers executions)',
    ]);
    const unhealthy = body.widgets[1]?.properties.metrics ?? [];
    expect(unhealthy).toHaveLength(4);
    expect(unhealthy[1]).toEqual([
      'AWS/NetworkELB',
      'UnHealthyHostCount',
      'TargetGroup',
      'targetgroup/seed-usw2-b1/0123456789abcdef',
      'LoadBalancer',
      'net/seed-usw2-nlb/50dc6c495c0c9188',
      { label: ':9093 seed-usw2-b1' },
    ]);
    expect(body.widgets[3]?.properties.metrics[0]).toEqual([
      'KafkaPlc',
      'UnderReplicatedPartitions',
      'Cluster',
      'seed-usw2',
      { label: 'under-replicated' },
    ]);
    expect(body.widgets[4]?.properties.metrics.map((m) => m[3])).toEqual([ROLL, ROLL, ROLL, ROLL]);
    // Two columns, no two widgets on the same cell.
    expect(new Set(body.widgets.map((w) => `${w.x},${w.y}`)).size).toBe(5);
    expect(body.widgets.every((w) => w.properties.region === 'us-west-2')).toBe(true);
  });

  it('is named kafka-plc-<cluster> within the dashboard-name alphabet', () => {
    expect(dashboardName('seed-usw2')).toBe('kafka-plc-seed-usw2');
    expect(dashboardName(`c${'x'.repeat(31)}`)).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
  });
});

describe('rollStateMachineArnFor', () => {
  it("is the stage's roll state machine in the NLB's partition, region and account", () => {
    expect(rollStateMachineArnFor(LB, 'dev')).toBe(ROLL);
    expect(
      rollStateMachineArnFor(
        'arn:aws-cn:elasticloadbalancing:cn-north-1:210987654321:loadbalancer/net/x/1',
        'prod',
      ),
    ).toBe('arn:aws-cn:states:cn-north-1:210987654321:stateMachine:kafka-plc-prod-roll-brokers');
  });
});
