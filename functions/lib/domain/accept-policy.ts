/**
 * Which endpoint connections to accept or reject: pure decisions over `DescribeVpcEndpointConnections` items.
 * The accept Lambda (SNS notification fast path, scheduled sweep as safety net) describes the connections,
 * reads the cluster's accept window and records (domain/accept-window.ts), calls `planConnections`, claims
 * each window acceptance atomically, logs `audit`, calls Accept/Reject and reads the result with
 * `interpretUnsuccessful`.
 *
 * 1. Only `pendingAcceptance` is acted on; every other state is `none` (nothing to do). Available
 *    endpoints from accounts not on the list are left alone but flagged in the reason.
 * 2. Pending, owner on the allow list and an accept window open with a slot left → `accept` (claimed in
 *    that window, oldest connection first). A connection already recorded as accepted (a claim whose
 *    Accept call did not finish) → `accept` again without a new claim. Nothing else is ever accepted.
 * 3. Pending, owner on the allow list, no slot → `leave` or `reject`, as the stage's onOutsideWindow says.
 * 4. Pending and owner unknown (or missing) → `reject` or `leave`, as the policy says.
 * State values are compared without case: the API returns `pendingAcceptance` (AWS CLI examples) while the
 * SDK's `State` enum spells `PendingAcceptance`.
 */

import { type FieldIssue, SpecValidationError } from '../errors';
import { type AcceptRecord, type AcceptWindow, windowStatus } from './accept-window';

export type UnknownOwnerAction = 'reject' | 'leave';
/** What to do with a pending connection from an allowed owner when no accept window has a slot for it. */
export type OutsideWindowAction = 'reject' | 'leave';

/** The cluster's accept state at decision time (read with ConsistentRead). */
export interface AcceptContext {
  window: AcceptWindow | undefined;
  /** By endpoint ID: what was decided before (an accept claim or a rejection). */
  records: ReadonlyMap<string, AcceptRecord>;
  /** Epoch milliseconds. */
  now: number;
  outsideWindow: OutsideWindowAction;
}

export interface AcceptPolicy {
  /** 12-digit AWS account IDs whose endpoints are accepted (the plan's `endpointService.allowedAccounts`). */
  allowedAccounts: readonly string[];
  onUnknown: UnknownOwnerAction;
}

/** One item of `DescribeVpcEndpointConnections`, camel-cased; fields may be missing as in the SDK types. */
export interface EndpointConnection {
  vpcEndpointId?: string | undefined;
  vpcEndpointOwner?: string | undefined;
  vpcEndpointState?: string | undefined;
  serviceId?: string | undefined;
  /** CreationTimestamp, ISO 8601: window slots go to the oldest connections first. */
  createdAt?: string | undefined;
}

export type ConnectionDecisionKind = 'accept' | 'reject' | 'leave' | 'none';

export interface ConnectionDecision {
  decision: ConnectionDecisionKind;
  reason: string;
  /** What allowed or refused it: a window ID, a recorded decision's author, or the stage policy. */
  by?: string;
  /** Set when accepting takes a slot of this window (the step claims it before calling Accept). */
  claimWindow?: string;
  /** An allowed owner's connection that no window admits (reported by the sweep). */
  outsideWindow?: true;
}

export interface ConnectionAudit {
  serviceId: string;
  vpcEndpointId: string | null;
  vpcEndpointOwner: string | null;
  vpcEndpointState: string | null;
  decision: ConnectionDecisionKind;
  reason: string;
  by: string | null;
}

export interface ConnectionPlan {
  serviceId: string;
  /** Allowed owners' connections no window admitted (left or rejected). */
  outsideWindow: string[];
  accept: string[];
  /** The accepts that take a window slot: claimed (atomically) before Accept is called. */
  claims: { vpcEndpointId: string; windowId: string }[];
  reject: string[];
  leave: string[];
  audit: ConnectionAudit[];
}

const ACCOUNT_ID = /^\d{12}$/;

/** Maps an SDK `VpcEndpointConnection` (PascalCase) without importing the SDK. */
export function fromEc2Connection(item: {
  VpcEndpointId?: string | undefined;
  VpcEndpointOwner?: string | undefined;
  VpcEndpointState?: string | undefined;
  ServiceId?: string | undefined;
  CreationTimestamp?: Date | undefined;
}): EndpointConnection {
  return {
    vpcEndpointId: item.VpcEndpointId,
    vpcEndpointOwner: item.VpcEndpointOwner,
    vpcEndpointState: item.VpcEndpointState,
    serviceId: item.ServiceId,
    createdAt: item.CreationTimestamp?.toISOString(),
  };
}

/** Throws SpecValidationError for a policy that could reject a legitimate consumer by typo. */
export function assertAcceptPolicy(policy: AcceptPolicy): void {
  const issues: FieldIssue[] = [];
  policy.allowedAccounts.forEach((account, index) => {
    if (!ACCOUNT_ID.test(account)) {
      issues.push({
        path: `allowedAccounts[${index}]`,
        value: account,
        message: 'is not a 12-digit account ID',
      });
    }
  });
  if (policy.onUnknown !== 'reject' && policy.onUnknown !== 'leave') {
    issues.push({ path: 'onUnknown', value: policy.onUnknown, message: "must be 'reject' or 'leave'" });
  }
  if (issues.length > 0) throw new SpecValidationError(issues);
}

const isState = (state: string | undefined, expected: string) =>
  state !== undefined && state.toLowerCase() === expected.toLowerCase();

/**
 * The owner check alone: `accept` here means "the owner may connect", not yet "accept it now" — that also
 * needs a window slot (planConnections) or a person naming the endpoint (kafka-plc accept).
 */
export function decideConnection(connection: EndpointConnection, policy: AcceptPolicy): ConnectionDecision {
  const { vpcEndpointId: id, vpcEndpointOwner: owner, vpcEndpointState: state } = connection;
  const allowed = owner !== undefined && policy.allowedAccounts.includes(owner);
  if (!id) return { decision: 'none', reason: 'connection without VpcEndpointId: nothing to act on' };
  if (!isState(state, 'pendingAcceptance')) {
    const flag =
      isState(state, 'available') && !allowed ? ' (owner is not on the allow list: review it)' : '';
    return { decision: 'none', reason: `state ${state ?? '(missing)'} is not pendingAcceptance${flag}` };
  }
  if (allowed) return { decision: 'accept', reason: `owner ${owner} is on the allow list` };
  const who = owner ? `owner ${owner} is not on the allow list` : 'owner is missing';
  return policy.onUnknown === 'reject'
    ? { decision: 'reject', reason: `${who}; policy rejects unknown owners`, by: 'onUnknownOwner' }
    : { decision: 'leave', reason: `${who}; policy leaves unknown owners pending` };
}

/**
 * An allowed owner's pending connection: a recorded claim is finished, a window slot is taken (when
 * `slotLeft`), or the stage's onOutsideWindow applies.
 */
export function decideAllowed(
  connection: EndpointConnection,
  owner: ConnectionDecision,
  context: AcceptContext,
  slotLeft: boolean,
): ConnectionDecision {
  const record = connection.vpcEndpointId ? context.records.get(connection.vpcEndpointId) : undefined;
  if (record?.decision === 'accept')
    return {
      decision: 'accept',
      reason: `${owner.reason}; accepted by ${record.by} at ${new Date(record.at).toISOString()} (finishing it)`,
      by: record.by,
    };
  if (record?.decision === 'reject')
    return { decision: 'reject', reason: `recorded as rejected: ${record.reason}`, by: record.by };
  const status = windowStatus(context.window, context.now);
  if (status.open && slotLeft)
    return {
      decision: 'accept',
      reason: `${owner.reason}; inside ${status.id} (${status.remaining} acceptance(s) were left)`,
      by: status.id,
      claimWindow: status.id,
    };
  const why = status.open ? `${status.id}'s acceptances go to older pending connections` : status.reason;
  return context.outsideWindow === 'reject'
    ? {
        decision: 'reject',
        reason: `${owner.reason} but no accept window admits it (${why}); stage rejects connections outside a window`,
        by: 'onOutsideWindow',
        outsideWindow: true,
      }
    : {
        decision: 'leave',
        reason: `${owner.reason} but no accept window admits it (${why}); left pending: kafka-plc accept-window or kafka-plc accept --endpoint`,
        outsideWindow: true,
      };
}

/** A window slot planned for a connection that the claim found gone (taken meanwhile, or the window closed). */
export function lostClaim(windowId: string, outsideWindow: OutsideWindowAction): ConnectionDecision {
  const why = `${windowId} had no slot left when claimed (taken meanwhile, or the window closed)`;
  return outsideWindow === 'reject'
    ? {
        decision: 'reject',
        reason: `${why}; stage rejects connections outside a window`,
        by: 'onOutsideWindow',
        outsideWindow: true,
      }
    : { decision: 'leave', reason: `${why}; left pending`, outsideWindow: true };
}

export function auditRecord(
  serviceId: string,
  connection: EndpointConnection,
  decision: ConnectionDecision,
): ConnectionAudit {
  return {
    serviceId,
    vpcEndpointId: connection.vpcEndpointId ?? null,
    vpcEndpointOwner: connection.vpcEndpointOwner ?? null,
    vpcEndpointState: connection.vpcEndpointState ?? null,
    decision: decision.decision,
    reason: decision.reason,
    by: decision.by ?? null,
  };
}

const byAge = (a: EndpointConnection, b: EndpointConnection) =>
  (a.createdAt ?? '').localeCompare(b.createdAt ?? '') ||
  (a.vpcEndpointId ?? '').localeCompare(b.vpcEndpointId ?? '');

/**
 * Decides a batch for one endpoint service: accept (and which accepts take a window slot), reject and leave
 * lists (deduplicated) plus one audit record each, in the order given. Window slots go to the oldest
 * pending connections first (CreationTimestamp, then ID), at most the window's `remaining`.
 */
export function planConnections(
  serviceId: string,
  connections: readonly EndpointConnection[],
  policy: AcceptPolicy,
  context: AcceptContext,
): ConnectionPlan {
  assertAcceptPolicy(policy);
  const plan: ConnectionPlan = {
    serviceId,
    accept: [],
    claims: [],
    reject: [],
    leave: [],
    outsideWindow: [],
    audit: [],
  };
  const status = windowStatus(context.window, context.now);
  let slots = status.open ? status.remaining : 0;
  const decisions = new Map<EndpointConnection, ConnectionDecision>();
  const ours = (c: EndpointConnection) => c.serviceId === undefined || c.serviceId === serviceId;
  for (const connection of [...connections].filter(ours).sort(byAge)) {
    const owner = decideConnection(connection, policy);
    if (owner.decision !== 'accept') {
      decisions.set(connection, owner);
      continue;
    }
    const decided = decideAllowed(connection, owner, context, slots > 0);
    if (decided.claimWindow) slots--;
    decisions.set(connection, decided);
  }
  const seen = new Set<string>();
  for (const connection of connections) {
    const decision: ConnectionDecision = decisions.get(connection) ?? {
      decision: 'none',
      reason: `belongs to service ${connection.serviceId}, not ${serviceId}`,
    };
    plan.audit.push(auditRecord(serviceId, connection, decision));
    const id = connection.vpcEndpointId;
    if (!id || decision.decision === 'none' || seen.has(id)) continue;
    seen.add(id);
    plan[decision.decision].push(id);
    if (decision.claimWindow) plan.claims.push({ vpcEndpointId: id, windowId: decision.claimWindow });
    if (decision.outsideWindow) plan.outsideWindow.push(id);
  }
  return plan;
}

export type ConnectionAction = 'accept' | 'reject';
/**
 * done: the call did it; gone: endpoint deleted meanwhile; state-changed: no longer pending (a race with
 * the other path or a human); retryable: throttling or AWS-side failure; failed: anything else (surfaced).
 */
export type ConnectionOutcomeKind = 'done' | 'gone' | 'state-changed' | 'retryable' | 'failed';

export interface ConnectionOutcome {
  vpcEndpointId: string;
  action: ConnectionAction;
  outcome: ConnectionOutcomeKind;
  code?: string;
  message?: string;
}

/** `UnsuccessfulItem` of the EC2 API, structurally. */
export interface UnsuccessfulItemLike {
  ResourceId?: string | undefined;
  Error?: { Code?: string | undefined; Message?: string | undefined } | undefined;
}

const RETRYABLE_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
]);

/**
 * The codes AWS puts in `Unsuccessful[]` for these calls are not documented; this classification is by
 * code shape (`*.NotFound`, `*State*`) and the EC2 common retryable codes. Unknown codes are `failed`.
 */
export function classifyUnsuccessfulCode(code: string): ConnectionOutcomeKind {
  if (RETRYABLE_CODES.has(code)) return 'retryable';
  if (/\.NotFound$/.test(code)) return 'gone';
  if (/state/i.test(code)) return 'state-changed';
  return 'failed';
}

/** One outcome per requested endpoint (in order), then any unsuccessful item AWS reported for another ID. */
export function interpretUnsuccessful(
  action: ConnectionAction,
  requestedIds: readonly string[],
  unsuccessful: readonly UnsuccessfulItemLike[] | undefined,
): ConnectionOutcome[] {
  const failures = new Map<string, ConnectionOutcome>();
  for (const item of unsuccessful ?? []) {
    const vpcEndpointId = item.ResourceId ?? '(no ResourceId)';
    const code = item.Error?.Code ?? 'Unknown';
    const outcome: ConnectionOutcome = {
      vpcEndpointId,
      action,
      outcome: classifyUnsuccessfulCode(code),
      code,
      message: item.Error?.Message ?? '',
    };
    if (!failures.has(vpcEndpointId)) failures.set(vpcEndpointId, outcome);
  }
  const outcomes = requestedIds.map(
    (id) => failures.get(id) ?? { vpcEndpointId: id, action, outcome: 'done' as const },
  );
  const extra = [...failures.values()].filter((o) => !requestedIds.includes(o.vpcEndpointId));
  return [...outcomes, ...extra];
}

/** Outcomes the handler must raise on (EndpointConnectionError): retryable and failed ones. */
export function unresolvedOutcomes(outcomes: readonly ConnectionOutcome[]): ConnectionOutcome[] {
  return outcomes.filter((o) => o.outcome === 'retryable' || o.outcome === 'failed');
}
