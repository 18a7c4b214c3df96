/**
 * ValidateSpec: the execution input is the cluster spec; validate it once (defaults applied), refuse a cluster
 * another stage's stack owns (before anything is created or deleted; the claim itself is EnsureNetwork's),
 * keep the unique name the brokers already advertise (from the applied spec in Parameter Store), and plan it.
 */

import { planCluster } from '../lib/domain/plan';
import { deployedStage } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { parseClusterSpec } from '../lib/spec';
import { withAppliedUniqueName } from '../lib/steps/cluster-record';
import { refuseOtherStage } from '../lib/steps/ownership';
import { z } from '../lib/zod';

export const handler = taskHandler('ValidateSpec', z.unknown(), async (input) => {
  const parsed = parseClusterSpec(input);
  await refuseOtherStage(parsed.region, parsed.clusterName, deployedStage());
  const { spec, notes } = await withAppliedUniqueName(parsed);
  // An existing cluster is planned only after DiscoverBrokers: its placement is discovered, not computed.
  const brokerCount = spec.existing ? spec.existing.brokers.length : planCluster(spec).brokers.length;
  return { spec, notes, brokerCount, listenerCount: brokerCount + 1 };
});
