/**
 * What a person reads at the end of `kafka-plc provision` (pure): the same summary and next steps as `npm start`
 * ends with, from the execution's output. `--format json` prints the output itself instead (for scripts).
 */
import { nextSteps, nextStepsText } from '../functions/lib/domain/next-steps';
import { type Plan, planConsumers } from '../functions/lib/domain/plan';
import { planTable } from '../functions/lib/domain/plan-views';
import type { ClusterSpec } from '../functions/lib/spec';

export interface WorkflowOutput {
  vpcId?: string;
  brokerInstanceIds?: string[];
  loadBalancerDnsName?: string;
  endpointServiceId?: string;
  endpointServiceName?: string;
  acceptWindow?: string;
  monitoring?: { alarms?: unknown[] | number; dashboard?: string; alarmTopicArn?: string };
  verification?: { inSync?: boolean; differences?: string[] };
}

/** The console page of an execution, in the partition its ARN names. */
export function executionConsoleUrl(executionArn: string): string {
  const [, partition = 'aws', , region = ''] = executionArn.split(':');
  const host =
    partition === 'aws-cn'
      ? `${region}.console.amazonaws.cn`
      : partition === 'aws-us-gov'
        ? `${region}.console.amazonaws-us-gov.com`
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

export function elapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export function provisionSummary(
  spec: ClusterSpec,
  plan: Plan,
  output: WorkflowOutput,
  run: { what: string; took: number; executionArn?: string },
): string {
  const alarms = output.monitoring?.alarms;
  const alarmCount = Array.isArray(alarms) ? alarms.length : alarms;
  const verification = output.verification;
  const service = output.endpointServiceName;
  return [
    '',
    `${run.what} of ${spec.clusterName} in ${spec.region} succeeded in ${elapsed(run.took)}.`,
    ...(run.executionArn ? [`Execution: ${executionConsoleUrl(run.executionArn)}`] : []),
    '',
    `Endpoint service name: ${service ?? '(none)'}${output.endpointServiceId ? ` (${output.endpointServiceId})` : ''}`,
    `NLB (internal): ${output.loadBalancerDnsName ?? '(none)'}`,
    `VPC: ${output.vpcId ?? '(none)'}; brokers: ${(output.brokerInstanceIds ?? []).join(', ') || '(none)'}`,
    '',
    planTable(plan),
    `Monitoring: ${alarmCount ?? 0} alarm(s)${output.monitoring?.alarmTopicArn ? ` → ${output.monitoring.alarmTopicArn}` : ''}${output.monitoring?.dashboard ? `, dashboard ${output.monitoring.dashboard}` : ''}`,
    `Verification: ${verification?.inSync === false ? `${verification.differences?.length ?? 0} difference(s) from the plan (kafka-plc status --spec <file>)` : 'in sync with the plan'}`,
    ...(output.acceptWindow ? [`Accept window: ${output.acceptWindow}`] : []),
    '',
    ...(service
      ? [
          nextStepsText(
            nextSteps(
              { clusterName: spec.clusterName, region: spec.region, consumers: planConsumers(spec) },
              service,
            ),
          ).trimEnd(),
          '',
        ]
      : []),
  ].join('\n');
}
