/**
 * kafka-plc provision --spec FILE [--format table|json] [--local] [--stage STAGE]
 *                     [--state-machine-arn ARN] [--state-machine-name NAME]
 * A spec with `existing` runs expose-existing (state machine kafka-plc-<stage>-expose-existing) instead. The
 * stage is the cluster's owner, --stage, or the only one deployed (cli/commands/stage.ts).
 * It says where (account, region), reads the account (the live plan) and refuses a change it cannot make in
 * place, then runs: --local runs the real ASL in-process against the SDK's endpoint; otherwise the deployed
 * state machine is started and followed (console link; Ctrl-C stops following, not the execution). Progress on
 * stderr; on stdout the summary and next steps, or the execution output with --format json.
 */
import type { EventEmitter } from 'node:events';
import * as sfn from '../../functions/lib/aws/sfn';
import { stateMachineName, type Workflow } from '../../functions/lib/domain/names';
import { nextSteps, nextStepsText } from '../../functions/lib/domain/next-steps';
import { planCluster, planConsumers } from '../../functions/lib/domain/plan';
import { topologyWarnings } from '../../functions/lib/domain/resilience';
import { UsageError } from '../../functions/lib/errors';
import type { ClusterSpec } from '../../functions/lib/spec';
import { prepareLocalEnvironment } from '../local-prereqs';
import { readDefinition, runLocal } from '../local-sfn';
import { type Progress, progress, progressContext } from '../progress';
import { loadSpecFile } from '../spec-file';
import { executionConsoleUrl, provisionSummary, type WorkflowOutput } from '../summary';
import {
  announce,
  type Command,
  CommandFailedError,
  ExitCodeError,
  type Io,
  parse,
  reportVerification,
  required,
  requireEmulatorForLocal,
} from './common';
import { livePlanOf, livePlanText, refuseUnsupported } from './plan-live';
import { resolveStage, STAGE_OPTION, stageFlag } from './stage';

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

export interface WorkflowRun {
  output: unknown;
  /** The deployed execution's ARN (absent for an in-process run). */
  executionArn?: string;
  /** Milliseconds from start to end. */
  took: number;
}

/** Resolves when the person presses Ctrl-C (SIGINT) while a deployed execution is followed. */
function interruption(signals: EventEmitter): {
  signal: Promise<void>;
  fired: () => boolean;
  dispose: () => void;
} {
  let fired = false;
  let resolve: () => void = () => {};
  const signal = new Promise<void>((r) => {
    resolve = r;
  });
  const onSigint = () => {
    fired = true;
    resolve();
  };
  signals.once('SIGINT', onSigint);
  return { signal, fired: () => fired, dispose: () => signals.removeListener('SIGINT', onSigint) };
}

export async function runWorkflow(
  name: Workflow,
  input: unknown,
  options: {
    local: boolean;
    region: string;
    /** The stage whose stack runs it: its state machine (kafka-plc-<stage>-<name>), or its names when local. */
    stage: string;
    arn?: string;
    /** Another state machine name than the stage's. */
    machineName?: string;
    executionName: string;
    /** Where Ctrl-C arrives (the process; a test passes its own emitter) and how long between polls. */
    signals?: EventEmitter;
    pollMs?: number;
  },
  io: Io,
): Promise<WorkflowRun> {
  const started = Date.now();
  const report = progress(io.stderr, Date.now, progressContext(readDefinition(name)), io.startedAt);
  if (options.local) {
    await prepareLocalEnvironment(options.region, options.stage);
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
    return { output: result.output, took: Date.now() - started };
  }
  const machineName = options.machineName ?? stateMachineName(options.stage, name);
  const arn = options.arn ?? (await sfn.findStateMachine(options.region, machineName));
  if (!arn) {
    throw new UsageError(
      `no state machine named ${machineName} in ${options.region}: deploy stage ${options.stage}'s stack (README, "Deploy"), or pass --state-machine-arn`,
    );
  }
  const { executionArn } = await sfn.startExecution(options.region, {
    stateMachineArn: arn,
    name: options.executionName,
    input,
  });
  report.line(`started ${executionArn}`);
  return followExecution(name, options.region, executionArn, { ...options, report, started });
}

/**
 * Follows a deployed execution to its end: one progress line per state (with the resources it made), the
 * console link first. Ctrl-C stops following, not the execution: it says so, and how to follow or stop it
 * (exit 130). A failed execution is a CommandFailedError with its error and cause.
 */
export async function followExecution(
  name: string,
  region: string,
  executionArn: string,
  options: { report: Progress; started: number; signals?: EventEmitter; pollMs?: number },
): Promise<WorkflowRun> {
  const { report, started } = options;
  report.line(`console: ${executionConsoleUrl(executionArn)}`);
  const interrupt = interruption(options.signals ?? process);
  try {
    let lastId = 0;
    for (;;) {
      for (const event of await sfn.historySince(region, executionArn, lastId)) {
        lastId = Math.max(lastId, event.id ?? 0);
        const exited = event.stateExitedEventDetails;
        if (exited?.name)
          report.event({ type: 'StateExited', state: exited.name, output: parseOutput(exited.output) });
      }
      const state = await sfn.describeExecution(region, executionArn);
      if (state.status === 'SUCCEEDED')
        return {
          output: state.output ? JSON.parse(state.output) : {},
          executionArn,
          took: Date.now() - started,
        };
      if (state.status !== 'RUNNING' && state.status !== 'PENDING_REDRIVE') {
        throw new CommandFailedError(`${name} ${state.status}: ${state.error ?? ''}: ${state.cause ?? ''}`);
      }
      await Promise.race([new Promise((r) => setTimeout(r, options.pollMs ?? 5000)), interrupt.signal]);
      if (interrupt.fired())
        throw new ExitCodeError(
          130,
          `interrupted: only this command stopped; the execution goes on in AWS.\n` +
            `  follow it: ${executionConsoleUrl(executionArn)}\n` +
            `         or: aws stepfunctions describe-execution --region ${region} --execution-arn ${executionArn}\n` +
            `  stop it:   aws stepfunctions stop-execution --region ${region} --execution-arn ${executionArn}` +
            ' (what it created stays; running the same command again continues from it)',
        );
    }
  } finally {
    interrupt.dispose();
  }
}

function parseOutput(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
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
    format: { type: 'string', default: 'table' },
    ...STAGE_OPTION,
  });
  requireEmulatorForLocal(values.local);
  const flag = stageFlag(values.stage);
  const format = values.format as string;
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`--format: "${format}" is not one of table, json`);
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  // A spec with `existing` names brokers kafka-plc did not build: they are exposed, not provisioned.
  const workflow = spec.existing ? 'expose-existing' : 'provision';
  const { stage } = await announce(
    io,
    spec.region,
    spec.existing
      ? `expose existing cluster ${spec.clusterName} (${spec.existing.brokers.length} brokers in ${spec.existing.vpcId})`
      : `provision cluster ${spec.clusterName} (${spec.brokersPerAz * spec.azIds.length} ${spec.instanceType} brokers in ${spec.azIds.join(', ')})`,
    () =>
      resolveStage({ region: spec.region, cluster: spec.clusterName, flag, local: values.local === true }),
  );
  if (!spec.existing)
    for (const warning of topologyWarnings(planCluster(spec))) io.stderr(`warning: ${warning}\n`);
  // What the account has first: a change provision cannot make in place is refused before anything starts.
  // (no server.properties previews: the expose itself patches each broker, one at a time, when safe)
  const { live, plan } = await livePlanOf(spec, { previews: false });
  refuseUnsupported(live, values.spec as string);
  io.stderr(live.fresh ? 'nothing exists yet: creating everything in the plan\n' : livePlanText(live));
  const run = await runWorkflow(
    workflow,
    spec,
    {
      local: values.local === true,
      region: spec.region,
      stage,
      arn: values['state-machine-arn'] as string | undefined,
      machineName: values['state-machine-name'] as string | undefined,
      executionName: executionName(spec, spec.existing ? 'expose' : 'provision'),
    },
    io,
  );
  const output = run.output as WorkflowOutput;
  reportVerification(output, values.spec as string, io);
  if (format === 'table') {
    const what = spec.existing ? 'Exposing existing cluster' : 'Provisioning';
    io.stdout(provisionSummary(spec, plan, output, { what, took: run.took, executionArn: run.executionArn }));
    return;
  }
  io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  // What to enter in TiDB Cloud now, per consumer, with the endpoint service name filled in.
  const service = output.endpointServiceName;
  if (typeof service === 'string') {
    const input = { clusterName: spec.clusterName, region: spec.region, consumers: planConsumers(spec) };
    io.stderr(`\n${nextStepsText(nextSteps(input, service))}`);
  }
};
