/** CheckBrokerHealthy: one poll of WaitForBrokerHealthy: registered again, its partitions back in ISR. */
import type { z } from 'zod';
import { waitHandler } from '../lib/handler';
import { rollCommandSchema, rollStateSchema, specOnly, waitSchema } from '../lib/state';
import { brokerHealthy } from '../lib/steps/roll';

const input = specOnly.extend({ roll: rollStateSchema, command: rollCommandSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckBrokerHealthy',
  input,
  ({ spec, roll, command }: z.output<typeof input>) => brokerHealthy(spec, roll, command),
);
