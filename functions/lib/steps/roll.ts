/**
 * The roll, one broker at a time or in batches (spec.roll.maxBatchSize; decisions in domain/roll.ts after
 * Strimzi's KafkaRoller, batches in domain/batch.ts), under the cluster's roll lock (steps/roll-lock.ts):
 * PrepareRoll finds the brokers whose running configuration (per the SSM command history, or the instance's
 * applied-config tag once that has expired) differs from the one rendered for the new unique name; CanRollNow
 * reads the cluster health and picks the next batch (unready first, active controller alone and last) or asks
 * to wait (bounded backoff); a Map over the batch runs, per broker, ReconfigureBroker, which sends the broker the
 * same script provisioning uses — for an existing cluster (spec.existing) the patch of its own
 * server.properties instead — (the command carries the config, so what each broker runs is auditable in the
 * command history); the script restarts Kafka through systemd (SIGTERM, a controlled shutdown) and never
 * deletes data; and CheckReconfigure, polled by its Task's Retry until the command ended. CheckBrokerHealthy is
 * then polled until every broker of the batch caught up.
 */
import * as instances from '../aws/ec2-instances';
import * as ssm from '../aws/ssm';
import { mustStopRoll, pickNextBatch, unhealthyPartitions } from '../domain/batch';
import { renderBrokerScript } from '../domain/broker-script';
import {
  brokerCommands,
  commandComment,
  commandFailedError,
  decideCommand,
  decideWithRecord,
  invocationOutcome,
  scriptHash,
} from '../domain/commands';
import { renderPatchScript } from '../domain/patch-script';
import { type Plan, type PlannedBroker, planCluster } from '../domain/plan';
import { type HealthSnapshot, isCaughtUp, nextRetry, rollRetryPolicy } from '../domain/roll';
import { ResourceConflictError, RollAbortedError } from '../errors';
import { moduleLogger } from '../logger';
import { type ClusterSpec, consumersOf } from '../spec';
import { recordAppliedConfig, recordedConfigs } from './applied-config';
import { readAppliedSpec, recordAppliedSpec } from './cluster-record';
import { secretVersionFor } from './consumer-secret';
import { electPreferredLeaders, readHealth } from './health';
import type { ReadyStatus } from './network';
import { sendToClusterInstance } from './run-command';

const log = moduleLogger('roll');

export interface RollBroker {
  nodeId: number;
  instanceId: string;
}

export interface RolledBroker {
  nodeId: number;
  oldAdvertisedListeners: string;
  newAdvertisedListeners: string;
  seconds: number;
  commandId: string;
}

export interface RollState {
  brokers: RollBroker[];
  pending: number[];
  done: RolledBroker[];
  previousUniqueName: string;
  /**
   * An existing cluster's listeners of consumers taken out of the spec since it was last applied (from the
   * applied spec): each broker's patch removes them. Fixed for the whole roll, so every script hash agrees.
   */
  retiredListeners: string[];
}

function brokerOf(plan: Plan, nodeId: number) {
  const broker = plan.brokers.find((b) => b.nodeId === nodeId);
  if (!broker) throw new RollAbortedError(`broker ${nodeId} is not in the plan`);
  return broker;
}

function instanceOf(state: { brokers: RollBroker[] }, nodeId: number): string {
  const instanceId = state.brokers.find((b) => b.nodeId === nodeId)?.instanceId;
  if (!instanceId) throw new RollAbortedError(`broker ${nodeId} has no instance`);
  return instanceId;
}

// ── Existing clusters (spec.existing) ─────────────────────────────────────────────────────────────────
// Their brokers are the instances the spec names (not found by our tags), and what a broker runs is a
// patch of its own server.properties (patch-script.ts), not our full render. Everything else is the same.

/** Node ID → instance ID of the brokers to roll. */
async function brokerInstances(spec: ClusterSpec, plan: Plan): Promise<Map<number, string>> {
  if (spec.existing) return new Map(spec.existing.brokers.map((b) => [b.nodeId, b.instanceId]));
  const found = await instances.clusterInstances(plan.region, plan.clusterName);
  return new Map(
    plan.brokers.flatMap((b) => {
      const instance = found.find((i) => i.tags['kafka-plc:role'] === `broker-${b.nodeId}`);
      return instance ? [[b.nodeId, instance.instanceId] as const] : [];
    }),
  );
}

/** The script a broker runs: the full render for brokers kafka-plc built, the patch for existing ones. */
function configScript(
  spec: ClusterSpec,
  plan: Plan,
  broker: PlannedBroker,
  instanceId: string,
  secretVersion: string | undefined,
  retiredListeners: readonly string[],
): string {
  if (!spec.existing) return renderBrokerScript(plan, broker, secretVersion);
  const existing = spec.existing.brokers.find((b) => b.nodeId === broker.nodeId);
  if (!existing) throw new RollAbortedError(`broker ${broker.nodeId} is not in spec.existing`);
  return renderPatchScript(plan, broker, { ...existing, instanceId }, retiredListeners);
}

/** The listeners kafka-plc added to an existing cluster (per its applied spec) that the spec no longer has. */
export async function retiredListenersOf(spec: ClusterSpec): Promise<string[]> {
  if (!spec.existing) return [];
  const applied = await readAppliedSpec(spec.region, spec.clusterName);
  if (!applied) return [];
  const current = new Set(consumersOf(spec).map((c) => c.listenerName));
  return consumersOf(applied)
    .map((c) => c.listenerName)
    .filter((name) => !current.has(name));
}
// ─────────────────────────────────────────────────────────────────────────────────────────────────────

export async function prepareRoll(spec: ClusterSpec, previousUniqueName: string): Promise<RollState> {
  const plan = planCluster(spec);
  const found = await brokerInstances(spec, plan);
  const recorded = await recordedConfigs(plan.region, [...found.values()]);
  const secretVersion = await secretVersionFor(spec);
  const retiredListeners = await retiredListenersOf(spec);
  const brokers: RollBroker[] = [];
  const pending: number[] = [];
  for (const broker of plan.brokers) {
    const instanceId = found.get(broker.nodeId);
    if (!instanceId)
      throw new ResourceConflictError(
        `broker ${broker.nodeId} of ${plan.clusterName} has no instance: provision first`,
      );
    brokers.push({ nodeId: broker.nodeId, instanceId });
    const history = brokerCommands(
      await ssm.commandsFor(plan.region, instanceId),
      plan.clusterName,
      broker.nodeId,
    );
    const hash = scriptHash(configScript(spec, plan, broker, instanceId, secretVersion, retiredListeners));
    const decision = decideWithRecord(history, hash, recorded.get(instanceId));
    if (decision.action !== 'skip' && decision.action !== 'recorded') pending.push(broker.nodeId);
    // A command that succeeded unobserved (its roll stopped before the check) is recorded now, while the
    // history still has it.
    if (decision.action === 'skip' && recorded.get(instanceId) !== hash)
      await recordAppliedConfig(plan.region, instanceId, hash);
  }
  log.info('roll prepared', { pending, uniqueName: spec.uniqueName, previousUniqueName, retiredListeners });
  return { brokers, pending, done: [], previousUniqueName, retiredListeners };
}

export type RollPick =
  | { action: 'done'; attempt: number }
  | {
      action: 'roll';
      nodeIds: number[];
      warnings: string[];
      attempt: number;
      /** Partitions already under min ISR or leaderless at this pick (mustStopRoll leaves them out). */
      unhealthy: string[];
    }
  | { action: 'wait'; waitSeconds: number; reason: string; attempt: number };

/** The most brokers restarted together (spec.roll.maxBatchSize; 1, one at a time, unless the spec says). */
export function maxBatchSizeOf(spec: ClusterSpec): number {
  return spec.roll?.maxBatchSize ?? 1;
}

/**
 * The next batch (or a bounded wait, or done) decided on one health snapshot: `pickNextBatch`, each broker's
 * rack its AZ ID. With maxBatchSize 1 the batch is the one broker `pickNextToRoll` picks.
 */
function pickFrom(
  spec: ClusterSpec,
  plan: Plan,
  pending: number[],
  snapshot: HealthSnapshot,
  attempt: number,
): RollPick {
  if (pending.length === 0) return { action: 'done', attempt };
  const next = pickNextBatch(pending, snapshot, {
    brokerIds: plan.brokers.map((b) => b.nodeId),
    maxBatchSize: maxBatchSizeOf(spec),
    rackOf: Object.fromEntries(plan.brokers.map((b) => [b.nodeId, b.azId])),
  });
  if (next.batch.length > 0) {
    const warnings = 'warnings' in next ? next.warnings : [];
    log.info('brokers may restart now', { nodeIds: next.batch, warnings });
    return {
      action: 'roll',
      nodeIds: next.batch,
      warnings,
      attempt: 0,
      unhealthy: unhealthyPartitions(snapshot),
    };
  }
  const reason = 'refusals' in next ? next.refusals.map((r) => r.reason).join('; ') : '';
  // The refusal backoff: DEFAULT_ROLL_RETRY unless the deployment sets ROLL_RETRY_* (validated here).
  const retry = nextRetry(attempt + 1, rollRetryPolicy(process.env));
  if (!retry.retry) throw new RollAbortedError(`no broker could restart safely (${retry.reason}): ${reason}`);
  log.warn('no broker may restart now; waiting', {
    reason,
    waitSeconds: retry.waitSeconds,
    attempt: attempt + 1,
  });
  return { action: 'wait', waitSeconds: retry.waitSeconds, reason, attempt: attempt + 1 };
}

export async function canRollNow(spec: ClusterSpec, state: RollState, attempt: number): Promise<RollPick> {
  if (state.pending.length === 0) return { action: 'done', attempt };
  const plan = planCluster(spec);
  const { snapshot, source } = await readHealth(plan, state.brokers);
  log.info('health read', { source });
  return pickFrom(spec, plan, state.pending, snapshot, attempt);
}

export interface RollCommand {
  nodeId: number;
  instanceId: string;
  commandId: string;
  /** The configuration's scriptHash, recorded on the instance once the command succeeded. */
  hash: string;
  startedAt: number;
}

export async function reconfigureBroker(
  spec: ClusterSpec,
  state: RollState,
  nodeId: number,
): Promise<RollCommand> {
  const plan = planCluster(spec);
  const broker = brokerOf(plan, nodeId);
  const instanceId = instanceOf(state, nodeId);
  const script = configScript(
    spec,
    plan,
    broker,
    instanceId,
    await secretVersionFor(spec),
    state.retiredListeners,
  );
  const hash = scriptHash(script);
  const history = brokerCommands(await ssm.commandsFor(plan.region, instanceId), plan.clusterName, nodeId);
  const decision = decideCommand(history, hash);
  const startedAt = Date.now();
  if (decision.action !== 'send')
    return { nodeId, instanceId, commandId: decision.commandId, hash, startedAt };
  const commandId = await sendToClusterInstance(plan.region, plan.clusterName, {
    instanceId,
    script,
    comment: commandComment('roll', plan.clusterName, nodeId, hash),
    timeoutSeconds: 1200,
  });
  log.info('sent roll command', {
    nodeId,
    instanceId,
    commandId,
    advertisedListeners: broker.advertisedListeners,
  });
  return { nodeId, instanceId, commandId, hash, startedAt };
}

export async function brokerReconfigured(spec: ClusterSpec, command: RollCommand): Promise<ReadyStatus> {
  const invocation = await ssm.commandInvocation(spec.region, command.commandId, command.instanceId);
  const outcome = invocationOutcome(invocation.status);
  if (outcome === 'failed') {
    throw commandFailedError('roll', command, invocation);
  }
  // What the broker runs now outlives the command history (applied-config.ts).
  if (outcome === 'success') await recordAppliedConfig(spec.region, command.instanceId, command.hash);
  return {
    ready: outcome === 'success',
    detail: `broker ${command.nodeId} reconfigure ${invocation.status}`,
  };
}

export interface HealthyResult extends ReadyStatus {
  pending?: number[];
  done?: RolledBroker[];
  /** The next pick, decided on the same reading that showed this batch caught up (no second read). */
  next?: RollPick;
}

/**
 * Ready when every broker of the restarted batch is caught up (each back in the metadata and in the ISR of all
 * its partitions, no partition under-replicated or leaderless, a voter caught up with the quorum leader); then
 * they move from pending to done, and the next batch is picked from that same snapshot — the newest reading
 * there is — instead of reading the health again.
 */
export async function batchHealthy(
  spec: ClusterSpec,
  state: RollState,
  commands: readonly RollCommand[],
  unhealthyAtPick: readonly string[] = [],
): Promise<HealthyResult> {
  const plan = planCluster(spec);
  const restarted = commands.map((c) => c.nodeId);
  // The read also elects the preferred leaders once every partition is in sync (no second command).
  const { snapshot, election } = await readHealth(plan, state.brokers, restarted, { elect: true });
  const waiting = restarted.map((id) => isCaughtUp(snapshot, id)).flatMap((c) => (c.ok ? [] : [c.reason]));
  if (waiting.length > 0) {
    // What the batch cannot explain stops the roll now rather than after the wait's bound.
    const stop = mustStopRoll(snapshot, restarted, unhealthyAtPick);
    if (!stop.ok) {
      const names = restarted.map((id) => `b${id}`).join(', ');
      const own = restarted.length > 1 ? 'come back on their own' : 'comes back on its own';
      throw new RollAbortedError(
        `roll stopped: ${stop.reason}. Nothing else is restarted; ${names} ${own}. ` +
          'Find the cause (kafka-plc status), then start the roll again: brokers already rolled are skipped',
      );
    }
    return { ready: false, detail: waiting.join('; ') };
  }
  const previous = planCluster({ ...spec, uniqueName: state.previousUniqueName });
  const rolled = commands.map(
    (command): RolledBroker => ({
      nodeId: command.nodeId,
      oldAdvertisedListeners: brokerOf(previous, command.nodeId).advertisedListeners,
      newAdvertisedListeners: brokerOf(plan, command.nodeId).advertisedListeners,
      seconds: Math.round((Date.now() - command.startedAt) / 100) / 10,
      commandId: command.commandId,
    }),
  );
  for (const broker of rolled) log.info('broker rolled and caught up', { ...broker });
  // The batch's controlled shutdown moved its leaders away (a whole AZ's, for a rack batch): ask for them back
  // (an election, waited for), in the read that saw it caught up or else on its own command, so that the roll
  // ends as it began, each partition led by its preferred replica, instead of leaving the moves back to
  // auto.leader.rebalance.enable minutes later, unobserved, possibly onto a broker about to be stopped.
  if (election?.elected) log.info('preferred leaders elected', { after: restarted });
  else if (election?.ran)
    log.warn(
      'preferred-leader election did not succeed: leaders move back with auto.leader.rebalance.enable',
      {
        after: restarted,
        output: election.detail,
      },
    );
  else await electPreferredLeaders(plan, state.brokers, restarted);
  const pending = state.pending.filter((id) => !restarted.includes(id));
  return {
    ready: true,
    detail: `broker${restarted.length > 1 ? 's' : ''} ${restarted.join(', ')} caught up`,
    pending,
    done: [...state.done, ...rolled],
    next: pickFrom(spec, plan, pending, snapshot, 0),
  };
}

export async function finishRoll(spec: ClusterSpec, state: RollState) {
  await recordAppliedSpec(spec);
  return {
    clusterName: spec.clusterName,
    uniqueName: spec.uniqueName,
    previousUniqueName: state.previousUniqueName,
    brokers: state.done,
  };
}
