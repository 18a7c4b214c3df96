/**
 * One roll per cluster at a time, whoever starts it (the Parameter Store trigger, the reconcile sweep,
 * `kafka-plc roll` against the deployed machine): the roll state machine itself takes a per-cluster lock
 * before PrepareRoll and gives it back when it ends. The lock is one item per cluster name (exact key, no
 * prefix matching) in a DynamoDB table, written only with condition expressions, so two executions cannot
 * both take it ("Condition expressions", Amazon DynamoDB Developer Guide: a conditional PutItem/DeleteItem
 * succeeds only if its condition holds, else ConditionalCheckFailedException). An execution that finds the
 * lock held by a running roll waits (bounded) instead of failing: the name written during a roll is applied
 * after it.
 *
 * A holder that ended without giving the lock back (stopped, timed out) is stale: its lock is taken over
 * with a conditional write on that very holder, so of two executions taking over, one wins. A holder the
 * account cannot describe (ExecutionDoesNotExist: a local run) counts as running until the roll state
 * machine's TimeoutSeconds have passed since it started — no execution of it can run longer.
 */
import { ConfigurationError } from '../errors';
import { z } from '../zod';

/** The roll state machine's TimeoutSeconds (state-machine/roll-brokers.asl.json; a contract test checks). */
export const ROLL_TIMEOUT_SECONDS = 21_600;

export interface LockItem {
  cluster: string;
  /** The holding execution's ARN ($$.Execution.Id). */
  holder: string;
  /** When the holder started (epoch ms, $$.Execution.StartTime). */
  holderStartedAt: number;
  uniqueName: string;
}

/** DescribeExecution's status of the holder, or NOT_FOUND (ExecutionDoesNotExist). */
export type HolderStatus =
  | 'RUNNING'
  | 'PENDING_REDRIVE'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'NOT_FOUND'
  | string;

export type LockStep =
  | { action: 'create' }
  | { action: 'held' }
  | { action: 'take-over'; stale: string; reason: string }
  | { action: 'wait'; reason: string };

/** What to do about the lock, given the item read (consistently) and, for another holder, its status. */
export function lockStep(
  current: LockItem | undefined,
  me: string,
  holderStatus: HolderStatus | undefined,
  now: number,
): LockStep {
  if (!current) return { action: 'create' };
  if (current.holder === me) return { action: 'held' };
  const by = `a roll of ${current.cluster} to "${current.uniqueName}" (${current.holder})`;
  if (holderStatus === 'RUNNING' || holderStatus === 'PENDING_REDRIVE')
    return { action: 'wait', reason: `${by} is running` };
  if (holderStatus === 'NOT_FOUND' || holderStatus === undefined) {
    const ageSeconds = Math.floor((now - current.holderStartedAt) / 1000);
    if (ageSeconds < ROLL_TIMEOUT_SECONDS)
      return {
        action: 'wait',
        reason: `${by} cannot be described and started ${ageSeconds}s ago (< ${ROLL_TIMEOUT_SECONDS}s): it may be running`,
      };
    return {
      action: 'take-over',
      stale: current.holder,
      reason: `${by} started ${ageSeconds}s ago, beyond the roll's ${ROLL_TIMEOUT_SECONDS}s timeout`,
    };
  }
  return { action: 'take-over', stale: current.holder, reason: `${by} ended ${holderStatus}` };
}

/**
 * A roll started for one write of the unique-name parameter is superseded once the parameter has a newer
 * version: the execution started for that write (or the sweep) rolls to it instead.
 */
export function supersededBy(
  startedFor: number | undefined,
  current: number | undefined,
): number | undefined {
  if (startedFor === undefined || current === undefined) return undefined;
  return current > startedFor ? current : undefined;
}

export interface LockWaitPolicy {
  waitSeconds: number;
  maxWaits: number;
}

/** One minute between looks, for up to two hours (a third of the roll's timeout), unless ROLL_LOCK_* say. */
export const DEFAULT_LOCK_WAIT: LockWaitPolicy = { waitSeconds: 60, maxWaits: 120 };

const positiveWhole = z.pipe(
  z.string().check(z.regex(/^[1-9]\d*$/, 'a whole number ≥ 1')),
  z.transform((text) => Number(text)),
);
const lockEnv = z.object({
  ROLL_LOCK_WAIT_SECONDS: z.optional(positiveWhole),
  ROLL_LOCK_MAX_WAITS: z.optional(positiveWhole),
});

/** The deployment's lock wait (ROLL_LOCK_WAIT_SECONDS, ROLL_LOCK_MAX_WAITS); a bad value names itself. */
export function lockWaitPolicy(env: Record<string, string | undefined>): LockWaitPolicy {
  const parsed = z.safeParse(lockEnv, env);
  if (!parsed.success) {
    const key = String(parsed.error.issues[0]?.path[0] ?? '');
    throw new ConfigurationError(`${key} must be a whole number ≥ 1 (got ${JSON.stringify(env[key])})`);
  }
  const policy = {
    waitSeconds: parsed.data.ROLL_LOCK_WAIT_SECONDS ?? DEFAULT_LOCK_WAIT.waitSeconds,
    maxWaits: parsed.data.ROLL_LOCK_MAX_WAITS ?? DEFAULT_LOCK_WAIT.maxWaits,
  };
  if (policy.waitSeconds * policy.maxWaits >= ROLL_TIMEOUT_SECONDS)
    throw new ConfigurationError(
      `ROLL_LOCK_WAIT_SECONDS × ROLL_LOCK_MAX_WAITS = ${policy.waitSeconds * policy.maxWaits}s leaves no time of the roll's ${ROLL_TIMEOUT_SECONDS}s timeout`,
    );
  return policy;
}
