/**
 * The shapes that travel between states of the provisioning workflow, validated once when a handler
 * reads them (a malformed state is a bug or a hand-edited input: it fails with the field named).
 */

import { clusterSpecSchema } from './spec';
import { z } from './zod';

export const networkRefsSchema = z.object({
  vpcId: z.string().check(z.minLength(1)),
  brokerSubnetIds: z.array(z.string().check(z.minLength(1))),
  subnetIdsByName: z.record(z.string(), z.string()),
  publicSubnetId: z.string(),
  internetGatewayId: z.string(),
  natGatewayId: z.string(),
  brokerSecurityGroupId: z.string().check(z.minLength(1)),
  nlbSecurityGroupId: z.string().check(z.minLength(1)),
});

export const brokersRefsSchema = z.object({
  brokers: z.array(
    z.object({
      nodeId: z.number().check(z.multipleOf(1)),
      instanceId: z.string().check(z.minLength(1)),
      // The roll passes its brokers (node and instance) to RegisterTargets, which needs no address.
      privateIp: z._default(z.string(), ''),
    }),
  ),
  launched: z.array(z.number().check(z.multipleOf(1))),
});

/** A configuration's scriptHash (domain/commands.ts). */
const configHash = z.string().check(z.regex(/^[0-9a-f]{16}$/, 'must be a 16-digit hex script hash'));

export const configureCommandsSchema = z.object({
  commands: z.array(
    z.object({
      nodeId: z.number().check(z.multipleOf(1)),
      instanceId: z.string(),
      commandId: z.optional(z.string()),
      sent: z.boolean(),
      hash: configHash,
      recorded: z.optional(z.string()),
    }),
  ),
});

export const loadBalancerRefsSchema = z.object({
  loadBalancerArn: z.string().check(z.minLength(1)),
  loadBalancerDnsName: z.string(),
  targetGroupArns: z.record(z.string(), z.string()),
});

export const endpointServiceRefsSchema = z.object({
  endpointServiceId: z.string().check(z.minLength(1)),
  endpointServiceName: z.string(),
  notification: z.enum(['exists', 'created', 'skipped']),
  uniqueNameParameterCreated: z.boolean(),
});

/** A bounded polling loop's counter, carried by the state machine. */
export const waitSchema = z.object({
  attempt: z.number().check(z.multipleOf(1), z.minimum(0)),
  maxAttempts: z.number().check(z.multipleOf(1), z.minimum(1)),
});

export const specOnly = z.object({ spec: clusterSpecSchema });

export const rollStateSchema = z.object({
  brokers: z.array(
    z.object({ nodeId: z.number().check(z.multipleOf(1)), instanceId: z.string().check(z.minLength(1)) }),
  ),
  pending: z.array(z.number().check(z.multipleOf(1))),
  done: z.array(
    z.object({
      nodeId: z.number().check(z.multipleOf(1)),
      oldAdvertisedListeners: z.string(),
      newAdvertisedListeners: z.string(),
      seconds: z.number(),
      commandId: z.string(),
    }),
  ),
  previousUniqueName: z.string(),
  retiredListeners: z._default(
    z.array(
      z
        .string()
        .check(z.regex(/^EXTERNAL\d*$/, 'must be a kafka-plc listener name (EXTERNAL, EXTERNAL2, …)')),
    ),
    [],
  ),
});

export const rollCommandSchema = z.object({
  nodeId: z.number().check(z.multipleOf(1)),
  instanceId: z.string().check(z.minLength(1)),
  commandId: z.string().check(z.minLength(1)),
  hash: configHash,
  startedAt: z.number(),
});
