/** ConfigureBrokers: SSM Run Command with each broker's rendered script (never sent twice). */
import { taskHandler } from '../lib/handler';
import { brokersRefsSchema, specOnly } from '../lib/state';
import { configureBrokers } from '../lib/steps/brokers';

export const handler = taskHandler(
  'ConfigureBrokers',
  specOnly.extend({ brokers: brokersRefsSchema }),
  ({ spec, brokers }) => configureBrokers(spec, brokers),
);
