/** ValidateSpec: the execution input is the cluster spec; validate it once (defaults applied) and plan it. */
import { z } from 'zod';
import { planCluster } from '../lib/domain/plan';
import { taskHandler } from '../lib/handler';
import { parseClusterSpec } from '../lib/spec';

export const handler = taskHandler('ValidateSpec', z.unknown(), async (input) => {
  const spec = parseClusterSpec(input);
  const plan = planCluster(spec);
  return { spec, brokerCount: plan.brokers.length, listenerCount: plan.loadBalancer.listeners.length };
});
