/**
 * PrepareRoll: the brokers whose running configuration differs from the spec's (a new unique name, a consumer
 * added or removed, authentication turned on). A spec whose names wait for the unique name needs the real one.
 */

import { SpecValidationError } from '../lib/errors';
import { taskHandler } from '../lib/handler';
import { specAwaitsUniqueName, UNIQUE_NAME_PLACEHOLDER } from '../lib/spec';
import { specOnly } from '../lib/state';
import { prepareRoll } from '../lib/steps/roll';
import { z } from '../lib/zod';

const input = z.extend(specOnly, {
  previousUniqueName: z._default(z.string(), UNIQUE_NAME_PLACEHOLDER),
  // 'rename' (roll-brokers): a new unique name; 'expose' (expose-existing): the first patch of existing
  // brokers, which may still advertise the placeholder.
  mode: z._default(z.enum(['rename', 'expose']), 'rename'),
});

export const handler = taskHandler('PrepareRoll', input, ({ spec, previousUniqueName, mode }) => {
  // Back to the placeholder from a real name would take the consumer's names away. A roll that keeps the
  // placeholder (a consumer added before TiDB Cloud's name is known) changes only what else changed.
  if (
    mode === 'rename' &&
    spec.uniqueName === UNIQUE_NAME_PLACEHOLDER &&
    previousUniqueName !== UNIQUE_NAME_PLACEHOLDER &&
    specAwaitsUniqueName(spec)
  ) {
    throw new SpecValidationError([
      {
        path: 'spec.uniqueName',
        value: spec.uniqueName,
        message: `is the placeholder: the brokers advertise "${previousUniqueName}", and a roll needs the real unique name`,
      },
    ]);
  }
  return prepareRoll(spec, previousUniqueName);
});
