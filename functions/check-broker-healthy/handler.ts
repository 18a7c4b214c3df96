/** CheckBrokerHealthy: one poll of WaitForBrokerHealthy (NotReadyYetError until the broker is registered again, its partitions back in ISR). */

import { readyHandler } from '../lib/handler';
import { rollCommandSchema, rollStateSchema, specOnly } from '../lib/state';
import { brokerHealthy } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { roll: rollStateSchema, command: rollCommandSchema });
export const handler = readyHandler(
  'CheckBrokerHealthy',
  input,
  ({ spec, roll, command }: z.output<typeof input>) => brokerHealthy(spec, roll, command),
);
