/** CheckBrokerReconfigured: one poll of the roll command (NotReadyYetError while it runs); a failure names the broker and its output. */

import { readyHandler } from '../lib/handler';
import { rollCommandSchema, specOnly } from '../lib/state';
import { brokerReconfigured } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { command: rollCommandSchema });
export const handler = readyHandler(
  'CheckBrokerReconfigured',
  input,
  ({ spec, command }: z.output<typeof input>) => brokerReconfigured(spec, command),
);
