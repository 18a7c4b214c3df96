/** ReconfigureBroker: send one broker its re-rendered configuration through SSM (restart via systemd). */
import { z } from 'zod';
import { taskHandler } from '../lib/handler';
import { rollStateSchema, specOnly } from '../lib/state';
import { reconfigureBroker } from '../lib/steps/roll';

const input = specOnly.extend({ roll: rollStateSchema, nodeId: z.number().int().min(1) });

export const handler = taskHandler('ReconfigureBroker', input, ({ spec, roll, nodeId }) =>
  reconfigureBroker(spec, roll, nodeId),
);
