/** OpenAcceptWindow: provisioning's accept window, opened once per cluster (steps/accept-window.ts). */
import { requireEnv } from '../lib/env';
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { openFirstWindow } from '../lib/steps/accept-window';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'OpenAcceptWindow',
  z.extend(specOnly, { execution: z.string().check(z.minLength(1)) }),
  ({ spec, execution }) => openFirstWindow(spec, execution, requireEnv('ACCEPT_TABLE')),
);
