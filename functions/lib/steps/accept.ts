/**
 * Auto-accept: for each endpoint service of a kafka-plc cluster, accept pending connections whose owner
 * account is among the service's allowed principals (set from the spec at provisioning, so the service
 * itself is the allow list), reject (or leave pending) the others, and log one audit line per decision.
 * The SNS notification is only a wake-up: decisions always come from DescribeVpcEndpointConnections.
 */
import * as eps from '../aws/endpoint-service';
import {
  type AcceptPolicy,
  type ConnectionAudit,
  type ConnectionOutcome,
  interpretUnsuccessful,
  planConnections,
  type UnknownOwnerAction,
  unresolvedOutcomes,
} from '../domain/accept-policy';
import { EndpointConnectionError } from '../errors';
import { logger, moduleLogger } from '../logger';
import { principalAccount } from '../spec';

const log = moduleLogger('accept');

export interface AcceptSummary {
  services: number;
  accepted: string[];
  rejected: string[];
  left: string[];
}

/** `vpce-svc-…` IDs mentioned in a notification, used only to narrow the sweep (never to decide). */
export function serviceIdsIn(text: string): string[] {
  return [...new Set(text.match(/vpce-svc-[0-9a-f]{8,17}/g) ?? [])];
}

export function unknownOwnerAction(value: string | undefined): UnknownOwnerAction {
  return value === 'leave' ? 'leave' : 'reject';
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

export async function acceptPendingConnections(
  region: string,
  options: { onUnknown: UnknownOwnerAction; onlyServiceIds?: string[] },
): Promise<AcceptSummary> {
  const summary: AcceptSummary = { services: 0, accepted: [], rejected: [], left: [] };
  const unresolved: ConnectionOutcome[] = [];
  let services = await eps.clusterServices(region);
  if (options.onlyServiceIds?.length) {
    const narrowed = services.filter((s) => options.onlyServiceIds?.includes(s.serviceId));
    if (narrowed.length > 0) services = narrowed;
  }
  for (const service of services) {
    summary.services++;
    const policy = await servicePolicy(region, service.serviceId, options.onUnknown);
    const pending = await eps.endpointConnections(region, service.serviceId, 'pendingAcceptance');
    const plan = planConnections(service.serviceId, pending, policy);
    for (const record of plan.audit) auditDecision(service.cluster, record);
    const accepted = interpretUnsuccessful(
      'accept',
      plan.accept,
      await eps.acceptConnections(region, service.serviceId, plan.accept),
    );
    const rejected = interpretUnsuccessful(
      'reject',
      plan.reject,
      await eps.rejectConnections(region, service.serviceId, plan.reject),
    );
    for (const outcome of [...accepted, ...rejected]) {
      if (outcome.outcome !== 'done')
        log.warn('endpoint connection not changed', { cluster: service.cluster, ...outcome });
    }
    summary.accepted.push(...accepted.filter((o) => o.outcome === 'done').map((o) => o.vpcEndpointId));
    summary.rejected.push(...rejected.filter((o) => o.outcome === 'done').map((o) => o.vpcEndpointId));
    summary.left.push(...plan.leave);
    unresolved.push(...unresolvedOutcomes([...accepted, ...rejected]));
  }
  if (unresolved.length > 0) {
    throw new EndpointConnectionError(
      `could not ${unresolved.map((o) => `${o.action} ${o.vpcEndpointId} (${o.code}: ${o.message})`).join('; ')}`,
    );
  }
  return summary;
}
