/** EnsureEndpointService: the PrivateLink service (acceptance required), principals, notification, parameter. */
import { taskHandler } from '../lib/handler';
import { loadBalancerRefsSchema, specOnly } from '../lib/state';
import { ensureEndpointService } from '../lib/steps/load-balancer';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'EnsureEndpointService',
  z.extend(specOnly, { loadBalancer: loadBalancerRefsSchema }),
  ({ spec, loadBalancer }) => ensureEndpointService(spec, loadBalancer),
);
