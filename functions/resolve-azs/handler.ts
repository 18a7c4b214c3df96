/** ResolveAzs: every AZ ID of the spec exists in the region; returns this account's AZ names. */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { resolveAzs } from '../lib/steps/network';

export const handler = taskHandler('ResolveAzs', specOnly, ({ spec }) => resolveAzs(spec));
