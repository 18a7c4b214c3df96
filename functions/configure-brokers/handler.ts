/** ConfigureBrokers: SSM Run Command with each broker's rendered script (never sent twice). */
import { taskHandler } from '../lib/handler';
import { brokersRefsSchema, specOnly } from '../lib/state';
import { configureBrokers } from '../lib/steps/brokers';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'ConfigureBrokers',
  z.extend(specOnly, { brokers: brokersRefsSchema }),
  ({ spec, brokers }) => configureBrokers(spec, brokers),
);
