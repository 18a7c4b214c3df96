/** FinishRoll: record the applied spec (its unique name is now what brokers advertise) and report. */
import { taskHandler } from '../lib/handler';
import { rollStateSchema, specOnly } from '../lib/state';
import { finishRoll } from '../lib/steps/roll';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'FinishRoll',
  z.extend(specOnly, { roll: rollStateSchema }),
  ({ spec, roll }) => finishRoll(spec, roll),
);
