/**
 * kafka-plc provision --spec FILE [--local] [--state-machine-arn ARN] [--state-machine-name NAME]
 * A spec with `existing` runs expose-existing (state machine kafka-plc-expose-existing) instead.
 * --local runs the real ASL in-process against the SDK's endpoint; otherwise the deployed state
 * machine is started and followed. Progress on stderr, the output JSON on stdout.
 */
import * as sfn from '../../functions/lib/aws/sfn';
import { nextSteps, nextStepsText } from '../../functions/lib/domain/next-steps';
import { planCluster, planConsumers } from '../../functions/lib/domain/plan';
import { topologyWarnings } from '../../functions/lib/domain/resilience';
import { UsageError } from '../../functions/lib/errors';
import type { ClusterSpec } from '../../functions/lib/spec';
import { prepareLocalEnvironment } from '../local-prereqs';
import { runLocal } from '../local-sfn';
import { progress } from '../progress';
import { loadSpecFile } from '../spec-file';
import {
  announce,
  type Command,
  CommandFailedError,
  type Io,
  parse,
  reportVerification,
  required,
  requireEmulatorForLocal,
} from './common';

export const DEFAULT_PROVISION_MACHINE = 'kafka-plc-provision';
export const DEFAULT_EXPOSE_MACHINE = 'kafka-plc-expose-existing';

/**
 * KAFKA_PLC_LOCAL_WAIT_SCALE (a number ≥ 0) scales the Wait states and retry pauses of an in-process run: the
 * emulator answers at once, so a rehearsal or a test need not sit out AWS's polling intervals. Unset: as written.
 */
function localPace(): { waitScale?: number; retryPauseMs?: number } {
  const raw = process.env.KAFKA_PLC_LOCAL_WAIT_SCALE;
  const scale = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(scale) || scale < 0) return {};
  return { waitScale: scale, ...(scale === 0 ? { retryPauseMs: 0 } : {}) };
}

export async function runWorkflow(
  name: string,
  input: unknown,
  options: { local: boolean; region: string; arn?: string; machineName: string; executionName: string },
  io: Io,
): Promise<unknown> {
  const report = progress(io.stderr);
  if (options.local) {
    await prepareLocalEnvironment(options.region);
    report.line(
      `running state-machine/${name}.asl.json in-process${process.env.AWS_ENDPOINT_URL ? ` against ${process.env.AWS_ENDPOINT_URL}` : ''}`,
    );
    const result = await runLocal(name, input, { onEvent: report.event, ...localPace() });
    if (result.status !== 'SUCCEEDED') {
      throw new CommandFailedError(
        `${name} failed at ${result.failedState ?? 'an unknown state'}: ${result.error}: ${result.cause}`,
      );
    }
    report.line(`${name} succeeded`);
    return result.output;
  }
  const arn = options.arn ?? (await sfn.findStateMachine(options.region, options.machineName));
  if (!arn) {
    throw new UsageError(
      `no state machine named ${options.machineName} in ${options.region}; pass --state-machine-arn or deploy the stack`,
    );
  }
  const { executionArn } = await sfn.startExecution(options.region, {
    stateMachineArn: arn,
    name: options.executionName,
    input,
  });
  report.line(`started ${executionArn}`);
  let lastId = 0;
  for (;;) {
    for (const event of await sfn.historySince(options.region, executionArn, lastId)) {
      lastId = Math.max(lastId, event.id ?? 0);
      const exited = event.stateExitedEventDetails?.name;
      if (exited) report.event({ type: 'StateExited', state: exited });
    }
    const state = await sfn.describeExecution(options.region, executionArn);
    if (state.status === 'SUCCEEDED') return state.output ? JSON.parse(state.output) : {};
    if (state.status !== 'RUNNING' && state.status !== 'PENDING_REDRIVE') {
      throw new CommandFailedError(`${name} ${state.status}: ${state.error ?? ''}: ${state.cause ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
}

export function executionName(spec: ClusterSpec, what: string, now = new Date()): string {
  return `${spec.clusterName}-${what}-${now.toISOString().replace(/[:.]/g, '-')}`.slice(0, 80);
}

export const provision: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    local: { type: 'boolean', default: false },
    'state-machine-arn': { type: 'string' },
    'state-machine-name': { type: 'string' },
  });
  requireEmulatorForLocal(values.local);
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  // A spec with `existing` names brokers kafka-plc did not build: they are exposed, not provisioned.
  const workflow = spec.existing ? 'expose-existing' : 'provision';
  await announce(
    io,
    spec.region,
    spec.existing
      ? `expose existing cluster ${spec.clusterName} (${spec.existing.brokers.length} brokers in ${spec.existing.vpcId})`
      : `provision cluster ${spec.clusterName} (${spec.brokersPerAz * spec.azIds.length} ${spec.instanceType} brokers in ${spec.azIds.join(', ')})`,
  );
  if (!spec.existing)
    for (const warning of topologyWarnings(planCluster(spec))) io.stderr(`warning: ${warning}\n`);
  const output = await runWorkflow(
    workflow,
    spec,
    {
      local: values.local === true,
      region: spec.region,
      arn: values['state-machine-arn'] as string | undefined,
      machineName:
        (values['state-machine-name'] as string | undefined) ??
        (spec.existing ? DEFAULT_EXPOSE_MACHINE : DEFAULT_PROVISION_MACHINE),
      executionName: executionName(spec, spec.existing ? 'expose' : 'provision'),
    },
    io,
  );
  io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  reportVerification(output, values.spec as string, io);
  // What to enter in TiDB Cloud now, per consumer, with the endpoint service name filled in.
  const service = (output as { endpointServiceName?: unknown }).endpointServiceName;
  if (typeof service === 'string') {
    const input = { clusterName: spec.clusterName, region: spec.region, consumers: planConsumers(spec) };
    io.stderr(`\n${nextStepsText(nextSteps(input, service))}`);
  }
};
