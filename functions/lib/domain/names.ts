/**
 * Names of AWS resources derived from the cluster name. ELB names (load balancers, target groups) are
 * limited to 32 characters of [A-Za-z0-9-], not starting or ending with a hyphen; when a name would be
 * longer, the cluster part is shortened and a stable hash suffix keeps it unique.
 */
import { createHash } from 'node:crypto';

export const ELB_NAME_MAX = 32;

export function elbName(clusterName: string, suffix: string): string {
  const full = `${clusterName}-${suffix}`;
  if (full.length <= ELB_NAME_MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  const room = ELB_NAME_MAX - suffix.length - hash.length - 2;
  const head = clusterName.slice(0, Math.max(room, 1)).replace(/-+$/, '');
  return `${head}-${hash}-${suffix}`;
}

/** The tag every resource of a cluster carries; lookups before creates use it. */
export const CLUSTER_TAG = 'kafka-plc:cluster';
/** The tag naming what a resource is within its cluster (e.g. broker-1, subnet-broker-usw2-az1). */
export const ROLE_TAG = 'kafka-plc:role';

/** Written by the user (or `kafka-plc set-unique-name`): the unique name TiDB Cloud returned. */
export function uniqueNameParameter(clusterName: string): string {
  return `/kafka-plc/${clusterName}/unique-name`;
}

/** Written by kafka-plc: the cluster spec as applied (its uniqueName is what the brokers advertise). */
export function specParameter(clusterName: string): string {
  return `/kafka-plc/${clusterName}/spec`;
}

/**
 * A KRaft cluster ID (a Kafka Uuid: 16 bytes, base64url without padding) derived from the cluster's
 * identity, so every broker of the cluster agrees on it without coordination and re-runs reuse it.
 */
export function kraftClusterId(clusterName: string, region: string): string {
  const bytes = createHash('sha256').update(`kafka-plc/${region}/${clusterName}`).digest().subarray(0, 16);
  return bytes.toString('base64url');
}
