/** CheckLoadBalancer: one poll of the NLB state until active. */
import type { z } from 'zod';
import { waitHandler } from '../lib/handler';
import { loadBalancerRefsSchema, specOnly, waitSchema } from '../lib/state';
import { loadBalancerStatus } from '../lib/steps/load-balancer';

const input = specOnly.extend({ loadBalancer: loadBalancerRefsSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckLoadBalancer',
  input,
  ({ spec, loadBalancer }: z.output<typeof input>) => loadBalancerStatus(spec, loadBalancer),
);
