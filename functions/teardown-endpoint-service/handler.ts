/** TeardownEndpointService: one poll: reject connections, delete notifications and the service; ready when gone. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownEndpointService } from '../lib/steps/teardown';
import { z } from '../lib/zod';

export const handler = waitHandler(
  'TeardownEndpointService',
  z.extend(specOnly, { wait: waitSchema }),
  ({ spec }) => teardownEndpointService(spec),
);
