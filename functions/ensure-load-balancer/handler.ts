/** EnsureLoadBalancer: internal NLB, one target group per planned listener, the listener map. */
import { taskHandler } from '../lib/handler';
import { networkRefsSchema, specOnly } from '../lib/state';
import { ensureLoadBalancer } from '../lib/steps/load-balancer';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'EnsureLoadBalancer',
  z.extend(specOnly, { network: networkRefsSchema }),
  ({ spec, network }) => ensureLoadBalancer(spec, network),
);
