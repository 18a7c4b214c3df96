/** CheckBrokerReconfigured: one poll of the roll command; a failure names the broker and its output. */
import type { z } from 'zod';
import { waitHandler } from '../lib/handler';
import { rollCommandSchema, specOnly, waitSchema } from '../lib/state';
import { brokerReconfigured } from '../lib/steps/roll';

const input = specOnly.extend({ command: rollCommandSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckBrokerReconfigured',
  input,
  ({ spec, command }: z.output<typeof input>) => brokerReconfigured(spec, command),
);
