/** TeardownNetwork: one poll: route tables, internet gateway, subnets, security groups, then the VPC. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownNetwork } from '../lib/steps/teardown';
import { z } from '../lib/zod';

export const handler = waitHandler('TeardownNetwork', z.extend(specOnly, { wait: waitSchema }), ({ spec }) =>
  teardownNetwork(spec),
);
