/**
 * The CloudWatch dashboard of one cluster, as PutDashboard's body (pure): NLB flows and bytes, unhealthy hosts
 * per broker port, the health probe's metrics, and the roll state machine's executions. Named
 * `kafka-plc-<cluster>` (dashboard names: letters, digits, - and _, at most 255 characters).
 */
import { metricDimensionOf } from './alarms';
import { stateMachineName } from './names';
import type { Plan } from './plan';
import { PROBE_NAMESPACE } from './probe-metrics';

/**
 * The roll state machine of the stage's stack, from the cluster's NLB ARN (same partition, region and account):
 * the Lambda that writes the dashboard is itself run by that state machine, so its ARN cannot be given to it
 * by a CloudFormation reference (a circular dependency).
 */
export function rollStateMachineArnFor(loadBalancerArn: string, stage: string): string {
  const [, partition = 'aws', , region = '', account = ''] = loadBalancerArn.split(':');
  return `arn:${partition}:states:${region}:${account}:stateMachine:${stateMachineName(stage, 'roll-brokers')}`;
}

export function dashboardName(cluster: string): string {
  return `kafka-plc-${cluster}`;
}

type MetricLine = (string | { label: string; stat?: string })[];

interface Widget {
  type: 'metric';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: {
    title: string;
    region: string;
    metrics: MetricLine[];
    stat: string;
    period: number;
    view: 'timeSeries';
  };
}

export function dashboardBody(
  plan: Plan,
  refs: {
    loadBalancerArn: string;
    targetGroupArns: Readonly<Record<string, string>>;
    rollStateMachineArn: string;
  },
): { widgets: Widget[] } {
  const region = plan.region;
  const lb = metricDimensionOf(refs.loadBalancerArn);
  const cluster = plan.clusterName;
  const widget = (
    title: string,
    metrics: MetricLine[],
    stat: string,
    period: number,
    index: number,
  ): Widget => ({
    type: 'metric',
    x: (index % 2) * 12,
    y: Math.floor(index / 2) * 6,
    width: 12,
    height: 6,
    properties: { title, region, metrics, stat, period, view: 'timeSeries' },
  });
  const probe = (name: string, label: string): MetricLine => [
    PROBE_NAMESPACE,
    name,
    'Cluster',
    cluster,
    { label },
  ];
  return {
    widgets: [
      widget(
        'NLB flows and bytes',
        [
          [
            'AWS/NetworkELB',
            'ActiveFlowCount',
            'LoadBalancer',
            lb,
            { label: 'active flows', stat: 'Average' },
          ],
          ['AWS/NetworkELB', 'NewFlowCount', 'LoadBalancer', lb, { label: 'new flows', stat: 'Sum' }],
          ['AWS/NetworkELB', 'ProcessedBytes', 'LoadBalancer', lb, { label: 'bytes', stat: 'Sum' }],
        ],
        'Sum',
        60,
        0,
      ),
      widget(
        'Unhealthy targets per NLB port',
        plan.loadBalancer.listeners.map((listener) => [
          'AWS/NetworkELB',
          'UnHealthyHostCount',
          'TargetGroup',
          metricDimensionOf(refs.targetGroupArns[listener.targetGroupName] ?? ''),
          'LoadBalancer',
          lb,
          { label: `:${listener.port} ${listener.targetGroupName}` },
        ]),
        'Maximum',
        60,
        1,
      ),
      widget(
        'Brokers and controller (probe)',
        [
          probe('RegisteredBrokers', 'registered brokers'),
          probe('ActiveControllerPresent', 'active controller'),
        ],
        'Minimum',
        300,
        2,
      ),
      widget(
        'Partitions and connections (probe)',
        [
          probe('UnderReplicatedPartitions', 'under-replicated'),
          probe('UnderMinIsrPartitions', 'under min ISR'),
          probe('OfflinePartitions', 'offline'),
          probe('PendingConnections', 'connections pending acceptance'),
        ],
        'Maximum',
        300,
        3,
      ),
      widget(
        'Rolls (roll-brokers executions)',
        ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((name) => [
          'AWS/States',
          name,
          'StateMachineArn',
          refs.rollStateMachineArn,
          { label: name.replace('Executions', '').toLowerCase() },
        ]),
        'Sum',
        300,
        4,
      ),
    ],
  };
}
