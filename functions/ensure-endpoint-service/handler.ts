/** EnsureEndpointService: the PrivateLink service (acceptance required), principals, notification, parameter. */
import { taskHandler } from '../lib/handler';
import { loadBalancerRefsSchema, specOnly } from '../lib/state';
import { ensureEndpointService } from '../lib/steps/load-balancer';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'EnsureEndpointService',
  z.extend(specOnly, {
    loadBalancer: loadBalancerRefsSchema,
    // false in a roll: the applied spec is what the brokers run, recorded once they do (FinishRoll).
    recordApplied: z._default(z.boolean(), true),
  }),
  ({ spec, loadBalancer, recordApplied }) => ensureEndpointService(spec, loadBalancer, { recordApplied }),
);
