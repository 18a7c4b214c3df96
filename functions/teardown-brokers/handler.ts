/** TeardownBrokers: one poll: terminate the cluster's instances; ready when all are terminated. */
import { waitHandler } from '../lib/handler';
import { specOnly, waitSchema } from '../lib/state';
import { teardownBrokers } from '../lib/steps/teardown';
import { z } from '../lib/zod';

export const handler = waitHandler('TeardownBrokers', z.extend(specOnly, { wait: waitSchema }), ({ spec }) =>
  teardownBrokers(spec),
);
