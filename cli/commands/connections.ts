/**
 * kafka-plc connections --spec FILE [--format table|json] [--on-unknown reject|leave]
 *                       [--on-outside-window leave|reject] [--stage STAGE]
 * kafka-plc accept --spec FILE --endpoint vpce-… [--stage STAGE]
 * kafka-plc accept-window --spec FILE --minutes N [--count K] [--stage STAGE]
 * Every connection to the cluster's endpoint service with what was decided about it (by which window or
 * command) or what auto-accept decides now, and why; accepting one named endpoint; opening an accept
 * window. Bad input exits 2 before any AWS call.
 */

import { acceptWindowSettingsSchema } from '../../functions/lib/domain/accept-window';
import { textTable } from '../../functions/lib/domain/plan-views';
import { SpecValidationError, UsageError } from '../../functions/lib/errors';
import { openWindowNow } from '../../functions/lib/steps/accept-window';
import {
  acceptNamedEndpoint,
  acceptTable,
  type ConnectionRow,
  listConnections,
} from '../../functions/lib/steps/connections';
import { z } from '../../functions/lib/zod';
import { loadSpecFile } from '../spec-file';
import { announce, type Command, parse, required } from './common';
import { resolveStage, STAGE_OPTION, stageFlag } from './stage';

const ENDPOINT_ID = /^vpce-[0-9a-f]{8,17}$/;
const FORMATS = ['table', 'json'];

function table(rows: ConnectionRow[]): string {
  return textTable(
    ['ENDPOINT', 'OWNER', 'STATE', 'CREATED', 'DECISION', 'BY', 'WHY'],
    rows.map((r) => [
      r.vpcEndpointId,
      r.owner,
      r.state,
      r.createdAt ?? '-',
      r.decision,
      r.decidedBy ? `${r.decidedBy} at ${r.decidedAt}` : '(auto-accept, now)',
      r.reason,
    ]),
  );
}

export const connections: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    format: { type: 'string', default: 'table' },
    'on-unknown': { type: 'string', default: 'reject' },
    'on-outside-window': { type: 'string', default: 'leave' },
    ...STAGE_OPTION,
  });
  const flag = stageFlag(values.stage);
  const format = values.format as string;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
  const onUnknown = values['on-unknown'] as string;
  if (onUnknown !== 'reject' && onUnknown !== 'leave')
    throw new UsageError(
      `--on-unknown: "${onUnknown}" is not one of reject, leave (the stack's onUnknownOwner)`,
    );
  const outsideWindow = values['on-outside-window'] as string;
  if (outsideWindow !== 'reject' && outsideWindow !== 'leave')
    throw new UsageError(
      `--on-outside-window: "${outsideWindow}" is not one of leave, reject (the stack's onOutsideWindow)`,
    );
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  // The windows and decisions are in the accept table of the stage that owns the cluster.
  const stage = await resolveStage({ region: spec.region, cluster: spec.clusterName, flag, local: false });
  const listed = await listConnections(spec, { onUnknown, outsideWindow, stage });
  if (format === 'json') {
    io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
    return;
  }
  io.stdout(
    `${listed.serviceName} (${listed.serviceId}); allowed accounts: ${listed.allowedAccounts.join(', ') || '(none)'}\n`,
  );
  io.stdout(`accept window: ${listed.acceptWindow}\n`);
  io.stdout(listed.connections.length === 0 ? 'no connections yet\n' : `${table(listed.connections)}\n`);
};

export const accept: Command = async (args, io) => {
  const values = parse(args, { spec: { type: 'string' }, endpoint: { type: 'string' }, ...STAGE_OPTION });
  const flag = stageFlag(values.stage);
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
  const { stage } = await announce(
    io,
    spec.region,
    `accept endpoint ${endpoint} on cluster ${spec.clusterName}'s service`,
    () => resolveStage({ region: spec.region, cluster: spec.clusterName, flag, local: false }),
  );
  const accepted = await acceptNamedEndpoint(spec, endpoint, stage);
  io.stdout(`${JSON.stringify(accepted)}\n`);
};

/** A whole number flag, validated as the spec's consumer.acceptWindow is (same limits, same messages). */
function windowSettings(minutes: string, count: string) {
  const asNumber = (text: string) => (/^\d+$/.test(text) ? Number(text) : Number.NaN);
  const parsed = z.safeParse(acceptWindowSettingsSchema, {
    minutes: asNumber(minutes),
    count: asNumber(count),
  });
  if (parsed.success) return parsed.data;
  throw new SpecValidationError(
    parsed.error.issues.map((issue) => {
      const flag = String(issue.path[0]);
      return { path: `--${flag}`, value: flag === 'minutes' ? minutes : count, message: issue.message };
    }),
  );
}

export const acceptWindow: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    minutes: { type: 'string' },
    count: { type: 'string', default: '1' },
    ...STAGE_OPTION,
  });
  const flag = stageFlag(values.stage);
  const settings = windowSettings(required(values.minutes, '--minutes'), values.count as string);
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  const { stage } = await announce(
    io,
    spec.region,
    `open an accept window on cluster ${spec.clusterName}'s service (${settings.minutes} min, ${settings.count} endpoint(s))`,
    () => resolveStage({ region: spec.region, cluster: spec.clusterName, flag, local: false }),
  );
  const opened = await openWindowNow(spec, settings, 'kafka-plc accept-window', acceptTable(stage));
  io.stdout(`${spec.clusterName}: ${opened.summary}\n`);
  io.stdout(`${JSON.stringify(opened.window)}\n`);
};
