/**
 * Which endpoint connections to accept or reject: pure decisions over `DescribeVpcEndpointConnections` items.
 * The accept Lambda (SNS notification fast path, scheduled sweep as safety net) describes the connections,
 * calls `planConnections`, logs `audit`, calls Accept/Reject and reads the result with `interpretUnsuccessful`.
 *
 * 1. Only `pendingAcceptance` is acted on; every other state is `none` (nothing to do). Available
 *    endpoints from accounts not on the list are left alone but flagged in the reason.
 * 2. Pending and owner on the allow list → `accept`. Nothing else is ever accepted.
 * 3. Pending and owner unknown (or missing) → `reject` or `leave`, as the policy says.
 * State values are compared without case: the API returns `pendingAcceptance` (AWS CLI examples) while the
 * SDK's `State` enum spells `PendingAcceptance`.
 */

import { type FieldIssue, SpecValidationError } from '../errors';

export type UnknownOwnerAction = 'reject' | 'leave';

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
}

export type ConnectionDecisionKind = 'accept' | 'reject' | 'leave' | 'none';

export interface ConnectionDecision {
  decision: ConnectionDecisionKind;
  reason: string;
}

export interface ConnectionAudit {
  serviceId: string;
  vpcEndpointId: string | null;
  vpcEndpointOwner: string | null;
  vpcEndpointState: string | null;
  decision: ConnectionDecisionKind;
  reason: string;
}

export interface ConnectionPlan {
  serviceId: string;
  accept: string[];
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
}): EndpointConnection {
  return {
    vpcEndpointId: item.VpcEndpointId,
    vpcEndpointOwner: item.VpcEndpointOwner,
    vpcEndpointState: item.VpcEndpointState,
    serviceId: item.ServiceId,
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
    ? { decision: 'reject', reason: `${who}; policy rejects unknown owners` }
    : { decision: 'leave', reason: `${who}; policy leaves unknown owners pending` };
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
  };
}

/** Decides a batch for one endpoint service: accept and reject lists (deduplicated) plus one audit record each. */
export function planConnections(
  serviceId: string,
  connections: readonly EndpointConnection[],
  policy: AcceptPolicy,
): ConnectionPlan {
  assertAcceptPolicy(policy);
  const plan: ConnectionPlan = { serviceId, accept: [], reject: [], leave: [], audit: [] };
  for (const connection of connections) {
    const decision: ConnectionDecision =
      connection.serviceId !== undefined && connection.serviceId !== serviceId
        ? { decision: 'none', reason: `belongs to service ${connection.serviceId}, not ${serviceId}` }
        : decideConnection(connection, policy);
    plan.audit.push(auditRecord(serviceId, connection, decision));
    const id = connection.vpcEndpointId;
    if (id && decision.decision !== 'none' && !plan[decision.decision].includes(id)) {
      plan[decision.decision].push(id);
    }
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
