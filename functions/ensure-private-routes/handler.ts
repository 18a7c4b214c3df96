/** EnsurePrivateRoutes: broker subnets route 0.0.0.0/0 through the NAT gateway. */
import { taskHandler } from '../lib/handler';
import { networkRefsSchema, specOnly } from '../lib/state';
import { ensurePrivateRoutes } from '../lib/steps/network';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'EnsurePrivateRoutes',
  z.extend(specOnly, { network: networkRefsSchema }),
  ({ spec, network }) => ensurePrivateRoutes(spec, network),
);
