/** TeardownLoadBalancer: one poll: delete the NLB; once it is gone, its target groups. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownLoadBalancer } from '../lib/steps/teardown';
import { z } from '../lib/zod';

export const handler = waitHandler(
  'TeardownLoadBalancer',
  z.extend(specOnly, { wait: waitSchema }),
  ({ spec }) => teardownLoadBalancer(spec),
);
