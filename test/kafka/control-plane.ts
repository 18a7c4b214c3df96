/**
 * The deployed control plane beside the real-Kafka harness, for the tests, the bench and
 * `npm start -- --kafka`: the AWS emulator holds the cluster as the real provision state machine created
 * it, and SSM Run Command reaches the harness's brokers through the executor (run-command.ts), so the
 * roll is `state-machine/roll-brokers.asl.json` with the real Lambdas — PrepareRoll, CanRollNow's health
 * read through SSM, ReconfigureBroker's broker script and its `systemctl restart`, CheckBrokerHealthy —
 * on real brokers. There is no other roll loop.
 */

import { type LocalEvent, type RunOptions, type RunResult, runLocal } from '../../cli/local-sfn';
import { resetClients } from '../../functions/lib/aws/clients';
import { parseCommandComment } from '../../functions/lib/domain/commands';
import { splitHealthOutput } from '../../functions/lib/domain/health-script';
import { parseQuorumReplication } from '../../functions/lib/domain/kafka-tool-output';
import { type Plan, planCluster } from '../../functions/lib/domain/plan';
import { type ClusterSpecInput, parseClusterSpec } from '../../functions/lib/spec';
import type { RolledBroker } from '../../functions/lib/steps/roll';
import { historyEvents } from '../helpers/history-events';
import { type KafkaCluster, kafkaHome } from './harness';
import {
  type ExecutedCommand,
  type RunCommandExecutor,
  type ServiceAction,
  startRunCommandExecutor,
} from './run-command';

export interface ControlPlane {
  executor: RunCommandExecutor;
  /** The spec as a user passes it (the harness's cluster). */
  spec: ClusterSpecInput;
  awsPlan: Plan;
  /** The provision run (when attachControlPlane was asked to provision). */
  provision: RunResult | undefined;
  /**
   * Rolls to `uniqueName` with the roll state machine; `previousUniqueName` is what the brokers advertise.
   * `options.spec`: another spec for this roll (a changed setting of the same cluster, e.g. authentication).
   */
  roll(
    uniqueName: string,
    previousUniqueName: string,
    options?: RunOptions & { spec?: ClusterSpecInput },
  ): Promise<DeployedRoll>;
  stop(): Promise<void>;
}

export interface DeployedRoll {
  run: RunResult;
  /** FinishRoll's brokers, in roll order (empty when the roll failed). */
  rolled: RolledBroker[];
  ms: number;
  /** Run Commands the roll sent, with their purpose (health, roll). */
  commands: (ExecutedCommand & { purpose: string })[];
  serviceActions: ServiceAction[];
  /** The KRaft leader each roll command's pick was decided on (from the health read before it). */
  leaderAtPick: Map<number, number>;
  /** State-machine events of the execution (aws-local-stepfunctions' event log). */
  events: number;
  /** The same execution's history as a Standard execution on AWS records it (its polls included). */
  historyEvents: number;
  /** Seconds of every refusal wait the execution went through (WaitBeforeRetry's SecondsPath). */
  waits: number[];
  /** The brokers of each RestartBatch (the Map over CanRollNow's pick), in order. */
  batches: number[][];
}

/** Fixed waits of the provisioning run against the harness (a 10 s poll interval becomes 0.2 s). */
const PROVISION_WAIT_SCALE = 0.02;

/** Run options that keep fixed waits short and AWS-shaped retries quick; SecondsPath waits stay as given. */
export const ROLL_RUN: RunOptions = { waitScale: 0.02, retryPauseMs: 500 };

/**
 * Points the SDK at the executor (in front of `upstream`, the emulator) and, unless told not to, provisions
 * the harness's cluster with the provision state machine (its broker script runs on the running brokers).
 */
export async function attachControlPlane(
  cluster: KafkaCluster,
  upstream: string,
  options: RunOptions & { provision?: boolean } = {},
): Promise<ControlPlane> {
  const { provision: shouldProvision = true, ...runOptions } = options;
  const { spec } = cluster;
  const awsPlan = planCluster(parseClusterSpec(spec));
  const executor = await startRunCommandExecutor({
    upstream,
    hosts: cluster,
    awsPlan,
    kafkaHome: kafkaHome(cluster.plan),
  });
  const previousEndpoint = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = executor.endpoint;
  delete process.env.KAFKA_PLC_HEALTH_SOURCE;
  resetClients();
  const provision = shouldProvision
    ? // Run Command really runs the broker script here (seconds): fixed waits at ×0.02 give CheckBrokersConfigured's
      // 150 checks 30 s, where unscaled-to-zero waits spent them in a second or two (a bench run gave up so).
      await runLocal('provision', spec, { retryPauseMs: 0, ...runOptions, waitScale: PROVISION_WAIT_SCALE })
    : undefined;
  return {
    executor,
    spec,
    awsPlan,
    provision,
    roll: (uniqueName, previousUniqueName, { spec: rollSpec, ...options } = {}) =>
      deployedRoll(executor, rollSpec ?? spec, uniqueName, previousUniqueName, {
        ...runOptions,
        ...ROLL_RUN,
        ...options,
      }),
    async stop() {
      await executor.stop();
      process.env.AWS_ENDPOINT_URL = previousEndpoint;
      resetClients();
    },
  };
}

async function deployedRoll(
  executor: RunCommandExecutor,
  spec: ClusterSpecInput,
  uniqueName: string,
  previousUniqueName: string,
  options: RunOptions,
): Promise<DeployedRoll> {
  const firstCommand = executor.commands.length;
  const firstAction = executor.serviceActions.length;
  const log: LocalEvent[] = [];
  const waits: number[] = [];
  const batches: number[][] = [];
  const started = Date.now();
  const run = await runLocal(
    'roll-brokers',
    { spec: { ...spec, uniqueName }, previousUniqueName },
    {
      ...options,
      onEvent: (event) => {
        log.push(event);
        const pick = (event.output as { pick?: { action?: string; waitSeconds?: number } } | undefined)?.pick;
        if (event.type === 'StateExited' && event.state === 'WaitBeforeRetry')
          waits.push(pick?.waitSeconds ?? -1);
        if (event.type === 'StateExited' && event.state === 'RestartBatch')
          batches.push(
            ((event.output as { commands?: { nodeId: number }[] }).commands ?? []).map((c) => c.nodeId),
          );
        options.onEvent?.(event);
      },
    },
  );
  const ms = Date.now() - started;
  const commands = executor.commands
    .slice(firstCommand)
    .map((c) => ({ ...c, purpose: parseCommandComment(c.comment)?.purpose ?? '' }));
  const rolled =
    run.status === 'SUCCEEDED' ? ((run.output as { brokers: RolledBroker[] }).brokers ?? []) : [];
  return {
    run,
    rolled,
    ms,
    commands,
    serviceActions: executor.serviceActions.slice(firstAction),
    leaderAtPick: leaderAtPick(commands),
    events: log.length,
    historyEvents: historyEvents(log),
    waits,
    batches,
  };
}

/** For each roll command: the KRaft leader in the newest health output that ended before it was sent. */
function leaderAtPick(commands: (ExecutedCommand & { purpose: string })[]): Map<number, number> {
  const result = new Map<number, number>();
  for (const roll of commands.filter((c) => c.purpose === 'roll')) {
    const health = commands
      .filter((c) => c.purpose === 'health' && c.status === 'Success' && (c.endedAt ?? 0) <= roll.requestedAt)
      .at(-1);
    if (!health) continue;
    result.set(
      roll.nodeId,
      parseQuorumReplication(splitHealthOutput(health.stdout).quorumReplication).leaderId,
    );
  }
  return result;
}
