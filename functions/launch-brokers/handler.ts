/** LaunchBrokers: one instance per planned broker at its planned IP (existing ones are found by tag). */
import { taskHandler } from '../lib/handler';
import { networkRefsSchema, specOnly } from '../lib/state';
import { launchBrokers } from '../lib/steps/brokers';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'LaunchBrokers',
  z.extend(specOnly, { network: networkRefsSchema }),
  ({ spec, network }) => launchBrokers(spec, network),
);
