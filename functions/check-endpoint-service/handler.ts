/** CheckEndpointService: one poll of the endpoint service state until Available. */
import type { z } from 'zod';
import { waitHandler } from '../lib/handler';
import { endpointServiceRefsSchema, specOnly, waitSchema } from '../lib/state';
import { endpointServiceStatus } from '../lib/steps/load-balancer';

const input = specOnly.extend({ endpointService: endpointServiceRefsSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckEndpointService',
  input,
  ({ spec, endpointService }: z.output<typeof input>) => endpointServiceStatus(spec, endpointService),
);
