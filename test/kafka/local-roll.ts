/**
 * The roll of functions/lib/steps/roll.ts, run on this machine against the real-Kafka harness: the same
 * decisions (domain/roll.ts), the same health reader (readHealth, source `local`: Kafka's own tools through
 * our health script) and the same reconfigure script (renderBrokerScript for the new plan, run by
 * configureBroker with the harness's overrides). Only the restart is the harness's (SIGTERM to the PID,
 * wait for the exit, start again), because systemd cannot run here.
 *   1. ShouldRoll: a broker is pending when its server.properties differs from the new plan's
 *      (`shouldRoll`; the Lambda compares the SSM command history, which records the same script).
 *   2. CanRollNow: read the health; `pickNextToRoll` (unregistered first, active controller last). None
 *      allowed → wait `nextRetry(attempt, retry)` seconds and read again; attempts exhausted →
 *      RollAbortedError with every refusal, as the Lambda's canRollNow.
 *   3. ReconfigureBroker: our broker script writes the new server.properties (service manager none, so it
 *      does not restart); its output must say the storage was left as it was.
 *   4. Restart: controlled SIGTERM, wait for the exit, start; a broker that needed SIGKILL aborts the roll.
 *   5. WaitForBrokerHealthy: read the health until `isCaughtUp` (a failed read is retried), within a bound.
 *   6. Back to 2 until nothing is pending. The snapshot that showed the broker caught up is the one step 2
 *      decides on next when it is younger than `reuseSnapshotMs` (it is the newest reading there is; the
 *      state machine reads it once more), so a roll costs one health read more than its restarts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { internalBootstrap } from '../../functions/lib/domain/health-script';
import type { Plan } from '../../functions/lib/domain/plan';
import {
  type HealthSnapshot,
  isCaughtUp,
  nextRetry,
  pickNextToRoll,
  type RetryPolicy,
  type RollOptions,
  shouldRoll,
} from '../../functions/lib/domain/roll';
import { BrokerConfigureFailedError, RollAbortedError } from '../../functions/lib/errors';
import { readHealth } from '../../functions/lib/steps/health';
import type { BrokerRestart } from './harness';
import { configureBroker, TOOL_JAVA_OPTS } from './kafka-jvm';

/** What the driver needs of the harness. */
export interface RollTarget {
  brokers: { nodeId: number; dir: string }[];
  restartBroker(nodeId: number): Promise<BrokerRestart>;
  /** Ends the roll at its next step (the harness aborts it when it stops). */
  signal?: AbortSignal;
}

export interface LocalRollOptions {
  /** The Kafka home whose libs/ the broker script and the health tools use. */
  kafkaHome: string;
  /** Refusal backoff (nextRetry); the state machine's DEFAULT_ROLL_RETRY is far too slow for tests. */
  retry: RetryPolicy;
  /** Bound of WaitForBrokerHealthy per broker. */
  caughtUpTimeoutMs?: number;
  /** Reuse the caught-up snapshot for the next pick when younger than this (0: always read again). */
  reuseSnapshotMs?: number;
  rollOptions?: RollOptions;
  log?: (line: string) => void;
}

export interface RolledLocally {
  nodeId: number;
  /** Was it the active controller in the snapshot it was picked on? */
  wasActiveController: boolean;
  oldAdvertisedListeners: string;
  newAdvertisedListeners: string;
  warnings: string[];
  /** From the SIGTERM (restart begins) until isCaughtUp said yes. */
  restartToCaughtUpMs: number;
  restart: BrokerRestart;
  /** Health reads it took to see the broker caught up. */
  healthReadsToCaughtUp: number;
  scriptOutput: string;
}

export interface LocalRollResult {
  /** Pending when the roll began, in node order. */
  pending: number[];
  rolled: RolledLocally[];
  /** Every refusal round: the reasons and the wait that followed. */
  refusals: { reason: string; waitSeconds: number }[];
  healthReads: number;
  ms: number;
}

const HEALTH_ENV = [
  'KAFKA_PLC_HEALTH_SOURCE',
  'KAFKA_PLC_HEALTH_BOOTSTRAP',
  'KAFKA_PLC_KAFKA_HOME',
  'KAFKA_PLC_TOOL_JAVA_OPTS',
] as const;

/**
 * Runs `step` with readHealth pointed at the harness: source local, the INTERNAL listeners of `plan`
 * (where the script runs on AWS too), the tools' JVMs small. The previous environment is restored.
 */
export async function withLocalHealth<T>(plan: Plan, kafkaHome: string, step: () => Promise<T>): Promise<T> {
  const saved = HEALTH_ENV.map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, {
    KAFKA_PLC_HEALTH_SOURCE: 'local',
    KAFKA_PLC_HEALTH_BOOTSTRAP: internalBootstrap(plan),
    KAFKA_PLC_KAFKA_HOME: kafkaHome,
    KAFKA_PLC_TOOL_JAVA_OPTS: TOOL_JAVA_OPTS.join(' '),
  });
  try {
    return await step();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Step 1: the brokers whose running server.properties is not the new plan's. */
export function pendingBrokers(target: RollTarget, plan: Plan): number[] {
  return plan.brokers
    .filter((broker) => {
      const current = readFileSync(serverProperties(target, broker.nodeId), 'utf8');
      return shouldRoll(broker, current, broker.serverProperties).roll;
    })
    .map((b) => b.nodeId);
}

function serverProperties(target: RollTarget, nodeId: number): string {
  const dir = target.brokers.find((b) => b.nodeId === nodeId)?.dir;
  if (!dir) throw new RollAbortedError(`broker ${nodeId} is not in the harness`);
  return join(dir, 'conf', 'server.properties');
}

function advertised(properties: string): string {
  return /^advertised\.listeners=(.*)$/m.exec(properties)?.[1] ?? '(none)';
}

/** Waits ms, or rejects as soon as `signal` is aborted. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rolls every pending broker of `plan` (the plan with the new unique name), one at a time. */
export function rollLocally(
  target: RollTarget,
  plan: Plan,
  options: LocalRollOptions,
): Promise<LocalRollResult> {
  return withLocalHealth(plan, options.kafkaHome, () => roll(target, plan, options));
}

async function roll(target: RollTarget, plan: Plan, options: LocalRollOptions): Promise<LocalRollResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const rollOptions = { brokerIds: plan.brokers.map((b) => b.nodeId), ...options.rollOptions };
  const brokers = plan.brokers.map((b) => ({ nodeId: b.nodeId, instanceId: `local-b${b.nodeId}` }));
  const result: LocalRollResult = { pending: [], rolled: [], refusals: [], healthReads: 0, ms: 0 };
  const read = async (skip?: number) => {
    target.signal?.throwIfAborted();
    result.healthReads += 1;
    return (await readHealth(plan, brokers, skip)).snapshot;
  };
  let pending = pendingBrokers(target, plan);
  result.pending = [...pending];
  log(`roll: pending ${JSON.stringify(pending)}`);
  let attempt = 0;
  let fresh: { snapshot: HealthSnapshot; at: number } | undefined;
  while (pending.length > 0) {
    const reusable = fresh && Date.now() - fresh.at < (options.reuseSnapshotMs ?? 0);
    const snapshot = reusable && fresh ? fresh.snapshot : await read();
    fresh = undefined;
    const next = pickNextToRoll(pending, snapshot, rollOptions);
    if (next.nodeId === null) {
      const reason = next.refusals.map((r) => r.reason).join('; ');
      const retry = nextRetry(attempt + 1, options.retry);
      if (!retry.retry) {
        throw new RollAbortedError(`no broker could restart safely (${retry.reason}): ${reason}`);
      }
      attempt += 1;
      result.refusals.push({ reason, waitSeconds: retry.waitSeconds });
      log(`roll: refused (attempt ${attempt}), waiting ${retry.waitSeconds} s: ${reason}`);
      await sleep(retry.waitSeconds * 1000, target.signal);
      continue;
    }
    attempt = 0;
    const picked = { nodeId: next.nodeId, warnings: next.warnings, snapshot };
    const { rolled, caughtUp } = await rollOne(target, plan, picked, options, read);
    result.rolled.push(rolled);
    fresh = caughtUp;
    log(`roll: b${rolled.nodeId} caught up ${rolled.restartToCaughtUpMs} ms after its restart began`);
    pending = pending.filter((id) => id !== next.nodeId);
  }
  result.ms = Date.now() - started;
  return result;
}

async function rollOne(
  target: RollTarget,
  plan: Plan,
  picked: { nodeId: number; warnings: string[]; snapshot: HealthSnapshot },
  options: LocalRollOptions,
  read: (skip?: number) => Promise<HealthSnapshot>,
): Promise<{ rolled: RolledLocally; caughtUp: { snapshot: HealthSnapshot; at: number } }> {
  const log = options.log ?? (() => undefined);
  const { nodeId } = picked;
  const broker = target.brokers.find((b) => b.nodeId === nodeId);
  if (!broker) throw new RollAbortedError(`broker ${nodeId} is not in the harness`);
  const before = readFileSync(serverProperties(target, nodeId), 'utf8');
  // ReconfigureBroker: the same script as on EC2, rendered for the new plan.
  const scriptOutput = await configureBroker(plan, nodeId, broker.dir, options.kafkaHome);
  if (!scriptOutput.includes('storage already formatted; left as it is')) {
    throw new BrokerConfigureFailedError(
      `b${nodeId}: the broker script did not leave storage as it was:\n${scriptOutput}`,
    );
  }
  const after = readFileSync(serverProperties(target, nodeId), 'utf8');
  log(`roll: b${nodeId} reconfigured: ${advertised(before)} → ${advertised(after)}`);
  // Restart (systemd's part on EC2).
  target.signal?.throwIfAborted();
  const restartBegan = Date.now();
  const restart = await target.restartBroker(nodeId);
  if (restart.stopped?.how === 'killed') {
    throw new RollAbortedError(`b${nodeId} did not stop on SIGTERM within the grace period and was killed`);
  }
  // WaitForBrokerHealthy: the old process has exited and the new one logged its start, so no reading
  // from here on can be of the old process.
  const deadline = restartBegan + (options.caughtUpTimeoutMs ?? 180_000);
  let reads = 0;
  let last = 'no health read yet';
  for (;;) {
    reads += 1;
    try {
      const snapshot = await read(nodeId);
      const check = isCaughtUp(snapshot, nodeId, options.rollOptions);
      if (check.ok) {
        const at = Date.now();
        const rolled: RolledLocally = {
          nodeId,
          wasActiveController: picked.snapshot.activeControllerId === nodeId,
          oldAdvertisedListeners: advertised(before),
          newAdvertisedListeners: advertised(after),
          warnings: picked.warnings,
          restartToCaughtUpMs: at - restartBegan,
          restart,
          healthReadsToCaughtUp: reads,
          scriptOutput,
        };
        return { rolled, caughtUp: { snapshot, at } };
      }
      last = check.reason;
    } catch (error) {
      // BrokerNotHealthyError / KafkaToolOutputError: a reading failed while a broker restarts; retried.
      last = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (Date.now() > deadline) {
      throw new RollAbortedError(
        `b${nodeId} not caught up ${Date.now() - restartBegan} ms after its restart began ` +
          `(bound ${options.caughtUpTimeoutMs ?? 180_000} ms): ${last}`,
      );
    }
    target.signal?.throwIfAborted();
    await sleep(200, target.signal);
  }
}
