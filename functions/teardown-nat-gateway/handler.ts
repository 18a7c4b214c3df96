/** TeardownNatGateway: one poll: delete the NAT gateway; once deleted, release its Elastic IP. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownNatGateway } from '../lib/steps/teardown';
import { z } from '../lib/zod';

export const handler = waitHandler(
  'TeardownNatGateway',
  z.extend(specOnly, { wait: waitSchema }),
  ({ spec }) => teardownNatGateway(spec),
);
