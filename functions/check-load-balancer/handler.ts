/** CheckLoadBalancer: one poll of the NLB state until active. */

import { waitHandler } from '../lib/handler';
import { loadBalancerRefsSchema, specOnly, waitSchema } from '../lib/state';
import { loadBalancerStatus } from '../lib/steps/load-balancer';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { loadBalancer: loadBalancerRefsSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckLoadBalancer',
  input,
  ({ spec, loadBalancer }: z.output<typeof input>) => loadBalancerStatus(spec, loadBalancer),
);
