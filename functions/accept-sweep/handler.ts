/** acceptSweep: the scheduled safety net (EventBridge rate rule): every pending connection of every cluster. */

import { requireEnv } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { acceptOptionsFromEnv, acceptPendingConnections } from '../lib/steps/accept';
import { z } from '../lib/zod';

export const handler = taskHandler('AcceptSweep', z.unknown(), () =>
  acceptPendingConnections(requireEnv('AWS_REGION'), acceptOptionsFromEnv()),
);
