/** CheckNatGateway: one poll of the NAT gateway state (bounded loop in the state machine). */
import type { z } from 'zod';
import { waitHandler } from '../lib/handler';
import { networkRefsSchema, specOnly, waitSchema } from '../lib/state';
import { natGatewayStatus } from '../lib/steps/network';

const input = specOnly.extend({ network: networkRefsSchema, wait: waitSchema });
export const handler = waitHandler('CheckNatGateway', input, ({ spec, network }: z.output<typeof input>) =>
  natGatewayStatus(spec, network),
);
