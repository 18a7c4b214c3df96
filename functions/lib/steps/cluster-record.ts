/**
 * The applied cluster spec, kept in Parameter Store next to the unique name. Its uniqueName is what the
 * brokers advertise: provisioning re-runs use it (they never change a running broker's name; a roll
 * does), and the unique-name trigger compares a new value against it.
 */
import * as ssm from '../aws/ssm';
import { specParameter } from '../domain/names';
import { ADVANCED_VALUE_LIMIT, decodeRecord, encodeRecord } from '../domain/record';
import { ConfigurationError } from '../errors';
import { moduleLogger } from '../logger';
import { type ClusterSpec, parseClusterSpec } from '../spec';

const log = moduleLogger('cluster-record');

export async function readAppliedSpec(region: string, clusterName: string): Promise<ClusterSpec | undefined> {
  const stored = await ssm.getParameter(region, specParameter(clusterName));
  if (!stored) return undefined;
  return parseClusterSpec(decodeRecord(stored.value));
}

/** Writes the spec when it differs from the stored one (a re-run writes nothing). */
export async function recordAppliedSpec(spec: ClusterSpec): Promise<boolean> {
  const name = specParameter(spec.clusterName);
  const value = encodeRecord(spec);
  if (value.length > ADVANCED_VALUE_LIMIT) {
    throw new ConfigurationError(
      `the applied spec of ${spec.clusterName} is ${value.length} characters even compressed; Parameter Store keeps at most ${ADVANCED_VALUE_LIMIT}`,
    );
  }
  const stored = await ssm.getParameter(spec.region, name);
  if (stored?.value === value) return false;
  await ssm.putParameter(spec.region, name, value);
  return true;
}

export interface EffectiveSpec {
  spec: ClusterSpec;
  notes: string[];
}

/** The spec to provision with: the unique name the brokers already advertise wins over the file's. */
export async function withAppliedUniqueName(spec: ClusterSpec): Promise<EffectiveSpec> {
  const applied = await readAppliedSpec(spec.region, spec.clusterName);
  if (!applied || applied.uniqueName === spec.uniqueName) return { spec, notes: [] };
  const note =
    `brokers advertise unique name "${applied.uniqueName}"; the spec says "${spec.uniqueName}". ` +
    'Provisioning keeps the running name; change it with "kafka-plc set-unique-name" (a roll follows).';
  log.warn(note);
  return { spec: { ...spec, uniqueName: applied.uniqueName }, notes: [note] };
}
