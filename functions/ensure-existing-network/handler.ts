/**
 * EnsureExistingNetwork: claims the cluster for this stage (the first thing an expose changes), then, in the
 * existing VPC, the NLB's security group and kafka-plc's EXTERNAL group added to each broker's interface (its
 * own groups kept). Creates no VPC, subnet or gateway.
 */
import { deployedStage } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { ensureExistingNetwork } from '../lib/steps/existing';
import { claimCluster } from '../lib/steps/ownership';

export const handler = taskHandler('EnsureExistingNetwork', specOnly, async ({ spec }) => {
  await claimCluster(spec.region, spec.clusterName, deployedStage());
  return ensureExistingNetwork(spec);
});
