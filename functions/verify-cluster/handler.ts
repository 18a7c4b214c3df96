/** VerifyCluster: the live cluster against the plan (and, with kafka, Kafka's own health), as `kafka-plc status` reports it. */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { verifyCluster } from '../lib/steps/status';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'VerifyCluster',
  z.extend(specOnly, { kafka: z.boolean() }),
  ({ spec, kafka }) => verifyCluster(spec, { kafka }),
);
