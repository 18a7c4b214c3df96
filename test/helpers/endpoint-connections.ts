/**
 * The consumer side of PrivateLink for emulator runs: moto implements no endpoint connections (HTTP 500),
 * so this layer answers DescribeVpcEndpointConnections, AcceptVpcEndpointConnections and
 * RejectVpcEndpointConnections from a store the test fills with `request()` — as a consumer's
 * CreateVpcEndpoint would (state pendingAcceptance, its owner, CreationTimestamp). It sits inside the IAM
 * layer (installed after it), so each call is still judged against the calling function's role first.
 *
 * Behaviour kept from AWS: Accept changes only a pendingAcceptance connection; Reject also an available one
 * ("You can reject an endpoint connection after it's in the available state": "Accept and reject endpoint
 * connection requests", AWS PrivateLink Guide). Anything else is reported per endpoint in `Unsuccessful`
 * (its codes are not documented: these are labelled stand-ins). Each answer yields to the event loop first,
 * so two functions calling at once interleave as they would on AWS.
 */
import { setImmediate } from 'node:timers/promises';
import { awsError } from '../aws-model/rules';
import { onEveryCall } from './middleware';

export interface StoredConnection {
  serviceId: string;
  vpcEndpointId: string;
  owner: string;
  state: 'pendingAcceptance' | 'available' | 'rejected';
  createdAt: Date;
}

export interface ConnectionStandIn {
  connections: StoredConnection[];
  /** A consumer creates an endpoint to the service (pending acceptance); returns its ID. */
  request(serviceId: string, owner: string, createdAt?: Date): string;
  /** How many times each endpoint was accepted by a call that changed it (never more than once). */
  accepted: Map<string, number>;
  reset(): void;
}

let installed: ConnectionStandIn | undefined;
let sequence = 0;

const SERVED = new Set([
  'DescribeVpcEndpointConnections',
  'AcceptVpcEndpointConnections',
  'RejectVpcEndpointConnections',
]);

function filterValues(input: Record<string, unknown>, name: string): string[] | undefined {
  const filters = (input.Filters ?? []) as { Name?: string; Values?: string[] }[];
  return filters.find((f) => f.Name === name)?.Values;
}

export function serveEndpointConnections(): ConnectionStandIn {
  if (installed) return installed;
  const standIn: ConnectionStandIn = {
    connections: [],
    accepted: new Map(),
    request(serviceId, owner, createdAt = new Date()) {
      sequence += 1;
      const vpcEndpointId = `vpce-0${sequence.toString(16).padStart(16, '0')}`;
      standIn.connections.push({ serviceId, vpcEndpointId, owner, state: 'pendingAcceptance', createdAt });
      return vpcEndpointId;
    },
    reset() {
      standIn.connections.length = 0;
      standIn.accepted.clear();
    },
  };
  onEveryCall('endpointConnectionStandIn', async (call, next) => {
    if (call.service !== 'ec2' || !SERVED.has(call.operation)) return next();
    await setImmediate();
    const input = call.input;
    if (call.operation === 'DescribeVpcEndpointConnections') {
      const services = filterValues(input, 'service-id');
      const states = filterValues(input, 'vpc-endpoint-state');
      const items = standIn.connections.filter(
        (c) => (!services || services.includes(c.serviceId)) && (!states || states.includes(c.state)),
      );
      return {
        output: {
          $metadata: {},
          VpcEndpointConnections: items.map((c) => ({
            ServiceId: c.serviceId,
            VpcEndpointId: c.vpcEndpointId,
            VpcEndpointOwner: c.owner,
            VpcEndpointState: c.state,
            CreationTimestamp: c.createdAt,
          })),
        },
        response: {},
      };
    }
    const accept = call.operation === 'AcceptVpcEndpointConnections';
    const unsuccessful: { ResourceId: string; Error: { Code: string; Message: string } }[] = [];
    for (const id of (input.VpcEndpointIds ?? []) as string[]) {
      const connection = standIn.connections.find(
        (c) => c.vpcEndpointId === id && c.serviceId === input.ServiceId,
      );
      if (!connection) {
        unsuccessful.push({
          ResourceId: id,
          Error: { Code: 'InvalidVpcEndpoint.NotFound', Message: `stand-in: ${id} does not exist` },
        });
      } else if (connection.state !== 'pendingAcceptance' && !(connection.state === 'available' && !accept)) {
        unsuccessful.push({
          ResourceId: id,
          Error: { Code: 'InvalidState', Message: `stand-in: ${id} is ${connection.state}` },
        });
      } else {
        connection.state = accept ? 'available' : 'rejected';
        if (accept) standIn.accepted.set(id, (standIn.accepted.get(id) ?? 0) + 1);
      }
    }
    if (!input.ServiceId) throw awsError('MissingParameter', 'The request must contain ServiceId');
    return { output: { $metadata: {}, Unsuccessful: unsuccessful }, response: {} };
  });
  installed = standIn;
  return standIn;
}
