/** AcquireRollLock: one roll per cluster at a time (acquired, wait, or superseded by a newer unique name). */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { acquireRollLock } from '../lib/steps/roll-lock';
import { z } from '../lib/zod';

const input = z.object({
  execution: z.string().check(z.minLength(1)),
  startedAt: z.string().check(z.minLength(1)),
  request: z.extend(specOnly, {
    parameterVersion: z.optional(z.number().check(z.multipleOf(1))),
    lock: z.object({ attempt: z.number().check(z.multipleOf(1), z.minimum(0)) }),
  }),
});

export const handler = taskHandler('AcquireRollLock', input, ({ execution, startedAt, request }) =>
  acquireRollLock({
    spec: request.spec,
    execution,
    startedAt,
    parameterVersion: request.parameterVersion,
    attempt: request.lock.attempt,
  }),
);
