/** TeardownBrokers: one poll: terminate the cluster's instances; ready when all are terminated. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownBrokers } from '../lib/steps/teardown';

export const handler = waitHandler('TeardownBrokers', specOnly.extend({ wait: waitSchema }), ({ spec }) =>
  teardownBrokers(spec),
);
