/**
 * Where the roll's health snapshot comes from (KAFKA_PLC_HEALTH_SOURCE):
 *  - `ssm` (deployed; default): the health script runs on a broker through SSM Run Command;
 *  - `local`: the same script runs here against KAFKA_PLC_HEALTH_BOOTSTRAP with KAFKA_PLC_KAFKA_HOME's
 *    jars (the real-Kafka tests and `kafka-plc roll --local --kafka-bootstrap`);
 *  - `assume-healthy`: a clearly labelled stand-in reporting a healthy cluster, for an AWS emulator where
 *    no broker runs (`--assume-healthy`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { commandComment, scriptHash, tail } from '../domain/commands';
import {
  type ElectionOutcome,
  type HealthScriptOptions,
  renderElectionScript,
  renderHealthScript,
  splitHealthOutput,
} from '../domain/health-script';
import { replicationDefaults } from '../domain/kafka-config';
import { healthSnapshotFromToolOutput } from '../domain/kafka-tool-output';
import type { Plan } from '../domain/plan';
import type { HealthSnapshot } from '../domain/roll';
import { BrokerNotHealthyError, ConfigurationError } from '../errors';
import { moduleLogger } from '../logger';
import { awaitInvocation, sendToClusterInstance } from './run-command';

const log = moduleLogger('health');
const run = promisify(execFile);
/** SSM keeps at most this much of a command's standard output in GetCommandInvocation. */
export const SSM_OUTPUT_LIMIT = 24_000;
const LOCAL_TOOLS_TIMEOUT_MS = 120_000;

export type HealthSource = 'ssm' | 'local' | 'assume-healthy';

export function healthSource(): HealthSource {
  const value = process.env.KAFKA_PLC_HEALTH_SOURCE ?? 'ssm';
  if (value === 'ssm' || value === 'local' || value === 'assume-healthy') return value;
  throw new ConfigurationError(`KAFKA_PLC_HEALTH_SOURCE must be ssm, local or assume-healthy (got ${value})`);
}

export interface HealthReading {
  snapshot: HealthSnapshot;
  source: HealthSource;
  /** A read with `elect`: what its preferred-leader election did (undefined from the stand-in). */
  election?: ElectionOutcome;
}

function readingOf(plan: Plan, text: string, source: HealthSource): HealthReading {
  const outputs = splitHealthOutput(text);
  if (outputs.missing.length > 0) {
    throw new BrokerNotHealthyError(`health output lacks ${outputs.missing.join(', ')}:\n${tail(text)}`);
  }
  const summary = outputs.topicsSummary;
  if (!summary) throw new BrokerNotHealthyError(`health output lacks the topics counts:\n${tail(text)}`);
  const coReplicas = outputs.coReplicas;
  if (!coReplicas)
    throw new BrokerNotHealthyError(`health output has an unreadable co-replicas section:\n${tail(text)}`);
  const snapshot = healthSnapshotFromToolOutput(outputs, {
    brokerMinInsyncReplicas: replicationDefaults(plan.brokers.length).minInsyncReplicas,
    allowNoTopics: true,
    filtered: { omittedPartitions: summary.omitted, coReplicas },
  });
  return { snapshot, source, ...(outputs.election ? { election: outputs.election } : {}) };
}

/** The stand-in: every planned broker registered, broker 1 leading a caught-up quorum, no partitions. */
export function assumedHealthy(plan: Plan): HealthSnapshot {
  const now = Date.now();
  return {
    registeredBrokers: plan.brokers.map((b) => b.nodeId),
    activeControllerId: plan.kafka.voterNodeIds[0] ?? null,
    voters: plan.kafka.voterNodeIds.map((nodeId) => ({
      nodeId,
      logEndOffset: 100,
      lag: 0,
      lastFetchTimestamp: now,
      lastCaughtUpTimestamp: now,
    })),
    partitions: [],
    topicMinInsyncReplicas: {},
    brokerMinInsyncReplicas: replicationDefaults(plan.brokers.length).minInsyncReplicas,
  };
}

/**
 * How long one health read may take over SSM, across every broker it tries: well inside the 180 s timeout of
 * the Lambdas that read (CanRollNow, CheckBrokerHealthy; a stack test keeps the two consistent), so a poll
 * never outlives its Lambda. Each command's executionTimeout is what is left of it.
 */
export const HEALTH_READ_BUDGET_MS = 140_000;
/** GetCommandInvocation polls: 250 ms, doubling to 1 s (the tools take seconds: an answer is seen within a second). */
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 1000;
const MIN_COMMAND_SECONDS = 30;
/** The election is one tool (about a second): polled every 0.5 s at most, as the next batch waits on it. */
const ELECTION_POLL_MAX_MS = 500;

async function viaSsm(
  plan: Plan,
  brokers: { nodeId: number; instanceId: string }[],
  last: readonly number[],
  options: HealthScriptOptions,
): Promise<string> {
  const script = renderHealthScript(plan, undefined, options);
  const candidates = outsideFirst(brokers, last);
  const budgetEnd = Date.now() + HEALTH_READ_BUDGET_MS;
  const failures: string[] = [];
  for (const broker of candidates) {
    const left = Math.floor((budgetEnd - Date.now()) / 1000);
    if (left < MIN_COMMAND_SECONDS) {
      failures.push(
        `b${broker.nodeId}: not tried, ${left} s of the ${HEALTH_READ_BUDGET_MS / 1000} s budget left`,
      );
      break;
    }
    const commandId = await sendToClusterInstance(plan.region, plan.clusterName, {
      instanceId: broker.instanceId,
      script,
      comment: commandComment('health', plan.clusterName, broker.nodeId, scriptHash(script)),
      timeoutSeconds: left,
    });
    const invocation = await awaitInvocation(plan.region, commandId, broker.instanceId, {
      deadline: Date.now() + left * 1000,
      firstPauseMs: POLL_FIRST_MS,
      maxPauseMs: POLL_MAX_MS,
    });
    if (invocation.stdout.length >= SSM_OUTPUT_LIMIT) {
      // Truncated output could hide a partition at min ISR: never decide on it.
      throw new BrokerNotHealthyError(
        `health output from b${broker.nodeId} exceeds what SSM returns (${SSM_OUTPUT_LIMIT} characters)`,
      );
    }
    if (invocation.stdout.includes('### kafka-plc section end')) return invocation.stdout;
    failures.push(
      `b${broker.nodeId}: ${invocation.status} ${tail(invocation.stderr || invocation.stdout, 3)}`,
    );
  }
  throw new BrokerNotHealthyError(`no broker could read the cluster health: ${failures.join('; ')}`);
}

/** Where the local tools connect (health source `local`). */
function localBootstrap(): string {
  const bootstrap = process.env.KAFKA_PLC_HEALTH_BOOTSTRAP;
  if (!bootstrap)
    throw new ConfigurationError('KAFKA_PLC_HEALTH_BOOTSTRAP is not set (host:port of a broker)');
  return bootstrap;
}

/** The brokers to run a tool on, those not in `last` (being restarted) first. */
function outsideFirst<B extends { nodeId: number }>(brokers: readonly B[], last: readonly number[]): B[] {
  return [
    ...brokers.filter((b) => !last.includes(b.nodeId)),
    ...brokers.filter((b) => last.includes(b.nodeId)),
  ];
}

async function viaLocalTools(plan: Plan, options: HealthScriptOptions): Promise<string> {
  const bootstrap = localBootstrap();
  try {
    const { stdout } = await run('bash', ['-c', renderHealthScript(plan, bootstrap, options)], {
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: LOCAL_TOOLS_TIMEOUT_MS,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; message: string };
    if (e.stdout?.includes('### kafka-plc section end')) return e.stdout;
    throw new BrokerNotHealthyError(`health script failed: ${e.message}`, { cause: error });
  }
}

/**
 * Reads the cluster's health; `last` are the brokers preferably not used to run the tools (being rolled).
 * With `elect` the same command then elects the preferred leaders when every partition is fully in sync.
 */
export async function readHealth(
  plan: Plan,
  brokers: { nodeId: number; instanceId: string }[],
  last: readonly number[] = [],
  options: HealthScriptOptions = {},
): Promise<HealthReading> {
  const source = healthSource();
  if (source === 'assume-healthy') {
    log.warn('stand-in health: reporting a healthy cluster without asking Kafka (--assume-healthy)');
    return { snapshot: assumedHealthy(plan), source };
  }
  const text =
    source === 'local' ? await viaLocalTools(plan, options) : await viaSsm(plan, brokers, last, options);
  return readingOf(plan, text, source);
}

/**
 * How long CheckBrokerHealthy waits for the election's command after its health read (HEALTH_READ_BUDGET_MS):
 * the Lambda's timeout covers both (a stack test keeps them consistent).
 */
export const ELECTION_BUDGET_MS = 30_000;

/**
 * A roll's preferred-leader election on its own command (health-script.ts renderElectionScript), for when
 * the health read that saw the batch caught up did not elect (its `elect` runs only once every partition is
 * fully in sync, which a read can see a moment after the batch's brokers are back). Run where the health is
 * read: through SSM on a broker outside the batch, or here with the local tools. Waited for (up to
 * ELECTION_BUDGET_MS) before the next batch restarts: an election still running then would hand leadership to
 * brokers that are shutting down, whose controlled shutdown then moves it away again (and on one host its JVM
 * competes with theirs). The next batch is still decided on the health read before it: leadership is not what a
 * batch is decided on, the ISR and the quorum are. An election that fails (a preferred replica out of the ISR
 * again) or does not answer in time leaves leaders where they are, as Kafka's auto.leader.rebalance.enable would
 * later: logged, never raised. The stand-in health source elects nothing.
 */
export async function electPreferredLeaders(
  plan: Plan,
  brokers: readonly { nodeId: number; instanceId: string }[],
  restarted: readonly number[],
): Promise<void> {
  const source = healthSource();
  if (source === 'assume-healthy') return;
  try {
    if (source === 'local') {
      await run('bash', ['-c', renderElectionScript(plan, localBootstrap())], {
        env: process.env,
        timeout: LOCAL_TOOLS_TIMEOUT_MS,
      });
      log.info('preferred leaders elected', { after: restarted });
      return;
    }
    const [broker] = outsideFirst(brokers, restarted);
    if (!broker) return;
    const script = renderElectionScript(plan);
    const commandId = await sendToClusterInstance(plan.region, plan.clusterName, {
      instanceId: broker.instanceId,
      script,
      comment: commandComment('elect', plan.clusterName, broker.nodeId, scriptHash(script)),
      timeoutSeconds: ELECTION_BUDGET_MS / 1000,
    });
    const invocation = await awaitInvocation(plan.region, commandId, broker.instanceId, {
      deadline: Date.now() + ELECTION_BUDGET_MS,
      firstPauseMs: POLL_FIRST_MS,
      maxPauseMs: ELECTION_POLL_MAX_MS,
    });
    if (invocation.status === 'Success')
      log.info('preferred leaders elected', { nodeId: broker.nodeId, commandId, after: restarted });
    else
      log.warn(
        'preferred-leader election did not succeed: leaders move back with auto.leader.rebalance.enable',
        {
          nodeId: broker.nodeId,
          commandId,
          status: invocation.status,
          output: tail(invocation.stderr || invocation.stdout, 3),
        },
      );
  } catch (error) {
    log.warn('no preferred-leader election; leaders move back with auto.leader.rebalance.enable', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
