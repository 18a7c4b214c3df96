/** CheckBrokersReady: one poll: every broker instance running and its SSM agent online. */

import { waitHandler } from '../lib/handler';
import { brokersRefsSchema, specOnly, waitSchema } from '../lib/state';
import { brokersReady } from '../lib/steps/brokers';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { brokers: brokersRefsSchema, wait: waitSchema });
export const handler = waitHandler('CheckBrokersReady', input, ({ spec, brokers }: z.output<typeof input>) =>
  brokersReady(spec, brokers),
);
