/**
 * DiscoverBrokers: each broker of spec.existing found in EC2 (running, in existing.vpcId, in one of the
 * consumer's AZ IDs); returns the spec with their AZ ID, subnet and private IP filled in.
 */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { discoverBrokers } from '../lib/steps/existing';

export const handler = taskHandler('DiscoverBrokers', specOnly, ({ spec }) => discoverBrokers(spec));
