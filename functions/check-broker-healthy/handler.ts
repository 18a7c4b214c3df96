/** CheckBrokerHealthy: one poll of WaitForBrokerHealthy: registered again, its partitions back in ISR. */

import { waitHandler } from '../lib/handler';
import { rollCommandSchema, rollStateSchema, specOnly, waitSchema } from '../lib/state';
import { brokerHealthy } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { roll: rollStateSchema, command: rollCommandSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckBrokerHealthy',
  input,
  ({ spec, roll, command }: z.output<typeof input>) => brokerHealthy(spec, roll, command),
);
