/** TeardownNetwork: one poll: route tables, internet gateway, subnets, security groups, then the VPC. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownNetwork } from '../lib/steps/teardown';

export const handler = waitHandler('TeardownNetwork', specOnly.extend({ wait: waitSchema }), ({ spec }) =>
  teardownNetwork(spec),
);
