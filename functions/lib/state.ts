/**
 * The shapes that travel between states of the provisioning workflow, validated once when a handler
 * reads them (a malformed state is a bug or a hand-edited input: it fails with the field named).
 */
import { z } from 'zod';
import { clusterSpecSchema } from './spec';

export const networkRefsSchema = z.object({
  vpcId: z.string().min(1),
  brokerSubnetIds: z.array(z.string().min(1)),
  subnetIdsByName: z.record(z.string(), z.string()),
  publicSubnetId: z.string(),
  internetGatewayId: z.string(),
  natGatewayId: z.string(),
  brokerSecurityGroupId: z.string().min(1),
  nlbSecurityGroupId: z.string().min(1),
});

export const brokersRefsSchema = z.object({
  brokers: z.array(
    z.object({ nodeId: z.number().int(), instanceId: z.string().min(1), privateIp: z.string() }),
  ),
  launched: z.array(z.number().int()),
});

export const configureCommandsSchema = z.object({
  commands: z.array(
    z.object({ nodeId: z.number().int(), instanceId: z.string(), commandId: z.string(), sent: z.boolean() }),
  ),
});

export const loadBalancerRefsSchema = z.object({
  loadBalancerArn: z.string().min(1),
  loadBalancerDnsName: z.string(),
  targetGroupArns: z.record(z.string(), z.string()),
});

export const endpointServiceRefsSchema = z.object({
  endpointServiceId: z.string().min(1),
  endpointServiceName: z.string(),
  notification: z.enum(['exists', 'created', 'skipped']),
  uniqueNameParameterCreated: z.boolean(),
});

/** A bounded polling loop's counter, carried by the state machine. */
export const waitSchema = z.object({
  attempt: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
});

export const specOnly = z.object({ spec: clusterSpecSchema });

export const rollStateSchema = z.object({
  brokers: z.array(z.object({ nodeId: z.number().int(), instanceId: z.string().min(1) })),
  pending: z.array(z.number().int()),
  done: z.array(
    z.object({
      nodeId: z.number().int(),
      oldAdvertisedListeners: z.string(),
      newAdvertisedListeners: z.string(),
      seconds: z.number(),
      commandId: z.string(),
    }),
  ),
  previousUniqueName: z.string(),
});

export const rollCommandSchema = z.object({
  nodeId: z.number().int(),
  instanceId: z.string().min(1),
  commandId: z.string().min(1),
  startedAt: z.number(),
});
