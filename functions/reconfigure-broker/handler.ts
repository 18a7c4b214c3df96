/** ReconfigureBroker: send one broker its re-rendered configuration through SSM (restart via systemd). */

import { taskHandler } from '../lib/handler';
import { rollStateSchema, specOnly } from '../lib/state';
import { reconfigureBroker } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, {
  roll: rollStateSchema,
  nodeId: z.number().check(z.multipleOf(1), z.minimum(1)),
});

export const handler = taskHandler('ReconfigureBroker', input, ({ spec, roll, nodeId }) =>
  reconfigureBroker(spec, roll, nodeId),
);
