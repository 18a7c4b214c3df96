/**
 * EnsureNetwork: claims the cluster for this stage (the first thing provisioning creates), then VPC, subnets per
 * AZ ID, IGW, NAT gateway, security groups (find by tag, then create).
 */
import { deployedStage } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { ensureNetwork } from '../lib/steps/network';
import { claimCluster } from '../lib/steps/ownership';

export const handler = taskHandler('EnsureNetwork', specOnly, async ({ spec }) => {
  await claimCluster(spec.region, spec.clusterName, deployedStage());
  return ensureNetwork(spec);
});
