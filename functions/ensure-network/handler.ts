/** EnsureNetwork: VPC, subnets per AZ ID, IGW, NAT gateway, security groups (find by tag, then create). */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { ensureNetwork } from '../lib/steps/network';

export const handler = taskHandler('EnsureNetwork', specOnly, ({ spec }) => ensureNetwork(spec));
