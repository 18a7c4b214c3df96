import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientFor } from '../client-registry';

/** The process's ElasticLoadBalancingV2Client for a region (see client-registry.ts). */
export function elbv2Client(region: string): ElasticLoadBalancingV2Client {
  return clientFor('elbv2', region, (config) => new ElasticLoadBalancingV2Client(config));
}
