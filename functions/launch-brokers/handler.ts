/** LaunchBrokers: one instance per planned broker at its planned IP (existing ones are found by tag). */
import { taskHandler } from '../lib/handler';
import { networkRefsSchema, specOnly } from '../lib/state';
import { launchBrokers } from '../lib/steps/brokers';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'LaunchBrokers',
  // executionName: the state machine's own ($$.Execution.Name), one per provisioning attempt
  z.extend(specOnly, { network: networkRefsSchema, executionName: z.string().check(z.minLength(1)) }),
  ({ spec, network, executionName }) => launchBrokers(spec, network, executionName),
);
