/**
 * The endpoint connections of one cluster's service, for a person: every connection with its owner, state,
 * creation time, and what kafka-plc decided about it and why (the recorded decision: which window or
 * command accepted it, or why it was rejected) or, for a pending one, what auto-accept decides now; and
 * accepting one named endpoint — the ID TiDB Cloud shows — as an explicit decision, recorded and audited.
 */
import * as records from '../aws/accept-records';
import * as eps from '../aws/endpoint-service';
import {
  auditRecord,
  decideConnection,
  interpretUnsuccessful,
  type OutsideWindowAction,
  planConnections,
  type UnknownOwnerAction,
} from '../domain/accept-policy';
import { describeWindow } from '../domain/accept-window';
import { acceptTableName } from '../domain/names';
import { EndpointConnectionError, ResourceConflictError } from '../errors';
import type { ClusterSpec } from '../spec';
import { auditDecision, servicePolicy } from './accept';

export interface ConnectionRow {
  vpcEndpointId: string;
  owner: string;
  state: string;
  createdAt: string | null;
  /** The recorded decision (accept/reject), else what auto-accept does with it now (accept, reject, leave, none). */
  decision: string;
  /** The window, command or policy behind a recorded decision; null when nothing was recorded. */
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string;
}

export interface ListOptions {
  onUnknown: UnknownOwnerAction;
  outsideWindow: OutsideWindowAction;
  /** The stage that owns the cluster: its accept table holds the windows and decisions. */
  stage: string;
  now?: number;
}

/** The table the CLI reads and writes: the stage's, unless ACCEPT_TABLE names another. */
export const acceptTable = (stage: string) => process.env.ACCEPT_TABLE ?? acceptTableName(stage);

async function clusterService(spec: ClusterSpec) {
  const service = (await eps.clusterServices(spec.region)).find((s) => s.cluster === spec.clusterName);
  if (!service)
    throw new ResourceConflictError(
      `cluster ${spec.clusterName} has no endpoint service in ${spec.region}: provision it first`,
    );
  return service;
}

export async function listConnections(
  spec: ClusterSpec,
  options: ListOptions,
): Promise<{
  serviceId: string;
  serviceName: string;
  allowedAccounts: string[];
  acceptWindow: string;
  connections: ConnectionRow[];
}> {
  const now = options.now ?? Date.now();
  const service = await clusterService(spec);
  const policy = await servicePolicy(spec.region, service.serviceId, options.onUnknown);
  const state = await records.readAcceptState(spec.region, acceptTable(options.stage), spec.clusterName);
  const listed = await eps.endpointConnections(spec.region, service.serviceId);
  const plan = planConnections(service.serviceId, listed, policy, {
    ...state,
    now,
    outsideWindow: options.outsideWindow,
  });
  const connections = listed.map((c, index): ConnectionRow => {
    const recorded = state.records.get(c.vpcEndpointId);
    const planned = plan.audit[index];
    return {
      vpcEndpointId: c.vpcEndpointId,
      owner: c.vpcEndpointOwner,
      state: c.vpcEndpointState,
      createdAt: c.createdAt ?? null,
      decision: recorded?.decision ?? planned?.decision ?? 'none',
      decidedBy: recorded?.by ?? null,
      decidedAt: recorded ? new Date(recorded.at).toISOString() : null,
      reason: recorded?.reason ?? planned?.reason ?? '',
    };
  });
  return {
    serviceId: service.serviceId,
    serviceName: service.serviceName,
    allowedAccounts: [...policy.allowedAccounts],
    acceptWindow: describeWindow(state.window, now),
    connections,
  };
}

/**
 * Accepts `vpcEndpointId`, a pending connection of the cluster's service whose owner is an allowed
 * principal (naming an endpoint does not widen who may connect: add the principal to the spec first). It
 * takes no window slot: the person naming it is the decision, recorded as "kafka-plc accept".
 */
export async function acceptNamedEndpoint(
  spec: ClusterSpec,
  vpcEndpointId: string,
  stage: string,
  now = Date.now(),
): Promise<{ serviceId: string; vpcEndpointId: string; owner: string; accepted: true }> {
  const service = await clusterService(spec);
  const policy = await servicePolicy(spec.region, service.serviceId, 'leave');
  const connection = (await eps.endpointConnections(spec.region, service.serviceId)).find(
    (c) => c.vpcEndpointId === vpcEndpointId,
  );
  if (!connection)
    throw new ResourceConflictError(
      `${vpcEndpointId} has no connection to ${service.serviceName} (${service.serviceId}): check the ID TiDB Cloud shows`,
    );
  const decided = decideConnection(connection, policy);
  if (decided.decision !== 'accept')
    throw new ResourceConflictError(`${vpcEndpointId} is not accepted: ${decided.reason}`);
  const by = 'kafka-plc accept';
  const reason = `named by "kafka-plc accept" (${decided.reason})`;
  const record = { vpcEndpointId, decision: 'accept' as const, at: now, by, reason };
  const table = acceptTable(stage);
  if (!(await records.putRecord(spec.region, table, spec.clusterName, record))) {
    const theirs = (await records.readAcceptState(spec.region, table, spec.clusterName)).records.get(
      vpcEndpointId,
    );
    // A recorded rejection that never took effect (the endpoint is still pending): the person's word wins.
    if (theirs?.decision === 'reject')
      await records.putRecord(spec.region, table, spec.clusterName, record, { replace: true });
  }
  auditDecision(
    spec.clusterName,
    auditRecord(service.serviceId, connection, { decision: 'accept', reason, by }),
  );
  const [outcome] = interpretUnsuccessful(
    'accept',
    [vpcEndpointId],
    await eps.acceptConnections(spec.region, service.serviceId, [vpcEndpointId]),
  );
  if (outcome?.outcome !== 'done')
    throw new EndpointConnectionError(
      `could not accept ${vpcEndpointId}: ${outcome?.code ?? 'unknown'}: ${outcome?.message ?? ''}`,
    );
  return { serviceId: service.serviceId, vpcEndpointId, owner: connection.vpcEndpointOwner, accepted: true };
}
