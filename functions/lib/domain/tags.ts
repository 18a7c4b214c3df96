/** Tags that identify a cluster's resources; every lookup before a create matches them. */
import { CLUSTER_TAG, ROLE_TAG } from './names';

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
