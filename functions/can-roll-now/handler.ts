/** CanRollNow: read the cluster health and pick the next broker that may restart safely, or wait (bounded). */
import { z } from 'zod';
import { taskHandler } from '../lib/handler';
import { rollStateSchema, specOnly } from '../lib/state';
import { canRollNow } from '../lib/steps/roll';

const input = specOnly.extend({
  roll: rollStateSchema,
  pick: z.object({ attempt: z.number().int().min(0) }),
});

export const handler = taskHandler('CanRollNow', input, ({ spec, roll, pick }) =>
  canRollNow(spec, roll, pick.attempt),
);
