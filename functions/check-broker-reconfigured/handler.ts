/** CheckBrokerReconfigured: one poll of the roll command; a failure names the broker and its output. */

import { waitHandler } from '../lib/handler';
import { rollCommandSchema, specOnly, waitSchema } from '../lib/state';
import { brokerReconfigured } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { command: rollCommandSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckBrokerReconfigured',
  input,
  ({ spec, command }: z.output<typeof input>) => brokerReconfigured(spec, command),
);
