/** EnsureLoadBalancer: internal NLB, one target group per planned listener, the listener map. */
import { taskHandler } from '../lib/handler';
import { networkRefsSchema, specOnly } from '../lib/state';
import { ensureLoadBalancer } from '../lib/steps/load-balancer';

export const handler = taskHandler(
  'EnsureLoadBalancer',
  specOnly.extend({ network: networkRefsSchema }),
  ({ spec, network }) => ensureLoadBalancer(spec, network),
);
