/** CheckBrokerHealthy: one poll of WaitForBrokerHealthy (NotReadyYetError until every broker of the batch is registered again, its partitions back in ISR). */

import { readyHandler } from '../lib/handler';
import { rollCommandSchema, rollStateSchema, specOnly } from '../lib/state';
import { batchHealthy } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, {
  roll: rollStateSchema,
  commands: z.array(rollCommandSchema).check(z.minLength(1, 'needs at least one roll command')),
});
export const handler = readyHandler(
  'CheckBrokerHealthy',
  input,
  ({ spec, roll, commands }: z.output<typeof input>) => batchHealthy(spec, roll, commands),
);
