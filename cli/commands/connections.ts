/**
 * kafka-plc connections --spec FILE [--format table|json] [--on-unknown reject|leave]
 * kafka-plc accept --spec FILE --endpoint vpce-…
 * Every connection to the cluster's endpoint service with what auto-accept decides about it and why; and
 * accepting one named endpoint. A bad endpoint ID or format exits 2 before any AWS call.
 */
import { textTable } from '../../functions/lib/domain/plan-views';
import { SpecValidationError, UsageError } from '../../functions/lib/errors';
import {
  acceptNamedEndpoint,
  type ConnectionRow,
  listConnections,
} from '../../functions/lib/steps/connections';
import { loadSpecFile } from '../spec-file';
import { type Command, parse, required } from './common';

const ENDPOINT_ID = /^vpce-[0-9a-f]{8,17}$/;
const FORMATS = ['table', 'json'];

function table(rows: ConnectionRow[]): string {
  return textTable(
    ['ENDPOINT', 'OWNER', 'STATE', 'CREATED', 'AUTO-ACCEPT', 'WHY'],
    rows.map((r) => [r.vpcEndpointId, r.owner, r.state, r.createdAt ?? '-', r.decision, r.reason]),
  );
}

export const connections: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    format: { type: 'string', default: 'table' },
    'on-unknown': { type: 'string', default: 'reject' },
  });
  const format = values.format as string;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
  const onUnknown = values['on-unknown'] as string;
  if (onUnknown !== 'reject' && onUnknown !== 'leave')
    throw new UsageError(
      `--on-unknown: "${onUnknown}" is not one of reject, leave (the stack's onUnknownOwner)`,
    );
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  const listed = await listConnections(spec, onUnknown);
  if (format === 'json') {
    io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
    return;
  }
  io.stdout(
    `${listed.serviceName} (${listed.serviceId}); allowed accounts: ${listed.allowedAccounts.join(', ') || '(none)'}\n`,
  );
  io.stdout(listed.connections.length === 0 ? 'no connections yet\n' : `${table(listed.connections)}\n`);
};

export const accept: Command = async (args, io) => {
  const values = parse(args, { spec: { type: 'string' }, endpoint: { type: 'string' } });
  const endpoint = required(values.endpoint, '--endpoint');
  if (!ENDPOINT_ID.test(endpoint))
    throw new SpecValidationError([
      {
        path: '--endpoint',
        value: endpoint,
        message: 'must be a VPC endpoint ID like vpce-0123456789abcdef0',
      },
    ]);
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  const accepted = await acceptNamedEndpoint(spec, endpoint);
  io.stdout(`${JSON.stringify(accepted)}\n`);
};
