/**
 * The endpoint connections of one cluster's service, for a person: every connection with its owner, state,
 * creation time and what the auto-accept policy decides about it now (and why); and accepting one named
 * endpoint — the ID TiDB Cloud shows — as an explicit decision, audited as such.
 */
import * as eps from '../aws/endpoint-service';
import {
  auditRecord,
  decideConnection,
  interpretUnsuccessful,
  type UnknownOwnerAction,
} from '../domain/accept-policy';
import { EndpointConnectionError, ResourceConflictError } from '../errors';
import type { ClusterSpec } from '../spec';
import { auditDecision, servicePolicy } from './accept';

export interface ConnectionRow {
  vpcEndpointId: string;
  owner: string;
  state: string;
  createdAt: string | null;
  /** What auto-accept does with it now: accept, reject, leave, or none (not pending). */
  decision: string;
  reason: string;
}

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
  onUnknown: UnknownOwnerAction,
): Promise<{
  serviceId: string;
  serviceName: string;
  allowedAccounts: string[];
  connections: ConnectionRow[];
}> {
  const service = await clusterService(spec);
  const policy = await servicePolicy(spec.region, service.serviceId, onUnknown);
  const connections = (await eps.endpointConnections(spec.region, service.serviceId)).map((c) => {
    const decided = decideConnection(c, policy);
    return {
      vpcEndpointId: c.vpcEndpointId,
      owner: c.vpcEndpointOwner,
      state: c.vpcEndpointState,
      createdAt: c.createdAt ?? null,
      decision: decided.decision,
      reason: decided.reason,
    };
  });
  return {
    serviceId: service.serviceId,
    serviceName: service.serviceName,
    allowedAccounts: [...policy.allowedAccounts],
    connections,
  };
}

/**
 * Accepts `vpcEndpointId`, a pending connection of the cluster's service whose owner is an allowed
 * principal (naming an endpoint does not widen who may connect: add the principal to the spec first).
 */
export async function acceptNamedEndpoint(
  spec: ClusterSpec,
  vpcEndpointId: string,
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
  const reason = `named by "kafka-plc accept" (${decided.reason})`;
  auditDecision(spec.clusterName, auditRecord(service.serviceId, connection, { decision: 'accept', reason }));
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
