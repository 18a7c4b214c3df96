/** TeardownNatGateway: one poll: delete the NAT gateway; once deleted, release its Elastic IP. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownNatGateway } from '../lib/steps/teardown';

export const handler = waitHandler('TeardownNatGateway', specOnly.extend({ wait: waitSchema }), ({ spec }) =>
  teardownNatGateway(spec),
);
