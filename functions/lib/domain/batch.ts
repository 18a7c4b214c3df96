/**
 * Batch rolls (opt-in, roll.maxBatchSize > 1): which pending brokers may restart *together*, decided from one
 * health snapshot, per partition — never inferred from rack labels. A set B of pending brokers is admissible when
 *  B1 each broker of B may restart on its own now (`canRollNow`, rules R1–R4 of roll.ts);
 *  B2 no partition has more than one replica in B (the listed partitions, and for the fully replicated ones
 *     the health output leaves out, its co-replicas section: which brokers share a partition). Then for every
 *     partition with a replica in B whose replication factor exceeds its min.insync.replicas, its ISR minus B
 *     keeps at least min.insync.replicas members: that one replica passed R3 alone, and in a batch of two or
 *     more every broker hosting a replica is registered (R2 refuses every other broker while one is not), so
 *     R3's exception for an unregistered node cannot apply. R3 already leaves out the replicas a reassignment
 *     is removing (they leave the ISR), so this is (ISR − B − removing) ≥ min ISR. The property test checks
 *     this ISR condition by brute force, apart from this code;
 *  B3 at most one KRaft voter is in B (R4 checked the quorum without that one), and the active controller is
 *     never in a batch with another broker: it restarts alone, last (as in the one-at-a-time roll);
 *  B4 |B| ≤ maxBatchSize.
 * The batch is built greedily in the roll order (`orderForRoll`: unregistered first, the controller last),
 * rack by rack: first from the rack of the first admissible broker, then filled from the others while B2–B4 hold.
 * With a rack-aware assignment a whole rack (minus its second voter) is one batch; a topic with two replicas in
 * one rack splits that rack instead of breaking it. Greedy, so large rather than provably largest: what it
 * returns is always admissible (test/unit/domain/batch.property.test.ts re-checks every batch by brute force).
 */
import {
  canRollNow,
  type HealthSnapshot,
  minInsyncReplicas,
  orderForRoll,
  type PartitionState,
  pickNextToRoll,
  type RollOptions,
  replicationFactor,
} from './roll';

export interface BatchOptions extends RollOptions {
  /** The most brokers restarted together (roll.maxBatchSize); 1 is the one-at-a-time roll. */
  maxBatchSize: number;
  /** Each broker's rack (its AZ ID, from the plan): a batch prefers one rack. */
  rackOf?: Readonly<Record<number, string>>;
}

export type NextBatch =
  | { batch: number[]; warnings: string[] }
  | { batch: number[]; refusals: { nodeId: number; reason: string }[] };

const partitionName = (p: PartitionState) => `${p.topic}-${p.partition}`;

/** Why `node` may not join `batch` (B2, B3; each member passes B1 alone as well); undefined when it may. */
export function batchConflict(
  snapshot: HealthSnapshot,
  batch: readonly number[],
  node: number,
): string | undefined {
  if (batch.length === 0) return undefined;
  const controller = snapshot.activeControllerId;
  if (node === controller || (controller !== null && batch.includes(controller)))
    return `node ${controller} is the active controller: it restarts alone`;
  const voters = new Set(snapshot.voters.map((v) => v.nodeId));
  const voter = voters.has(node) ? batch.find((b) => voters.has(b)) : undefined;
  if (voter !== undefined) return `node ${node} and node ${voter} are both KRaft voters: one voter per batch`;
  for (const p of snapshot.partitions) {
    if (!p.replicas.includes(node)) continue;
    const other = batch.find((b) => p.replicas.includes(b));
    if (other !== undefined) return `node ${node} shares ${partitionName(p)} with node ${other}`;
  }
  // Fully replicated partitions the bounded health output does not list: their pairs of brokers.
  const peers = snapshot.coReplicas?.[node] ?? [];
  const peer = batch.find((b) => peers.includes(b));
  if (peer !== undefined) return `node ${node} shares a partition with node ${peer}`;
  return undefined;
}

/**
 * The next batch: the largest admissible set this greedy order finds (see above), or every refusal when no
 * pending broker may restart. maxBatchSize 1 is exactly `pickNextToRoll`.
 */
export function pickNextBatch(
  pending: readonly number[],
  snapshot: HealthSnapshot,
  options: BatchOptions,
): NextBatch {
  const first = pickNextToRoll(pending, snapshot, options);
  if (first.nodeId === null) return { batch: [], refusals: first.refusals };
  const batch = [first.nodeId];
  const warnings = [...first.warnings];
  const max = Math.max(1, Math.floor(options.maxBatchSize));
  if (max === 1 || first.nodeId === snapshot.activeControllerId) return { batch, warnings };
  const rack = options.rackOf?.[first.nodeId];
  const rest = orderForRoll(pending, snapshot).filter((id) => id !== first.nodeId);
  // The first node's rack first (stable: the roll order within each group), then the others.
  const candidates = [
    ...rest.filter((id) => rack !== undefined && options.rackOf?.[id] === rack),
    ...rest.filter((id) => rack === undefined || options.rackOf?.[id] !== rack),
  ];
  for (const node of candidates) {
    if (batch.length >= max) break;
    if (batchConflict(snapshot, batch, node) !== undefined) continue;
    const alone = canRollNow(snapshot, node, options);
    if (!alone.ok) continue;
    batch.push(node);
    warnings.push(...alone.warnings);
  }
  return { batch, warnings: [...new Set(warnings)] };
}

/** Partitions whose replication factor exceeds their min.insync.replicas: those a restart must keep available. */
function guardedPartitions(snapshot: HealthSnapshot): PartitionState[] {
  return snapshot.partitions.filter((p) => replicationFactor(p) > minInsyncReplicas(snapshot, p.topic));
}

/**
 * The guarded partitions already under min.insync.replicas or without a leader when a batch is picked (a batch
 * may be the remedy: the unregistered broker they wait for): mustStopRoll does not count them against it.
 */
export function unhealthyPartitions(snapshot: HealthSnapshot): string[] {
  return guardedPartitions(snapshot)
    .filter((p) => p.leader === null || p.isr.length < minInsyncReplicas(snapshot, p.topic))
    .map(partitionName);
}

/**
 * While a restarted batch catches up (CheckBrokerHealthy's reads before it has): what that batch cannot
 * explain, so the roll stops instead of waiting — nothing else restarts, the batch's brokers come back on their
 * own, a human looks. The batch was admissible (B1–B3) on the reading before it restarted, so without its
 * brokers every partition whose replication factor exceeds its min.insync.replicas keeps min ISR and a leader,
 * and the quorum keeps its leader unless a voter is in the batch. Hence a stop when
 *  - such a partition is under min.insync.replicas (acks=all producers are failing: another replica fell out);
 *  - such a partition has no leader (offline);
 *  - the quorum has no leader while no voter of the batch restarts (a leaderless reading while a voter restarts
 *    is that voter's election, waited out).
 * Partitions with a replication factor at or below min ISR are left out: R3 warned that they go under min ISR,
 * or offline, while a replica of theirs restarts. So are those already unhealthy when the batch was picked
 * (`unhealthyAtPick`, from unhealthyPartitions): restarting the broker they wait for is R3's remedy.
 */
export function mustStopRoll(
  snapshot: HealthSnapshot,
  restarting: readonly number[],
  unhealthyAtPick: readonly string[] = [],
): { ok: true } | { ok: false; reason: string } {
  const reasons: string[] = [];
  const before = new Set(unhealthyAtPick);
  const guarded = guardedPartitions(snapshot).filter((p) => !before.has(partitionName(p)));
  const underMin = guarded.filter((p) => p.isr.length < minInsyncReplicas(snapshot, p.topic));
  if (underMin.length > 0)
    reasons.push(
      `under min.insync.replicas: ${underMin.map((p) => `${partitionName(p)} (ISR ${p.isr.join(',') || 'empty'})`).join(', ')}`,
    );
  const offline = guarded.filter((p) => p.leader === null);
  if (offline.length > 0) reasons.push(`offline (no leader): ${offline.map(partitionName).join(', ')}`);
  const voters = new Set(snapshot.voters.map((v) => v.nodeId));
  if (snapshot.activeControllerId === null && !restarting.some((id) => voters.has(id)))
    reasons.push('the KRaft quorum has no leader, and no voter is restarting');
  return reasons.length > 0
    ? {
        ok: false,
        reason: `${reasons.join('; ')} — not what restarting ${restarting.map((id) => `b${id}`).join(', ')} does`,
      }
    : { ok: true };
}
