/** CheckBrokersConfigured: one poll of every configure command; a failure names the broker and output. */

import { waitHandler } from '../lib/handler';
import { configureCommandsSchema, specOnly, waitSchema } from '../lib/state';
import { brokersConfigured } from '../lib/steps/brokers';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { configure: configureCommandsSchema, wait: waitSchema });
export const handler = waitHandler(
  'CheckBrokersConfigured',
  input,
  ({ spec, configure }: z.output<typeof input>) => brokersConfigured(spec, configure),
);
