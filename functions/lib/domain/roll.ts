/**
 * The safe broker roll, modeled on Strimzi's KafkaRoller (strimzi-kafka-operator, cluster-operator/.../
 * resource/KafkaRoller.java): *should* a node restart, *can* it restart now, *do* it and await health are
 * kept apart. This file holds only the decisions; each step is a state of the roll state machine.
 *
 * 1. ShouldRoll: per broker, running server.properties vs the plan's render (`shouldRoll`). In KRaft
 *    advertised.listeners is read-only (KAFKA-18403), so any change needs a restart. Unchanged → done.
 * 2. ReadHealth: run the Kafka tools and parse them into a HealthSnapshot (kafka-tool-output.ts). Output
 *    that does not parse is fatal (KafkaToolOutputError), never an empty, healthy cluster.
 * 3. PickNext (`pickNextToRoll`): order the pending nodes with `orderForRoll` (unregistered first, then by
 *    node id, the active controller last; recomputed on every pass, so a new controller is still last) and
 *    take the first one `canRollNow` allows. The active controller is taken only when no other node is
 *    pending. Strimzi: "order the nodes unready first"; "if the pod is the controller and there are still
 *    pods to be maybe-rolled, reschedule it"; a refused pod is requeued and the next one is tried.
 * 4. None allowed → RollRefusedError: wait `nextRetry(attempt)` seconds and go to 2; attempts exhausted →
 *    RollAbortedError. Nothing is forced (Strimzi may force on the last attempt; we stop for a human).
 * 5. Restart the chosen node: controlled shutdown (systemd stop → SIGTERM), then start. (act: not here)
 * 6. WaitForBrokerHealthy: read health again until `isCaughtUp`; BrokerNotHealthyError is retried within its
 *    own bound, then RollAbortedError. The waiter must also see that the process really restarted: right
 *    after a fast restart an old snapshot can still look healthy.
 * 7. Go to 2 until no node is pending.
 *
 * canRollNow rules (all evaluated; every refusal is reported):
 *  R1 The quorum has an active controller (Strimzi KafkaQuorumCheck: leader id < 0 → cannot roll); without
 *     one a restarted broker cannot register.
 *  R2 Every *other* broker of the cluster (options.brokerIds and every replica host) is registered: the roll
 *     takes one broker away at a time. The node being rolled may be unregistered: restarting it is the
 *     remedy (Strimzi rolls unready nodes first), so that is a warning.
 *  R3 Partitions hosted by the node (Strimzi rolling/Availability.wouldBeUnderReplicated, from
 *     KafkaAvailability): RF ≤ min ISR → warning only, waiting could never help (Strimzi skips these; so
 *     RF == min ISR is skipped too, not only RF < min ISR); ISR == min ISR with the node in the ISR →
 *     refuse; ISR < min ISR → refuse (do not prolong the outage). Exception, ours: when the node itself is
 *     unregistered and either not in that ISR or the partition has no leader, its restart cannot lower
 *     availability and is the remedy → warning. (An unregistered node still in the ISR of a partition that
 *     has a leader is refused: "unregistered" may be a bad reading, e.g. a broker that did not answer.)
 *     RF = replicas minus replicas being added (TopicCommand.getReplicationFactor).
 *  R4 If the node is a KRaft voter (Strimzi KafkaQuorumCheck.isQuorumHealthyWithoutNode): count the other
 *     voters caught up with the leader (leader's lastCaughtUpTimestamp − theirs < controller.quorum.fetch.
 *     timeout.ms; -1 is never caught up); 1 voter → allowed with a warning; 2 → the other must be caught up
 *     (warning); ≥ 3 → more than half of all voters must be caught up without this node.
 */

import { ConfigurationError, RollAbortedError } from '../errors';
import { z } from '../zod';
import { parseProperties } from './kafka-config';

export interface PartitionState {
  topic: string;
  partition: number;
  /** null when the tool prints `Leader: none`. */
  leader: number | null;
  replicas: number[];
  isr: number[];
  /** Replicas a reassignment is adding; not counted in the replication factor. */
  addingReplicas?: number[];
  /** Replicas a reassignment is removing; not counted towards min.insync.replicas (they leave the ISR). */
  removingReplicas?: number[];
}

/** One row of `kafka-metadata-quorum describe --replication`; -1 timestamps are null. */
export interface QuorumReplicaState {
  nodeId: number;
  logEndOffset: number;
  lag: number;
  lastFetchTimestamp: number | null;
  lastCaughtUpTimestamp: number | null;
}

/**
 * What the roll decides on. Under-replicated partitions are derived from `partitions`
 * (`underReplicatedPartitions`) rather than stored, so the two can never disagree.
 */
export interface HealthSnapshot {
  /** Brokers in the metadata (registered, unfenced, answering). */
  registeredBrokers: number[];
  /** The KRaft quorum leader. */
  activeControllerId: number | null;
  voters: QuorumReplicaState[];
  partitions: PartitionState[];
  /** min.insync.replicas of topics that report one; others use brokerMinInsyncReplicas. */
  topicMinInsyncReplicas: Readonly<Record<string, number>>;
  brokerMinInsyncReplicas: number;
  /**
   * Partitions not fully replicated that the bounded health output left out (health-script.ts lists only
   * partitions whose ISR lacks a replica or that have no leader, up to a size): any → no restart, not caught up.
   */
  omittedPartitions?: number;
  /**
   * Which brokers share at least one partition (each broker's peers, both ways), over every partition, fully
   * replicated ones included: what a batch needs when `partitions` lists only the ones not fully replicated.
   */
  coReplicas?: Readonly<Record<number, readonly number[]>>;
}

export interface RollOptions {
  /** controller.quorum.fetch.timeout.ms of the cluster (Kafka's default 2000, as Strimzi). */
  quorumFetchTimeoutMs?: number;
  /** Optional extra bound: a voter more than this many offsets behind is not caught up. */
  quorumMaxLag?: number;
  /** The cluster's broker node IDs (from the plan); one missing blocks the roll of the others. */
  brokerIds?: readonly number[];
}

export type RollCheck = { ok: true; warnings: string[] } | { ok: false; reason: string };
export type HealthCheck = { ok: true } | { ok: false; reason: string };
export type ShouldRollResult =
  | { roll: true; reason: string; changedKeys: string[] }
  | { roll: false; reason: string };
export type NextToRoll =
  | { nodeId: number; warnings: string[] }
  | { nodeId: null; refusals: { nodeId: number; reason: string }[] };

export const DEFAULT_QUORUM_FETCH_TIMEOUT_MS = 2000;
const LISTED = 5;

/** `t-0, t-1, t-2 (+4 more)`: keeps reasons short on clusters with thousands of partitions. */
function list(items: readonly string[]): string {
  const head = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${head} (+${items.length - LISTED} more)` : head;
}

const name = (p: PartitionState) => `${p.topic}-${p.partition}`;

export function replicationFactor(p: PartitionState): number {
  const adding = p.addingReplicas ?? [];
  return p.replicas.filter((id) => !adding.includes(id)).length;
}

export function minInsyncReplicas(snapshot: HealthSnapshot, topic: string): number {
  return snapshot.topicMinInsyncReplicas[topic] ?? snapshot.brokerMinInsyncReplicas;
}

export function underReplicatedPartitions(snapshot: HealthSnapshot): PartitionState[] {
  return snapshot.partitions.filter((p) => p.isr.length < replicationFactor(p));
}

/** R3 for one node: refusals and warnings over the partitions it hosts. */
function partitionChecks(snapshot: HealthSnapshot, nodeId: number, registered: boolean) {
  const atMin: string[] = [];
  const underMin: string[] = [];
  const leaving: string[] = [];
  const remedied: string[] = [];
  const lowRf = new Map<string, string>();
  for (const p of snapshot.partitions) {
    if (!p.replicas.includes(nodeId)) continue;
    const minIsr = minInsyncReplicas(snapshot, p.topic);
    const rf = replicationFactor(p);
    const inIsr = p.isr.includes(nodeId);
    const remedy = !registered && (!inIsr || p.leader === null);
    // What stays in sync while the node is down: the ISR without it and without replicas being removed.
    const removing = p.removingReplicas ?? [];
    const staying = p.isr.filter((id) => !removing.includes(id));
    if (rf <= minIsr) lowRf.set(p.topic, `${p.topic} (RF ${rf}, min ISR ${minIsr})`);
    else if (staying.filter((id) => id !== nodeId).length >= minIsr) continue;
    else if (remedy) remedied.push(name(p));
    else if (staying.length < p.isr.length) leaving.push(name(p));
    else if (p.isr.length === minIsr) atMin.push(name(p));
    else underMin.push(name(p));
  }
  const refusals: string[] = [];
  const warnings: string[] = [];
  if (atMin.length > 0) {
    refusals.push(`ISR at min.insync.replicas with node ${nodeId} in it: ${list(atMin)}`);
  }
  if (underMin.length > 0) refusals.push(`already under min.insync.replicas: ${list(underMin)}`);
  if (leaving.length > 0) {
    refusals.push(
      `without node ${nodeId} and the replicas a reassignment is removing, the ISR is under min.insync.replicas: ${list(leaving)}`,
    );
  }
  if (remedied.length > 0) {
    warnings.push(
      `at or under min.insync.replicas, restarting unregistered node ${nodeId} is the remedy: ${list(remedied)}`,
    );
  }
  if (lowRf.size > 0) {
    warnings.push(`replication factor ≤ min.insync.replicas, not waited for: ${list([...lowRf.values()])}`);
  }
  return { refusals, warnings };
}

function voterCaughtUp(v: QuorumReplicaState, leader: QuorumReplicaState, options: RollOptions): boolean {
  const timeout = options.quorumFetchTimeoutMs ?? DEFAULT_QUORUM_FETCH_TIMEOUT_MS;
  if (v.lastCaughtUpTimestamp === null || leader.lastCaughtUpTimestamp === null) return false;
  if (v.nodeId !== leader.nodeId && leader.lastCaughtUpTimestamp - v.lastCaughtUpTimestamp >= timeout) {
    return false;
  }
  return options.quorumMaxLag === undefined || v.lag <= options.quorumMaxLag;
}

/** R4: is the quorum healthy without this voter? */
function quorumCheck(snapshot: HealthSnapshot, nodeId: number, options: RollOptions) {
  const { voters, activeControllerId } = snapshot;
  if (!voters.some((v) => v.nodeId === nodeId) || activeControllerId === null) return {};
  if (voters.length === 1) {
    return { warning: `node ${nodeId} is the only KRaft voter: metadata is unavailable while it restarts` };
  }
  const leader = voters.find((v) => v.nodeId === activeControllerId);
  if (!leader) return { refusal: `active controller ${activeControllerId} is not among the KRaft voters` };
  const others = voters.filter((v) => v.nodeId !== nodeId);
  const caughtUp = others.filter((v) => voterCaughtUp(v, leader, options)).map((v) => v.nodeId);
  const needed = voters.length === 2 ? 1 : Math.floor(voters.length / 2) + 1;
  if (caughtUp.length < needed) {
    const ids = others.map((v) => v.nodeId).join(',');
    return {
      refusal:
        `KRaft quorum: ${caughtUp.length} of the other voters [${ids}] caught up with leader ` +
        `${activeControllerId}, restarting voter ${nodeId} needs ${needed} of ${voters.length} voters`,
    };
  }
  return voters.length === 2 ? { warning: 'two KRaft voters: the quorum cannot lose either' } : {};
}

/** Can this node be restarted now without hurting availability? Side-effect free (rules R1–R4 above). */
export function canRollNow(snapshot: HealthSnapshot, nodeId: number, options: RollOptions = {}): RollCheck {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const registered = new Set(snapshot.registeredBrokers);
  const self = registered.has(nodeId);
  if (options.brokerIds && !options.brokerIds.includes(nodeId)) {
    refusals.push(`node ${nodeId} is not a broker of this cluster [${options.brokerIds.join(',')}]`);
  }
  if (snapshot.activeControllerId === null) {
    refusals.push('no active controller: a restarted broker could not register');
  }
  const expected = new Set([...(options.brokerIds ?? []), ...snapshot.partitions.flatMap((p) => p.replicas)]);
  const missing = [...expected].filter((id) => id !== nodeId && !registered.has(id)).sort((a, b) => a - b);
  if (missing.length > 0) {
    refusals.push(
      `broker(s) ${missing.join(',')} not registered: restarting ${nodeId} would take another away`,
    );
  }
  if (!self) warnings.push(`node ${nodeId} is not registered: restarting it is the remedy`);
  const partitions = partitionChecks(snapshot, nodeId, self);
  refusals.push(...partitions.refusals);
  const omitted = snapshot.omittedPartitions ?? 0;
  if (omitted > 0) {
    refusals.push(`${omitted} more partitions not fully replicated than the health output lists`);
  }
  warnings.push(...partitions.warnings);
  const quorum = quorumCheck(snapshot, nodeId, options);
  if (quorum.refusal) refusals.push(quorum.refusal);
  if (quorum.warning) warnings.push(quorum.warning);
  return refusals.length > 0
    ? { ok: false, reason: `cannot restart node ${nodeId} now: ${refusals.join('; ')}` }
    : { ok: true, warnings };
}

/** WaitForBrokerHealthy: back in the metadata, all its replicas in ISR, no partition under-replicated or leaderless. */
export function isCaughtUp(snapshot: HealthSnapshot, nodeId: number, options: RollOptions = {}): HealthCheck {
  const reasons: string[] = [];
  if (!snapshot.registeredBrokers.includes(nodeId)) reasons.push('not registered');
  if (snapshot.activeControllerId === null) reasons.push('no active controller');
  const outOfIsr = snapshot.partitions.filter((p) => p.replicas.includes(nodeId) && !p.isr.includes(nodeId));
  if (outOfIsr.length > 0) reasons.push(`not in the ISR of ${list(outOfIsr.map(name))}`);
  const urp = underReplicatedPartitions(snapshot);
  if (urp.length > 0) reasons.push(`under-replicated: ${list(urp.map(name))}`);
  const omitted = snapshot.omittedPartitions ?? 0;
  if (omitted > 0) reasons.push(`${omitted} more partitions not fully replicated (not listed)`);
  const leaderless = snapshot.partitions.filter((p) => p.leader === null);
  if (leaderless.length > 0) reasons.push(`without a leader: ${list(leaderless.map(name))}`);
  const self = snapshot.voters.find((v) => v.nodeId === nodeId);
  const leader = snapshot.voters.find((v) => v.nodeId === snapshot.activeControllerId);
  if (self && (!leader || !voterCaughtUp(self, leader, options))) {
    reasons.push('KRaft voter not caught up with the quorum leader');
  }
  return reasons.length > 0 ? { ok: false, reason: `node ${nodeId}: ${reasons.join('; ')}` } : { ok: true };
}

/** Unregistered nodes first, then registered ones by node id, the active controller last; duplicates dropped. */
export function orderForRoll(brokers: readonly number[], snapshot: HealthSnapshot): number[] {
  const registered = new Set(snapshot.registeredBrokers);
  const rank = (id: number) => (!registered.has(id) ? 0 : id === snapshot.activeControllerId ? 2 : 1);
  return [...new Set(brokers)].sort((a, b) => rank(a) - rank(b) || a - b);
}

/** Step 3: the first pending node that may restart now, or every refusal when none may. */
export function pickNextToRoll(
  pending: readonly number[],
  snapshot: HealthSnapshot,
  options: RollOptions = {},
): NextToRoll {
  const order = orderForRoll(pending, snapshot);
  const refusals: { nodeId: number; reason: string }[] = [];
  for (const nodeId of order) {
    const isController = nodeId === snapshot.activeControllerId;
    if (isController && snapshot.registeredBrokers.includes(nodeId) && order.length > 1) {
      refusals.push({ nodeId, reason: `node ${nodeId} is the active controller: rolled after the others` });
      continue;
    }
    const check = canRollNow(snapshot, nodeId, options);
    if (check.ok) return { nodeId, warnings: check.warnings };
    refusals.push({ nodeId, reason: check.reason });
  }
  return { nodeId: null, refusals };
}

/**
 * Step 1: compare the running server.properties with the plan's. Only key names are reported (values can
 * hold secrets), except advertised.listeners, the change this roll exists for.
 */
export function shouldRoll(broker: { nodeId: number }, current: string, desired: string): ShouldRollResult {
  const running = parseProperties(current);
  const planned = parseProperties(desired);
  if (planned.size === 0) throw new RangeError(`node ${broker.nodeId}: the planned configuration is empty`);
  const runningId = running.get('node.id');
  if (runningId !== undefined && runningId !== planned.get('node.id')) {
    throw new RollAbortedError(
      `node ${broker.nodeId}: the running configuration is of node.id=${runningId}, the plan's of ` +
        `node.id=${planned.get('node.id')}: refusing to compare configurations of different nodes`,
    );
  }
  const keys = [...new Set([...running.keys(), ...planned.keys()])].sort();
  const changedKeys = keys.filter((key) => running.get(key) !== planned.get(key));
  if (changedKeys.length === 0)
    return { roll: false, reason: `node ${broker.nodeId}: configuration unchanged` };
  const listeners = changedKeys.includes('advertised.listeners')
    ? ` (advertised.listeners ${running.get('advertised.listeners') ?? '(none)'} → ` +
      `${planned.get('advertised.listeners') ?? '(none)'})`
    : '';
  return {
    roll: true,
    reason: `node ${broker.nodeId}: ${changedKeys.length} key(s) changed: ${changedKeys.join(', ')}${listeners}`,
    changedKeys,
  };
}

export interface RetryPolicy {
  initialSeconds: number;
  multiplier: number;
  maxSeconds: number;
  /** Checks in all, the first included; after the last refusal the roll aborts. */
  maxAttempts: number;
}

export type RetryDecision = { retry: true; waitSeconds: number } | { retry: false; reason: string };

/** 15, 30, 60, 120, 240, 300, 300 … seconds: about 28 minutes over 10 checks. */
export const DEFAULT_ROLL_RETRY: RetryPolicy = {
  initialSeconds: 15,
  multiplier: 2,
  maxSeconds: 300,
  maxAttempts: 10,
};

function waitAfter(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxSeconds, Math.ceil(policy.initialSeconds * policy.multiplier ** (attempt - 1)));
}

/**
 * Bounded backoff after the `attempt`-th refusal (1-based), as Strimzi's BackOff (scale × base^n, bounded
 * attempts) plus a cap, so a Step Functions Wait state gets whole seconds.
 */
export function nextRetry(attempt: number, policy: RetryPolicy = DEFAULT_ROLL_RETRY): RetryDecision {
  const { initialSeconds, multiplier, maxSeconds, maxAttempts } = policy;
  if (!(initialSeconds > 0 && multiplier >= 1 && maxSeconds >= initialSeconds)) {
    throw new RangeError(
      'retry policy needs initialSeconds > 0, multiplier ≥ 1, maxSeconds ≥ initialSeconds',
    );
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be ≥ 1');
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be ≥ 1 (got ${attempt})`);
  if (attempt >= maxAttempts) {
    let waited = 0;
    for (let n = 1; n < maxAttempts; n += 1) waited += waitAfter(n, policy);
    return { retry: false, reason: `gave up after ${maxAttempts} attempts and ${waited}s of waiting` };
  }
  return { retry: true, waitSeconds: waitAfter(attempt, policy) };
}

const seconds = z.pipe(
  z.string().check(z.regex(/^\d+$/, 'a whole number of seconds')),
  z.transform((text) => Number(text)),
);
const retryEnv = z.object({
  ROLL_RETRY_INITIAL_SECONDS: z.optional(seconds),
  ROLL_RETRY_MAX_SECONDS: z.optional(seconds),
  ROLL_RETRY_MAX_ATTEMPTS: z.optional(seconds),
});

/**
 * The refusal backoff of a deployment: DEFAULT_ROLL_RETRY, with ROLL_RETRY_INITIAL_SECONDS,
 * ROLL_RETRY_MAX_SECONDS and ROLL_RETRY_MAX_ATTEMPTS overriding its parts (a larger cluster may need a longer
 * wait; a rehearsal a shorter one). A bad value is a ConfigurationError naming the variable and the value.
 */
export function rollRetryPolicy(env: Record<string, string | undefined>): RetryPolicy {
  const parsed = z.safeParse(retryEnv, env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    throw new ConfigurationError(
      `${key} must be a whole number of seconds (got ${JSON.stringify(env[key])})`,
    );
  }
  const policy: RetryPolicy = {
    initialSeconds: parsed.data.ROLL_RETRY_INITIAL_SECONDS ?? DEFAULT_ROLL_RETRY.initialSeconds,
    multiplier: DEFAULT_ROLL_RETRY.multiplier,
    maxSeconds: parsed.data.ROLL_RETRY_MAX_SECONDS ?? DEFAULT_ROLL_RETRY.maxSeconds,
    maxAttempts: parsed.data.ROLL_RETRY_MAX_ATTEMPTS ?? DEFAULT_ROLL_RETRY.maxAttempts,
  };
  try {
    nextRetry(1, policy);
  } catch (error) {
    throw new ConfigurationError(
      `ROLL_RETRY_* give an invalid policy ${JSON.stringify(policy)}: ${(error as Error).message}`,
    );
  }
  return policy;
}
