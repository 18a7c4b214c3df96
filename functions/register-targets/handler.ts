/** RegisterTargets: each broker in the bootstrap target group and its own, on the EXTERNAL port. */
import { taskHandler } from '../lib/handler';
import { brokersRefsSchema, loadBalancerRefsSchema, specOnly } from '../lib/state';
import { registerBrokerTargets } from '../lib/steps/load-balancer';
import { z } from '../lib/zod';

export const handler = taskHandler(
  'RegisterTargets',
  z.extend(specOnly, { brokers: brokersRefsSchema, loadBalancer: loadBalancerRefsSchema }),
  ({ spec, brokers, loadBalancer }) => registerBrokerTargets(spec, brokers, loadBalancer),
);
