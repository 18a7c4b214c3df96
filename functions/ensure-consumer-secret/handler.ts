/**
 * EnsureConsumerSecret: the consumer's SASL password in Secrets Manager, once (steps/consumer-secret.ts).
 * Provisioning passes its network; the roll (authentication turned on for a running cluster) does not.
 */
import { taskHandler } from '../lib/handler';
import { networkRefsSchema, specOnly } from '../lib/state';
import { ensureConsumerSecret } from '../lib/steps/consumer-secret';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'EnsureConsumerSecret',
  z.extend(specOnly, { network: z.optional(z.pick(networkRefsSchema, { vpcId: true })) }),
  ({ spec, network }) => ensureConsumerSecret(spec, network?.vpcId),
);
