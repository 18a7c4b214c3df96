/**
 * kafka-plc status --spec FILE [--format table|json] [--no-kafka]
 * Read-only: the live cluster against the plan (functions/lib/steps/status.ts). Exit 0 in sync and healthy,
 * 3 on drift or ill health, 1 when the status could not be read, 2 on bad input (before any AWS call).
 * The JSON (stdout) is a contract: { cluster, region, stage, inSync, findings: [{ kind, resource, field,
 * planned, live }], notes } — stage: the stage whose stack owns the cluster, null when none is recorded.
 */
import { findingLine } from '../../functions/lib/domain/drift';
import { planCluster } from '../../functions/lib/domain/plan';
import { UsageError } from '../../functions/lib/errors';
import { clusterOwner } from '../../functions/lib/steps/ownership';
import { clusterStatus } from '../../functions/lib/steps/status';
import { loadSpecFile } from '../spec-file';
import { type Command, ExitCodeError, parse, required } from './common';
import { effectiveSpec } from './plan-live';

const FORMATS = ['table', 'json'] as const;

export const status: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    format: { type: 'string', default: 'table' },
    'no-kafka': { type: 'boolean', default: false },
  });
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
  const file = await loadSpecFile(required(values.spec, '--spec'));
  // What the brokers advertise is the applied spec's unique name; an existing cluster is planned from EC2.
  const { spec } = await effectiveSpec(file);
  const result = await clusterStatus(spec, planCluster(spec), { kafka: values['no-kafka'] !== true });
  const stage = (await clusterOwner(spec.region, spec.clusterName)) ?? null;
  const inSync = result.findings.length === 0;
  if (format === 'json') {
    const { cluster, region, findings, notes } = result;
    io.stdout(`${JSON.stringify({ cluster, region, stage, inSync, findings, notes }, null, 2)}\n`);
  } else {
    const lines = [
      `${result.cluster} in ${result.region} (${stage ? `stage ${stage}` : 'no stage recorded'}): ${inSync ? 'in sync with the plan and healthy' : `${result.findings.length} difference(s)`}`,
      ...result.findings.map(findingLine),
      ...result.notes.map((note) => `NOTE   ${note}`),
    ];
    io.stdout(`${lines.join('\n')}\n`);
  }
  if (!inSync)
    throw new ExitCodeError(3, `${result.cluster}: ${result.findings.length} difference(s) from the plan`);
};
