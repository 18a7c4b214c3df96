/** CheckTargetHealth: one poll of every target group; the last attempt reports what is unhealthy. */

import { waitHandler } from '../lib/handler';
import { brokersRefsSchema, loadBalancerRefsSchema, specOnly, waitSchema } from '../lib/state';
import { targetsHealthy } from '../lib/steps/load-balancer';
import { z } from '../lib/zod';

const input = z.extend(specOnly, {
  brokers: brokersRefsSchema,
  loadBalancer: loadBalancerRefsSchema,
  wait: waitSchema,
});
export const handler = waitHandler(
  'CheckTargetHealth',
  input,
  ({ spec, brokers, loadBalancer }: z.output<typeof input>, final) =>
    targetsHealthy(spec, brokers, loadBalancer, final),
);
