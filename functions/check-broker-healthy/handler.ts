/** CheckBrokerHealthy: one poll of WaitForBrokerHealthy (NotReadyYetError until every broker of the batch is registered again, its partitions back in ISR). */

import { readyHandler } from '../lib/handler';
import { rollCommandSchema, rollStateSchema, specOnly } from '../lib/state';
import { batchHealthy } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, {
  roll: rollStateSchema,
  commands: z.array(rollCommandSchema).check(z.minLength(1, 'needs at least one roll command')),
  /** The pick's partitions already under min ISR or leaderless (not held against the batch). */
  unhealthyAtPick: z.optional(z.array(z.string())),
});
export const handler = readyHandler(
  'CheckBrokerHealthy',
  input,
  ({ spec, roll, commands, unhealthyAtPick }: z.output<typeof input>) =>
    batchHealthy(spec, roll, commands, unhealthyAtPick),
);
