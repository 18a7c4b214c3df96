/** TeardownParameters: deletes the cluster's unique-name SSM parameter (absent → no-op). */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { teardownParameters } from '../lib/steps/teardown';

export const handler = taskHandler('TeardownParameters', specOnly, ({ spec }) => teardownParameters(spec));
