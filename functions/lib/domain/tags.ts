/** Tags that identify a cluster's resources; every lookup before a create matches them. */
import { CLUSTER_TAG, EXPOSED_BY_TAG, ROLE_TAG } from './names';

export type TagMap = Record<string, string>;

export function resourceTags(clusterName: string, role: string): TagMap {
  return { Name: `${clusterName}-${role}`, [CLUSTER_TAG]: clusterName, [ROLE_TAG]: role };
}

export function tagList(tags: TagMap): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagMap(list: readonly { Key?: string; Value?: string }[] | undefined): TagMap {
  const map: TagMap = {};
  for (const { Key, Value } of list ?? []) if (Key !== undefined) map[Key] = Value ?? '';
  return map;
}

export function isOurs(tags: TagMap, clusterName: string, role?: string): boolean {
  return tags[CLUSTER_TAG] === clusterName && (role === undefined || tags[ROLE_TAG] === role);
}

/**
 * Whether a Run Command may go to an instance for `clusterName`: the instance must carry the cluster's
 * tag with that value (a broker kafka-plc built) or the exposed-by tag with it (a broker of an exposed
 * cluster). IAM can only require the tag key (one stack serves every cluster), so the value is checked
 * here, before every send.
 */
export function mayCommand(
  instanceId: string,
  tags: TagMap | undefined,
  clusterName: string,
): { ok: true } | { ok: false; reason: string } {
  if (!tags) return { ok: false, reason: `instance ${instanceId} does not exist` };
  if (tags[CLUSTER_TAG] === clusterName || tags[EXPOSED_BY_TAG] === clusterName) return { ok: true };
  const owner = tags[CLUSTER_TAG] ?? tags[EXPOSED_BY_TAG];
  return {
    ok: false,
    reason: owner
      ? `instance ${instanceId} belongs to cluster ${owner}, not ${clusterName}`
      : `instance ${instanceId} carries neither ${CLUSTER_TAG} nor ${EXPOSED_BY_TAG} = ${clusterName}`,
  };
}

export const ROLES = {
  vpc: 'vpc',
  igw: 'igw',
  publicRouteTable: 'rt-public',
  privateRouteTable: 'rt-private',
  natEip: 'nat-eip',
  nat: 'nat',
  brokerSg: 'sg-brokers',
  nlbSg: 'sg-nlb',
  subnet: (name: string) => `subnet-${name}`,
  broker: (nodeId: number) => `broker-${nodeId}`,
  endpointService: 'endpoint-service',
  loadBalancer: 'nlb',
  targetGroup: (name: string) => `tg-${name}`,
} as const;
