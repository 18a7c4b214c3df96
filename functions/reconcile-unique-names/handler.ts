/** reconcileUniqueNames: the scheduled sweep (EventBridge rate rule) behind the unique-name trigger. */

import { deployedStage, requireEnv } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { reconcileUniqueNames } from '../lib/steps/unique-name';
import { z } from '../lib/zod';

export const handler = taskHandler('ReconcileUniqueNames', z.unknown(), () =>
  reconcileUniqueNames(requireEnv('AWS_REGION'), requireEnv('ROLL_STATE_MACHINE_ARN'), deployedStage()),
);
