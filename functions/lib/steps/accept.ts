/**
 * Auto-accept: for each endpoint service of a kafka-plc cluster, accept pending connections whose owner
 * account is among the service's allowed principals (set from the spec at provisioning, so the service
 * itself is the allow list) while the cluster's accept window has a slot for them (domain/accept-window.ts:
 * each slot claimed in one DynamoDB transaction, so the SNS path and the sweep never take more than the
 * window's count between them); reject or leave pending the others, and log one audit line per decision
 * naming what allowed or refused it. The SNS notification is only a wake-up: decisions always come from
 * DescribeVpcEndpointConnections and the accept table, both read when deciding.
 */
import * as records from '../aws/accept-records';
import * as eps from '../aws/endpoint-service';
import {
  type AcceptPolicy,
  type ConnectionAudit,
  type ConnectionOutcome,
  type ConnectionPlan,
  interpretUnsuccessful,
  lostClaim,
  type OutsideWindowAction,
  planConnections,
  type UnknownOwnerAction,
  unresolvedOutcomes,
} from '../domain/accept-policy';
import type { AcceptRecord } from '../domain/accept-window';
import { ownedHere } from '../domain/ownership';
import { deployedStage, requireEnv } from '../env';
import { EndpointConnectionError } from '../errors';
import { logger, moduleLogger } from '../logger';
import { principalAccount } from '../spec';
import { clusterOwner } from './ownership';

const log = moduleLogger('accept');

export interface AcceptSummary {
  services: number;
  accepted: string[];
  rejected: string[];
  left: string[];
  /** Allowed owners' pending connections that no window admitted (left or rejected). */
  outsideWindow: string[];
}

/** `vpce-svc-…` IDs mentioned in a notification, used only to narrow the sweep (never to decide). */
export function serviceIdsIn(text: string): string[] {
  return [...new Set(text.match(/vpce-svc-[0-9a-f]{8,17}/g) ?? [])];
}

export function unknownOwnerAction(value: string | undefined): UnknownOwnerAction {
  return value === 'leave' ? 'leave' : 'reject';
}

/** The stage's onOutsideWindow: an allowed owner's connection outside any window is left pending unless 'reject'. */
export function outsideWindowAction(value: string | undefined): OutsideWindowAction {
  return value === 'reject' ? 'reject' : 'leave';
}

/** The service's policy: its allowed principals' accounts (the service itself is the allow list). */
export async function servicePolicy(
  region: string,
  serviceId: string,
  onUnknown: UnknownOwnerAction,
): Promise<AcceptPolicy> {
  const principals = await eps.allowedPrincipals(region, serviceId);
  const allowedAccounts = [...new Set(principals.flatMap((p) => principalAccount(p) ?? []))];
  return { allowedAccounts, onUnknown };
}

/** One audit line per decision, on the root logger so every decision is findable by one query. */
export function auditDecision(cluster: string, record: ConnectionAudit): void {
  logger.info('endpoint connection decision', { audit: true, cluster, ...record });
}

export interface AcceptOptions {
  onUnknown: UnknownOwnerAction;
  outsideWindow: OutsideWindowAction;
  /** The accept table (ACCEPT_TABLE). */
  table: string;
  /** The stage of the stack deciding: only the services of clusters it owns (domain/ownership.ts). */
  stage: string;
  onlyServiceIds?: string[];
  now?: () => number;
}

/** The Lambdas' options from the stage (serverless.yml params onUnknownOwner, onOutsideWindow). */
export function acceptOptionsFromEnv(): Omit<AcceptOptions, 'onlyServiceIds'> {
  return {
    onUnknown: unknownOwnerAction(process.env.ON_UNKNOWN_OWNER),
    outsideWindow: outsideWindowAction(process.env.ON_OUTSIDE_WINDOW),
    table: requireEnv('ACCEPT_TABLE'),
    stage: deployedStage(),
  };
}

/** A service's decisions once settled: what to accept and reject, what stays, which no window admitted. */
export interface Settled {
  audit: ConnectionAudit[];
  accept: string[];
  reject: string[];
  leave: string[];
  outsideWindow: string[];
}

/**
 * Decides one service's pending connections and acts: claims window slots (atomically, one transaction
 * each), records rejections, then one Accept and one Reject call.
 */
async function decideService(
  region: string,
  service: { serviceId: string; cluster: string },
  options: AcceptOptions,
): Promise<Settled & { outcomes: ConnectionOutcome[] }> {
  const { serviceId, cluster } = service;
  const now = (options.now ?? Date.now)();
  const policy = await servicePolicy(region, serviceId, options.onUnknown);
  const pending = await eps.endpointConnections(region, serviceId, 'pendingAcceptance');
  const state =
    pending.length > 0
      ? await records.readAcceptState(region, options.table, cluster)
      : { window: undefined, records: new Map() };
  const plan = planConnections(serviceId, pending, policy, {
    ...state,
    now,
    outsideWindow: options.outsideWindow,
  });
  const settled = await settlePlan(region, cluster, options, plan, now);
  const { accept, reject } = settled;
  const outcomes = [
    ...interpretUnsuccessful('accept', accept, await eps.acceptConnections(region, serviceId, accept)),
    ...interpretUnsuccessful('reject', reject, await eps.rejectConnections(region, serviceId, reject)),
  ];
  return { ...settled, outcomes };
}

/**
 * Makes a plan's decisions durable before any Accept/Reject call — a window accept claimed, a rejection
 * recorded — and logs one audit line each: the final decision (a claim lost to the other path is logged
 * as what happened instead).
 */
export async function settlePlan(
  region: string,
  cluster: string,
  options: Pick<AcceptOptions, 'table' | 'outsideWindow'>,
  plan: ConnectionPlan,
  now: number,
): Promise<Settled> {
  const settled: Settled = { audit: [], accept: [], reject: [], leave: [], outsideWindow: [] };
  for (const planned of plan.audit) {
    const id = planned.vpcEndpointId;
    const { audit, outside } = await settle(region, cluster, options, plan, planned, now);
    auditDecision(cluster, audit);
    settled.audit.push(audit);
    if (!id) continue;
    const into = { accept: settled.accept, reject: settled.reject, leave: settled.leave, none: undefined };
    const list = into[audit.decision];
    if (list && !list.includes(id)) list.push(id);
    if (outside && !settled.outsideWindow.includes(id)) settled.outsideWindow.push(id);
  }
  return settled;
}

async function settle(
  region: string,
  cluster: string,
  options: Pick<AcceptOptions, 'table' | 'outsideWindow'>,
  plan: ConnectionPlan,
  planned: ConnectionAudit,
  now: number,
): Promise<{ audit: ConnectionAudit; outside: boolean }> {
  const id = planned.vpcEndpointId;
  let audit = planned;
  let outside = id !== null && plan.outsideWindow.includes(id);
  if (!id || (audit.decision !== 'accept' && audit.decision !== 'reject')) return { audit, outside };
  const claim = plan.claims.find((c) => c.vpcEndpointId === id);
  if (claim) {
    const result = await records.claimInWindow(
      region,
      options.table,
      cluster,
      claim.windowId,
      recordOf(audit, id, now),
    );
    if (result === 'claimed') return { audit, outside };
    if (result === 'recorded')
      return { audit: await recordedMeanwhile(region, cluster, options, audit), outside };
    const lost = lostClaim(claim.windowId, options.outsideWindow);
    audit = { ...audit, decision: lost.decision, reason: lost.reason, by: lost.by ?? null };
    outside = true;
    if (audit.decision !== 'reject') return { audit, outside };
  } else if (audit.decision === 'accept') {
    return { audit, outside }; // finishing an accept recorded earlier
  }
  if (await records.putRecord(region, options.table, cluster, recordOf(audit, id, now)))
    return { audit, outside };
  return { audit: await recordedMeanwhile(region, cluster, options, audit), outside };
}

const recordOf = (audit: ConnectionAudit, vpcEndpointId: string, at: number): AcceptRecord => ({
  vpcEndpointId,
  decision: audit.decision === 'accept' ? 'accept' : 'reject',
  at,
  by: audit.by ?? 'policy',
  reason: audit.reason,
});

/** Another path recorded this endpoint between our read and our write: its decision stands. */
async function recordedMeanwhile(
  region: string,
  cluster: string,
  options: Pick<AcceptOptions, 'table'>,
  audit: ConnectionAudit,
): Promise<ConnectionAudit> {
  const theirs = (await records.readAcceptState(region, options.table, cluster)).records.get(
    audit.vpcEndpointId ?? '',
  );
  if (!theirs) return audit;
  return {
    ...audit,
    decision: theirs.decision,
    reason: `decided meanwhile by ${theirs.by}: ${theirs.reason}`,
    by: theirs.by,
  };
}

/**
 * The services of clusters `stage` owns. Another stage's service is that stage's to decide, by its own windows
 * and policies; a cluster no stage owns yet is left, with a warning saying how to claim it.
 */
async function ownServices<T extends { cluster: string; serviceId: string }>(
  region: string,
  services: T[],
  stage: string,
): Promise<T[]> {
  const owners = new Map<string, string | undefined>();
  for (const cluster of new Set(services.map((s) => s.cluster)))
    owners.set(cluster, await clusterOwner(region, cluster));
  return services.filter((service) => {
    const owner = owners.get(service.cluster);
    const decision = ownedHere(service.cluster, owner, stage);
    if (decision.ok) return true;
    const note = owner === undefined ? log.warn.bind(log) : log.info.bind(log);
    note('endpoint service left to its owner', {
      cluster: service.cluster,
      serviceId: service.serviceId,
      reason: decision.reason,
    });
    return false;
  });
}

export async function acceptPendingConnections(
  region: string,
  options: AcceptOptions,
): Promise<AcceptSummary> {
  const summary: AcceptSummary = { services: 0, accepted: [], rejected: [], left: [], outsideWindow: [] };
  const unresolved: ConnectionOutcome[] = [];
  let services = await eps.clusterServices(region);
  if (options.onlyServiceIds?.length) {
    const narrowed = services.filter((s) => options.onlyServiceIds?.includes(s.serviceId));
    if (narrowed.length > 0) services = narrowed;
  }
  services = await ownServices(region, services, options.stage);
  for (const service of services) {
    summary.services++;
    const { leave, outsideWindow, outcomes } = await decideService(region, service, options);
    for (const outcome of outcomes) {
      if (outcome.outcome !== 'done')
        log.warn('endpoint connection not changed', { cluster: service.cluster, ...outcome });
    }
    const done = (action: string) =>
      outcomes.filter((o) => o.action === action && o.outcome === 'done').map((o) => o.vpcEndpointId);
    summary.accepted.push(...done('accept'));
    summary.rejected.push(...done('reject'));
    summary.left.push(...leave);
    const outside = outsideWindow.filter((id) => !done('accept').includes(id));
    if (outside.length > 0) {
      summary.outsideWindow.push(...outside);
      // On the root logger, as the audit lines: one query finds every connection nobody expected.
      logger.warn('pending connections from an allowed owner that no accept window admits', {
        cluster: service.cluster,
        serviceId: service.serviceId,
        vpcEndpointIds: outside,
        hint: `kafka-plc accept --spec <file> --endpoint <id> accepts one; kafka-plc accept-window opens a window`,
      });
    }
    unresolved.push(...unresolvedOutcomes(outcomes));
  }
  if (unresolved.length > 0) {
    throw new EndpointConnectionError(
      `could not ${unresolved.map((o) => `${o.action} ${o.vpcEndpointId} (${o.code}: ${o.message})`).join('; ')}`,
    );
  }
  return summary;
}
