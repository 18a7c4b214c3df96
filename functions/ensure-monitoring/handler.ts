/** EnsureMonitoring: the cluster's CloudWatch alarms (to the stack's alarm topic) and dashboard, written only where they differ. */
import { deployedStage, requireEnv } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { loadBalancerRefsSchema, specOnly } from '../lib/state';
import { ensureMonitoring } from '../lib/steps/monitoring';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'EnsureMonitoring',
  z.extend(specOnly, { loadBalancer: loadBalancerRefsSchema }),
  ({ spec, loadBalancer }) =>
    ensureMonitoring(spec, loadBalancer, requireEnv('ALARM_TOPIC_ARN'), deployedStage()),
);
