/** CanRollNow: read the cluster health and pick the next batch (one broker unless spec.roll.maxBatchSize > 1) that may restart safely, or wait (bounded). */

import { taskHandler } from '../lib/handler';
import { rollStateSchema, specOnly } from '../lib/state';
import { canRollNow } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, {
  roll: rollStateSchema,
  pick: z.object({ attempt: z.number().check(z.multipleOf(1), z.minimum(0)) }),
});

export const handler = taskHandler('CanRollNow', input, ({ spec, roll, pick }) =>
  canRollNow(spec, roll, pick.attempt),
);
