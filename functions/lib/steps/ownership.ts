/**
 * The stage that owns a cluster (domain/ownership.ts), as Parameter Store records it: checked by ValidateSpec
 * (provision, expose, teardown), claimed by the first step that creates or changes something (EnsureNetwork,
 * EnsureExistingNetwork: also in a roll), read by the trigger, the sweeps and the probe before they act, and by
 * the CLI to find the stack a command should use.
 */
import * as ssm from '../aws/ssm';
import { parameterEntriesUnder } from '../aws/teardown-ssm';
import { CLUSTER_TAG, ownerParameter } from '../domain/names';
import { ownedElsewhere } from '../domain/ownership';
import { ResourceConflictError, ResourceNotReadyError } from '../errors';

const OWNER = /^\/kafka-plc\/([a-z][a-z0-9-]{0,31})\/stage$/;

export async function clusterOwner(region: string, cluster: string): Promise<string | undefined> {
  return (await ssm.getParameter(region, ownerParameter(cluster)))?.value;
}

/** Each cluster's owning stage, from the parameters under /kafka-plc/ (names and values). */
export function ownersFrom(entries: readonly { name: string; value: string }[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const { name, value } of entries) {
    const cluster = OWNER.exec(name)?.[1];
    if (cluster) owners.set(cluster, value);
  }
  return owners;
}

/** Every parameter under /kafka-plc/ (one walk) and each cluster's owning stage among them. */
export async function clusterParameters(
  region: string,
): Promise<{ names: string[]; owners: Map<string, string> }> {
  const entries = await parameterEntriesUnder(region, '/kafka-plc/');
  return { names: entries.map((entry) => entry.name), owners: ownersFrom(entries) };
}

/** Refuses (ResourceConflictError) a cluster another stage owns; writes nothing (a teardown claims nothing). */
export async function refuseOtherStage(region: string, cluster: string, stage: string): Promise<void> {
  const owner = await clusterOwner(region, cluster);
  if (owner !== undefined && owner !== stage)
    throw new ResourceConflictError(ownedElsewhere(cluster, owner, stage));
}

/**
 * Claims `cluster` for `stage` unless a stage owns it already; a cluster another stage owns is refused
 * (ResourceConflictError, before anything is created). PutParameter without Overwrite makes the claim atomic:
 * of two stages claiming at once, one creates the parameter and the other reads it back and is refused.
 */
export async function claimCluster(
  region: string,
  cluster: string,
  stage: string,
): Promise<'claimed' | 'owned'> {
  const created = await ssm.createParameterIfAbsent(region, {
    name: ownerParameter(cluster),
    value: stage,
    description: `the kafka-plc stage whose stack owns cluster ${cluster}`,
    tags: { [CLUSTER_TAG]: cluster },
  });
  if (created) return 'claimed';
  const owner = await clusterOwner(region, cluster);
  // Gone between the two calls (a teardown's last step): the task's retry claims it again.
  if (owner === undefined)
    throw new ResourceNotReadyError(`${ownerParameter(cluster)} was removed while being claimed`);
  if (owner !== stage) throw new ResourceConflictError(ownedElsewhere(cluster, owner, stage));
  return 'owned';
}
