/** FinishRoll: record the applied spec (its unique name is now what brokers advertise) and report. */
import { taskHandler } from '../lib/handler';
import { rollStateSchema, specOnly } from '../lib/state';
import { finishRoll } from '../lib/steps/roll';

export const handler = taskHandler(
  'FinishRoll',
  specOnly.extend({ roll: rollStateSchema }),
  ({ spec, roll }) => finishRoll(spec, roll),
);
