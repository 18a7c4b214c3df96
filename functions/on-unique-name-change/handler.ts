/** onUniqueNameChange: EventBridge "Parameter Store Change" for /kafka-plc/<cluster>/unique-name → roll. */

import { deployedStage, requireEnv } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { onUniqueNameChange } from '../lib/steps/unique-name';
import { z } from '../lib/zod';

const event = z.object({ detail: z.object({ name: z.string(), operation: z.string() }) });

export const handler = taskHandler('OnUniqueNameChange', event, ({ detail }) =>
  onUniqueNameChange(requireEnv('AWS_REGION'), detail, requireEnv('ROLL_STATE_MACHINE_ARN'), deployedStage()),
);
