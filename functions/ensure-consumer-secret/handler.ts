/** EnsureConsumerSecret: the consumer's SASL password in Secrets Manager, once (steps/consumer-secret.ts). */
import { taskHandler } from '../lib/handler';
import { networkRefsSchema, specOnly } from '../lib/state';
import { ensureConsumerSecret } from '../lib/steps/consumer-secret';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'EnsureConsumerSecret',
  z.extend(specOnly, { network: networkRefsSchema }),
  ({ spec, network }) => ensureConsumerSecret(spec, network.vpcId),
);
