/**
 * kafka-plc plan --spec FILE --live [--format table|json]
 * The plan against the account: the tagged resources read (read-only calls; the same reading as `kafka-plc
 * status`, without Kafka) and the differences printed as the changes a `provision` would make (+ add, ~ change,
 * - remove), those it cannot make in place marked. An `existing` spec is planned from its discovered brokers,
 * with the order a roll takes. `provision` runs the same reading first and refuses an unsupported change.
 */

import * as ssm from '../../functions/lib/aws/ssm';
import {
  type Change,
  changeLine,
  changeSummary,
  changesFrom,
  unsupportedChanges,
} from '../../functions/lib/domain/changes';
import { invocationOutcome } from '../../functions/lib/domain/commands';
import { renderPatchScript } from '../../functions/lib/domain/patch-script';
import { type Plan, planCluster } from '../../functions/lib/domain/plan';
import { UsageError } from '../../functions/lib/errors';
import type { ClusterSpec } from '../../functions/lib/spec';
import { withAppliedUniqueName } from '../../functions/lib/steps/cluster-record';
import { discoverBrokers } from '../../functions/lib/steps/existing';
import { maxBatchSizeOf, retiredListenersOf } from '../../functions/lib/steps/roll';
import { awaitInvocation } from '../../functions/lib/steps/run-command';
import { clusterStatus } from '../../functions/lib/steps/status';
import { type Io, messageOf } from './common';

export interface LivePlan {
  cluster: string;
  region: string;
  /** Nothing of the cluster exists yet: provision creates everything the plan lists. */
  fresh: boolean;
  changes: Change[];
  /** The order a roll takes through the brokers (by node ID; the active controller moves last at roll time). */
  rollOrder: string[];
  /** roll.maxBatchSize: 1 restarts one broker at a time; more, batches decided at roll time. */
  rollBatchSize: number;
  /**
   * An existing cluster's brokers: the diff the patch would make to each one's server.properties (read by a
   * preview run of the patch script through Run Command: it writes nothing, restarts nothing); `diff` null when
   * no preview came back (`note` says why).
   */
  brokerPatches?: { broker: string; instanceId: string; diff: string[] | null; note?: string }[];
  notes: string[];
}

/**
 * The spec as the account sees it (the running unique name; an existing cluster's discovered brokers): what
 * `kafka-plc status` and the live plan compare against.
 */
export async function effectiveSpec(file: ClusterSpec): Promise<{ spec: ClusterSpec; notes: string[] }> {
  if (file.existing) {
    const discovered = await discoverBrokers(file);
    return { spec: discovered.spec, notes: discovered.notes };
  }
  return withAppliedUniqueName(file);
}

export async function livePlan(file: ClusterSpec): Promise<LivePlan> {
  return (await livePlanOf(file)).live;
}

/** The live plan, and the plan it compares against (an existing cluster's from its discovered brokers). */
export async function livePlanOf(
  file: ClusterSpec,
  options: { previews?: boolean } = {},
): Promise<{ live: LivePlan; plan: Plan }> {
  const { spec, notes } = await effectiveSpec(file);
  const plan: Plan = planCluster(spec);
  const status = await clusterStatus(spec, plan, {
    kafka: false,
    kafkaNotReadBecause: '(a plan reads no Kafka)',
  });
  const live = status.live;
  const fresh =
    !file.existing && live.vpc === null && live.brokers.length === 0 && live.loadBalancer === null;
  const changes = changesFrom(status.findings);
  const rolled = changes.some((c) => c.by === 'roll') || Boolean(file.existing);
  const result: LivePlan = {
    cluster: plan.clusterName,
    region: plan.region,
    fresh,
    changes,
    rollOrder: rolled ? plan.brokers.map((b) => b.name) : [],
    rollBatchSize: maxBatchSizeOf(spec),
    ...(spec.existing && options.previews !== false
      ? { brokerPatches: await previewPatches(spec, plan) }
      : {}),
    notes: [...notes, ...status.notes.filter((n) => !n.startsWith('Kafka health not read'))],
  };
  return { live: result, plan };
}

const PREVIEW_WAIT_MS = 60_000;

/**
 * Each existing broker's server.properties diff: the patch script in preview mode, sent with the operator's
 * credentials to the instances the spec names (they carry no kafka-plc mark before the first expose). A
 * broker whose preview fails or does not answer in time is reported with the reason, not guessed.
 */
async function previewPatches(
  spec: ClusterSpec,
  plan: Plan,
): Promise<NonNullable<LivePlan['brokerPatches']>> {
  const existing = spec.existing?.brokers ?? [];
  const retired = await retiredListenersOf(spec);
  const sent = [];
  for (const target of existing) {
    const broker = plan.brokers.find((b) => b.nodeId === target.nodeId);
    if (!broker) continue;
    const script = renderPatchScript(plan, broker, target, retired, { preview: true });
    try {
      const commandId = await ssm.sendShellScript(plan.region, {
        instanceId: target.instanceId,
        script,
        comment: `kafka-plc preview ${plan.clusterName} b${target.nodeId}`.slice(0, 100),
        timeoutSeconds: 60,
      });
      sent.push({ broker: broker.name, instanceId: target.instanceId, commandId });
    } catch (error) {
      sent.push({ broker: broker.name, instanceId: target.instanceId, error: messageOf(error) });
    }
  }
  const deadline = Date.now() + PREVIEW_WAIT_MS;
  const results: NonNullable<LivePlan['brokerPatches']> = [];
  for (const one of sent) {
    const base = { broker: one.broker, instanceId: one.instanceId };
    if (!('commandId' in one) || !one.commandId) {
      results.push({
        ...base,
        diff: null,
        note: `preview not sent: ${'error' in one ? one.error : 'no command ID'}`,
      });
      continue;
    }
    const invocation = await awaitInvocation(plan.region, one.commandId, one.instanceId, {
      deadline,
      firstPauseMs: 2000,
      maxPauseMs: 2000,
    });
    const outcome = invocationOutcome(invocation.status);
    if (outcome === 'success') {
      results.push({ ...base, ...previewOf(invocation.stdout) });
      continue;
    }
    const why =
      outcome === 'failed'
        ? `${invocation.status}: ${invocation.stderr.trim().split('\n').pop() ?? ''}`
        : 'no answer within 60 s';
    results.push({ ...base, diff: null, note: `preview failed (${why})` });
  }
  return results;
}

/** The preview's output: the diff lines after "would change", none when unchanged. */
export function previewOf(stdout: string): { diff: string[] | null; note?: string } {
  if (/preview: .* unchanged, no restart/.test(stdout)) return { diff: [] };
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /preview: .* would change/.test(l));
  if (start < 0)
    return { diff: null, note: 'no preview in the command output (an emulator runs no command)' };
  return { diff: lines.slice(start + 1).filter((l) => l !== '') };
}

export function livePlanText(result: LivePlan): string {
  if (result.fresh)
    return (
      `${result.cluster} in ${result.region}: nothing exists yet — provision creates everything ` +
      '"kafka-plc plan --format table" lists.\n'
    );
  const lines = [
    `${result.cluster} in ${result.region}: ${result.changes.length === 0 ? 'no changes: the account matches the plan' : changeSummary(result.changes)}`,
    ...result.changes.map((c) => `  ${changeLine(c)}`),
  ];
  // Why each field cannot change in place, once per field (three resized brokers share one reason).
  const reasons = new Map(unsupportedChanges(result.changes).map((c) => [c.field, c.note]));
  for (const [field, note] of reasons) lines.push(`  ✗ ${field}: ${note}`);
  for (const patch of result.brokerPatches ?? []) {
    if (patch.diff === null)
      lines.push(`${patch.broker} (${patch.instanceId}) server.properties: ${patch.note}`);
    else if (patch.diff.length === 0)
      lines.push(`${patch.broker} (${patch.instanceId}) server.properties: unchanged, no restart`);
    else
      lines.push(
        `${patch.broker} (${patch.instanceId}) server.properties (then a restart):`,
        ...patch.diff.map((l) => `    ${l}`),
      );
  }
  if (result.rollOrder.length > 0)
    lines.push(
      result.rollBatchSize > 1
        ? `roll order: ${result.rollOrder.join(', ')} in batches of up to ${result.rollBatchSize} (each batch decided from Kafka's health when it starts: no two replicas of a partition, at most one KRaft voter; the active controller moves last, alone)`
        : `roll order: ${result.rollOrder.join(', ')} (one at a time, each when Kafka says it is safe; the active controller moves last)`,
    );
  lines.push(...result.notes.map((n) => `NOTE ${n}`));
  return `${lines.join('\n')}\n`;
}

/**
 * provision's guard: a change it cannot make in place (instance type, CIDR, a broker's IP) is refused before the
 * execution starts, naming the field, the planned and the live value (exit 2: nothing was changed).
 */
export function refuseUnsupported(result: LivePlan, specPath: string): void {
  const blocked = unsupportedChanges(result.changes);
  if (blocked.length === 0) {
    // Brokers that run another configuration than the spec renders: provisioning never restarts running brokers
    // (ConfigureBrokers would fail after the NLB side changed); a roll applies it one at a time. A broker with no
    // configuration recorded yet (a provision that stopped half-way) is provision's to configure.
    const rolled = result.changes.filter((c) => c.field === 'configuration' && c.live !== 'none recorded');
    if (rolled.length === 0) return;
    throw new UsageError(
      `${rolled.map((c) => c.resource).join(', ')} run another configuration than this spec renders; provisioning ` +
        `never restarts running brokers: run "kafka-plc roll --spec ${specPath}" (one broker at a time, each when ` +
        'safe). Nothing was changed.',
    );
  }
  throw new UsageError(
    `the spec asks for ${blocked.length} change(s) provision cannot make in place; nothing was changed:\n` +
      blocked
        .map((c) => `  ${c.resource}: ${c.field}: planned ${c.planned}, live ${c.live} — ${c.note}`)
        .join('\n') +
      `\n(kafka-plc plan --spec ${specPath} --live shows every change)`,
  );
}

export function printLivePlan(result: LivePlan, format: 'table' | 'json', io: Io): void {
  if (format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(livePlanText(result));
}
