/** probeClusters: the scheduled health probe (EventBridge rate rule) publishing each cluster's KafkaPlc metrics. */
import { deployedStage, requireEnv } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { probeClusters } from '../lib/steps/monitoring';
import { z } from '../lib/zod';

export const handler = taskHandler('ProbeClusters', z.unknown(), () =>
  probeClusters(requireEnv('AWS_REGION'), deployedStage()),
);
