/**
 * ValidateSpec: the execution input is the cluster spec; validate it once (defaults applied), keep the
 * unique name the brokers already advertise (from the applied spec in Parameter Store), and plan it.
 */

import { planCluster } from '../lib/domain/plan';
import { taskHandler } from '../lib/handler';
import { parseClusterSpec } from '../lib/spec';
import { withAppliedUniqueName } from '../lib/steps/cluster-record';
import { z } from '../lib/zod';

export const handler = taskHandler('ValidateSpec', z.unknown(), async (input) => {
  const { spec, notes } = await withAppliedUniqueName(parseClusterSpec(input));
  // An existing cluster is planned only after DiscoverBrokers: its placement is discovered, not computed.
  const brokerCount = spec.existing ? spec.existing.brokers.length : planCluster(spec).brokers.length;
  return { spec, notes, brokerCount, listenerCount: brokerCount + 1 };
});
