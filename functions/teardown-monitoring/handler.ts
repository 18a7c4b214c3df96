/** TeardownMonitoring: the cluster's alarms and dashboard, first (brokers removed on purpose alarm no one). */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { removeMonitoring } from '../lib/steps/monitoring';

export const handler = taskHandler('TeardownMonitoring', specOnly, ({ spec }) =>
  removeMonitoring(spec.region, spec.clusterName),
);
