/**
 * The roll lock (domain/roll-lock.ts) as the roll state machine uses it: AcquireRollLock first (acquired,
 * wait — the state machine waits and asks again — or superseded by a newer write of the unique name), and
 * ReleaseRollLock when the roll ends, succeeded or failed.
 */
import * as locks from '../aws/roll-locks';
import * as sfn from '../aws/sfn';
import * as ssm from '../aws/ssm';
import { uniqueNameParameter } from '../domain/names';
import { type LockItem, lockStep, lockWaitPolicy, supersededBy } from '../domain/roll-lock';
import { requireEnv } from '../env';
import { RollInProgressError } from '../errors';
import { moduleLogger } from '../logger';
import type { ClusterSpec } from '../spec';

const log = moduleLogger('roll-lock');

export type LockOutcome =
  | { status: 'acquired'; attempt: number; tookOverFrom?: string }
  | { status: 'wait'; attempt: number; waitSeconds: number; reason: string }
  | { status: 'superseded'; attempt: number; reason: string };

export interface AcquireInput {
  spec: ClusterSpec;
  /** This execution ($$.Execution.Id) and its start ($$.Execution.StartTime). */
  execution: string;
  startedAt: string;
  /** The unique-name parameter version the roll was started for (trigger and sweep; absent for the CLI). */
  parameterVersion?: number;
  /** Waits so far. */
  attempt: number;
}

const table = () => requireEnv('ROLL_LOCK_TABLE');

export async function acquireRollLock(input: AcquireInput): Promise<LockOutcome> {
  const { spec, execution: me, attempt } = input;
  const policy = lockWaitPolicy(process.env);
  // A retried acquire (its first attempt took the lock) goes on: ending "superseded" now would end the
  // execution that holds the lock.
  let held = await locks.readLock(spec.region, table(), spec.clusterName);
  if (held?.holder === me) return { status: 'acquired', attempt };
  const current =
    input.parameterVersion === undefined
      ? undefined
      : await ssm.getParameter(spec.region, uniqueNameParameter(spec.clusterName));
  const newer = supersededBy(input.parameterVersion, current?.version);
  if (newer !== undefined) {
    const reason = `the unique name was written again (version ${newer} after ${input.parameterVersion}): the roll for that write applies it`;
    log.info('roll superseded', { cluster: spec.clusterName, reason });
    return { status: 'superseded', attempt, reason };
  }
  const mine: LockItem = {
    cluster: spec.clusterName,
    holder: me,
    holderStartedAt: Date.parse(input.startedAt),
    uniqueName: spec.uniqueName,
  };
  let reason = '';
  // Each lost conditional write means another execution moved first: look again (twice at most).
  for (let look = 0; look < 3; look += 1) {
    if (look > 0) held = await locks.readLock(spec.region, table(), spec.clusterName);
    const holderStatus =
      held && held.holder !== me ? await sfn.executionStatus(spec.region, held.holder) : undefined;
    const step = lockStep(held, me, holderStatus, Date.now());
    if (step.action === 'held') return { status: 'acquired', attempt };
    if (step.action === 'create' && (await locks.createLock(spec.region, table(), mine))) {
      log.info('roll lock taken', { cluster: spec.clusterName, execution: me });
      return { status: 'acquired', attempt };
    }
    if (step.action === 'take-over' && (await locks.replaceLock(spec.region, table(), mine, step.stale))) {
      log.warn('roll lock taken over', { cluster: spec.clusterName, execution: me, reason: step.reason });
      return { status: 'acquired', attempt, tookOverFrom: step.stale };
    }
    if (step.action === 'wait') {
      reason = step.reason;
      break;
    }
    reason = 'another execution took the lock first';
  }
  if (attempt + 1 > policy.maxWaits) {
    throw new RollInProgressError(
      `${reason}; gave up after ${policy.maxWaits} waits of ${policy.waitSeconds}s. Nothing was rolled: start the roll again when that one has ended`,
    );
  }
  log.info('roll lock held elsewhere; waiting', { cluster: spec.clusterName, reason, attempt: attempt + 1 });
  return { status: 'wait', attempt: attempt + 1, waitSeconds: policy.waitSeconds, reason };
}

/** Gives the lock back if this execution holds it (a failed acquire holds nothing: a no-op). */
export async function releaseRollLock(spec: ClusterSpec, execution: string): Promise<{ released: boolean }> {
  const released = await locks.deleteLock(spec.region, table(), spec.clusterName, execution);
  log.info(released ? 'roll lock released' : 'roll lock not held by this execution', {
    cluster: spec.clusterName,
    execution,
  });
  return { released };
}
