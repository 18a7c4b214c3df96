/**
 * EnsureExistingNetwork: in the existing VPC, the NLB's security group and kafka-plc's EXTERNAL group added
 * to each broker's interface (its own groups kept). Creates no VPC, subnet or gateway.
 */
import { taskHandler } from '../lib/handler';
import { specOnly } from '../lib/state';
import { ensureExistingNetwork } from '../lib/steps/existing';

export const handler = taskHandler('EnsureExistingNetwork', specOnly, ({ spec }) =>
  ensureExistingNetwork(spec),
);
