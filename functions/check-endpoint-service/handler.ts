/** CheckEndpointService: one poll of the endpoint service state until Available. */

import { waitHandler } from '../lib/handler';
import { endpointServiceRefsSchema, specOnly, waitSchema } from '../lib/state';
import { endpointServiceStatus } from '../lib/steps/load-balancer';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { endpointService: endpointServiceRefsSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckEndpointService',
  input,
  ({ spec, endpointService }: z.output<typeof input>) => endpointServiceStatus(spec, endpointService),
);
