/** ReleaseRollLock: the roll ended (succeeded or failed); give the cluster's roll lock back. */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { releaseRollLock } from '../lib/steps/roll-lock';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'ReleaseRollLock',
  z.extend(specOnly, { execution: z.string().check(z.minLength(1)) }),
  ({ spec, execution }) => releaseRollLock(spec, execution),
);
