/**
 * Which stage acts on a cluster. Cluster names are one namespace per account and region (the cluster tag, the
 * parameter path), while every stage deploys its own state machines, tables, trigger, sweeps and probe: the
 * first provision or expose records its stage at /kafka-plc/<cluster>/stage, and from then on only that
 * stage's stack changes the cluster. The others leave it: two stages' rolls would hold two different locks,
 * and two accept sweeps would judge one service by two stages' windows and policies.
 */
import { ownerParameter } from './names';

export type OwnerDecision = { ok: true } | { ok: false; reason: string };

/** May `stage` act on `cluster`, whose recorded owner is `owner` (undefined: none recorded)? */
export function ownedHere(cluster: string, owner: string | undefined, stage: string): OwnerDecision {
  if (owner === stage) return { ok: true };
  if (owner === undefined) return { ok: false, reason: unowned(cluster, stage) };
  return { ok: false, reason: `cluster ${cluster} belongs to stage ${owner}, not ${stage}` };
}

/** Why nothing event-driven acts on a cluster no stage owns, and how `stage` claims it. */
export function unowned(cluster: string, stage: string): string {
  return (
    `no stage owns cluster ${cluster} (${ownerParameter(cluster)} is absent: provisioned before stages were ` +
    `recorded): run "kafka-plc provision --spec <file> --stage ${stage}" once to claim it`
  );
}

/** Why a stage may not claim a cluster another stage owns, and what to do instead. */
export function ownedElsewhere(cluster: string, owner: string, stage: string): string {
  return (
    `cluster ${cluster} belongs to stage ${owner} (${ownerParameter(cluster)}); this is stage ${stage}'s stack. ` +
    `Run it with --stage ${owner} (the stack kafka-plc-${owner}), or tear it down there before another stage provisions it`
  );
}
