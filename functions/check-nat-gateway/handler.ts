/** CheckNatGateway: one poll of the NAT gateway state (bounded loop in the state machine). */

import { waitHandler } from '../lib/handler';
import { networkRefsSchema, specOnly, waitSchema } from '../lib/state';
import { natGatewayStatus } from '../lib/steps/network';
import { z } from '../lib/zod';

const input = z.extend(specOnly, { network: networkRefsSchema, wait: waitSchema });
export const handler = waitHandler('CheckNatGateway', input, ({ spec, network }: z.output<typeof input>) =>
  natGatewayStatus(spec, network),
);
