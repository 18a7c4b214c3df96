/**
 * The cluster spec: one JSON document, validated once. Field names are a public contract (they are also
 * the Step Functions execution input). Everything a value could later reach (an AWS call, a shell script,
 * a Kafka config file) is constrained here to a safe alphabet, so nothing downstream has to trust it.
 */

import { acceptWindowSettingsSchema } from './domain/accept-window';
import { type Cidr, isCanonicalCidr, overlaps, parseCidr } from './domain/cidr';
import { CONSUMER_AUTHENTICATIONS, SASL_USERNAME, TOPIC_PREFIX } from './domain/consumer-auth';
import { capacityProblem, LARGEST_PREFIX, MAX_BROKERS, SMALLEST_PREFIX, subnetPrefix } from './domain/layout';
import { AZ_ID_PATTERN, azIdPrefix, REGION_PATTERN } from './domain/regions';
import { type FieldIssue, SpecValidationError } from './errors';
import { z } from './zod';

export const UNIQUE_NAME_PLACEHOLDER = 'unique_name';

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CLUSTER_NAME = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const KAFKA_VERSION = /^(?<major>\d{1,2})\.(?<minor>\d{1,2})\.(?<patch>\d{1,2})$/;
/** IAM principals an endpoint service can allow: an account root, a role or a user. */
const PRINCIPAL_ARN =
  /^arn:(?:aws|aws-us-gov|aws-cn):iam::(?<account>\d{12}):(?:root|role\/[A-Za-z0-9+=,.@_/-]{1,512}|user\/[A-Za-z0-9+=,.@_/-]{1,512})$/;
const AWS_ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8}(?:[0-9a-f]{9})?$`);
const SYSTEMD_SERVICE = /^[A-Za-z0-9@_.:-]{1,200}\.service$/;

export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

export function isDnsName(value: string): boolean {
  const labels = value.split('.');
  return (
    value.length <= 253 &&
    labels.length >= 2 &&
    labels.every(isDnsLabel) &&
    !/^\d+$/.test(labels.at(-1) ?? '')
  );
}

/** The account ID of an allowed-principal ARN. */
export function principalAccount(arn: string): string | undefined {
  return PRINCIPAL_ARN.exec(arn)?.groups?.account;
}

const port = z
  .number()
  .check(
    z.multipleOf(1, 'must be a whole number'),
    z.minimum(1, 'must be 1..65535'),
    z.maximum(65535, 'must be 1..65535'),
  );

const cidrText = (what: string) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const cidr = parseCidr(value);
      if (!cidr) ctx.addIssue({ code: 'custom', message: `is not an IPv4 CIDR block (${what})` });
      else if (!isCanonicalCidr(value)) {
        ctx.addIssue({ code: 'custom', message: `has host bits set; did you mean ${cidr.text}?` });
      }
    }),
  );

const portsSchema = z.prefault(
  z.strictObject({
    bootstrap: z._default(port, 9092),
    brokerBase: z._default(port, 9093),
    internal: z._default(port, 9092),
    controller: z._default(port, 29092),
    external: z._default(port, 39092),
  }),
  {},
);

const consumerSchema = z.strictObject({
  principals: z
    .array(
      z
        .string()
        .check(
          z.regex(
            PRINCIPAL_ARN,
            'must be an IAM principal ARN like arn:aws:iam::123456789012:root (or :role/NAME)',
          ),
        ),
    )
    .check(z.minLength(1, 'needs at least one principal')),
  cidrs: z.array(cidrText('e.g. 10.1.0.0/16')).check(z.minLength(1, 'needs at least one CIDR')),
  /** The accept window provisioning opens (once per cluster): domain/accept-window.ts. */
  acceptWindow: z.prefault(acceptWindowSettingsSchema, {}),
  /**
   * How the consumer authenticates on EXTERNAL (domain/consumer-auth.ts): none (the seed: PLAINTEXT) or SASL
   * with one mechanism TiDB Cloud's Kafka sink speaks; then ACLs limit it to `topicPrefix`.
   */
  authentication: z._default(
    z.enum(CONSUMER_AUTHENTICATIONS, {
      error: `must be one of ${CONSUMER_AUTHENTICATIONS.join(', ')}`,
    }),
    'none',
  ),
  username: z._default(
    z
      .string()
      .check(z.regex(SASL_USERNAME, 'must be 1..64 of [A-Za-z0-9._-] (a SASL user name, also in the ACLs)')),
    'tidbcloud',
  ),
  topicPrefix: z.optional(
    z
      .string()
      .check(
        z.regex(
          TOPIC_PREFIX,
          'must be 1..200 of [A-Za-z0-9._-] (the start of every topic the consumer may create and write)',
        ),
      ),
  ),
});

const existingSchema = z.strictObject({
  vpcId: z.string().check(z.regex(AWS_ID('vpc'), 'must be a VPC ID like vpc-0123456789abcdef0')),
  brokers: z
    .array(
      z.strictObject({
        instanceId: z.string().check(z.regex(AWS_ID('i'), 'must be an instance ID like i-0123456789abcdef0')),
        nodeId: z.number().check(z.multipleOf(1), z.minimum(1), z.maximum(MAX_BROKERS)),
        configPath: z._default(
          z
            .string()
            .check(z.regex(/^\/[A-Za-z0-9._/-]+$/, 'must be an absolute path of letters, digits, . _ / -')),
          '/opt/kafka/config/kraft/server.properties',
        ),
        /** The broker's systemd unit, restarted (SIGTERM) after its server.properties is patched. */
        serviceName: z._default(
          z
            .string()
            .check(z.regex(SYSTEMD_SERVICE, 'must be a systemd service unit name like kafka.service')),
          'kafka.service',
        ),
        // Discovered facts: DiscoverBrokers fills them in from EC2 (optional in a spec file; when given,
        // they must agree with EC2). The plan of an existing cluster is built from them.
        azId: z.optional(z.string().check(z.regex(AZ_ID_PATTERN, 'must be an AZ ID like usw2-az1'))),
        subnetId: z.optional(
          z.string().check(z.regex(AWS_ID('subnet'), 'must be a subnet ID like subnet-0123456789abcdef0')),
        ),
        privateIp: z.optional(
          z
            .string()
            .check(
              z.refine(
                (value) => parseCidr(`${value}/32`) !== undefined,
                'must be an IPv4 address like 10.0.0.10',
              ),
            ),
        ),
      }),
    )
    .check(z.minLength(1, 'needs at least one broker')),
});

export const clusterSpecSchema = z
  .strictObject({
    clusterName: z.string().check(
      z.regex(CLUSTER_NAME, 'must be 1..32 of [a-z0-9-], start with a letter and not end with a hyphen'),
      // It starts the NLB's name, and CreateLoadBalancer refuses names beginning with "internal-".
      z.refine((name: string) => !name.startsWith('internal-'), {
        message:
          'must not begin with "internal-" (the load balancer is named after it, and AWS refuses that)',
      }),
    ),
    region: z.string().check(z.regex(REGION_PATTERN, 'must be an AWS region code like us-west-2')),
    azIds: z
      .array(z.string().check(z.regex(AZ_ID_PATTERN, 'must be an AZ ID like usw2-az1')))
      .check(z.minLength(1, 'needs 1..6 AZ IDs'), z.maxLength(6, 'needs 1..6 AZ IDs')),
    vpcCidr: z._default(cidrText('e.g. 10.0.0.0/16'), '10.0.0.0/16'),
    brokersPerAz: z._default(
      z.number().check(z.multipleOf(1, 'must be a whole number'), z.minimum(1, 'must be at least 1')),
      1,
    ),
    instanceType: z._default(
      z.string().check(z.regex(INSTANCE_TYPE, 'must be an EC2 instance type like t3.large')),
      't3.large',
    ),
    kafkaVersion: z._default(
      z.string().check(z.regex(KAFKA_VERSION, 'must be a release number like 3.7.1')),
      '3.7.1',
    ),
    ports: portsSchema,
    consumer: consumerSchema,
    advertisedDomain: z._default(z.string(), 'aws.plc.tidbcloud.com'),
    uniqueName: z._default(z.string(), UNIQUE_NAME_PLACEHOLDER),
    existing: z.optional(existingSchema),
  })
  .check(
    z.superRefine((spec, ctx) => {
      for (const issue of crossFieldIssues(spec as ClusterSpec)) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    }),
  );

export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;
export type ClusterSpec = z.output<typeof clusterSpecSchema>;

interface PathIssue {
  path: (string | number)[];
  message: string;
}

function crossFieldIssues(spec: ClusterSpec): PathIssue[] {
  const issues: PathIssue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });

  const prefix = azIdPrefix(spec.region);
  if (prefix === undefined)
    add(['region'], 'is not a known AWS region code shape (e.g. us-west-2, ap-northeast-1)');
  const seen = new Map<string, number>();
  spec.azIds.forEach((azId, index) => {
    const first = seen.get(azId);
    if (first !== undefined) add(['azIds', index], `duplicates azIds[${first}]`);
    else seen.set(azId, index);
    const azPrefix = AZ_ID_PATTERN.exec(azId)?.groups?.prefix;
    if (prefix && azPrefix && azPrefix !== prefix) {
      add(['azIds', index], `is not an AZ ID of region ${spec.region} (expected ${prefix}-az<N>)`);
    }
  });

  const total = spec.brokersPerAz * spec.azIds.length;
  if (total > MAX_BROKERS) {
    add(
      ['brokersPerAz'],
      `gives ${total} brokers over ${spec.azIds.length} AZs; at most ${MAX_BROKERS} fit behind one NLB (50 listeners, one is bootstrap)`,
    );
  }

  const vpc = parseCidr(spec.vpcCidr);
  if (vpc && isCanonicalCidr(spec.vpcCidr)) {
    if (vpc.prefix < LARGEST_PREFIX || vpc.prefix > SMALLEST_PREFIX) {
      add(['vpcCidr'], `must be /${LARGEST_PREFIX} to /${SMALLEST_PREFIX} (AWS VPC limits)`);
    } else {
      const problem = capacityProblem(subnetPrefix(vpc.prefix, spec.azIds.length), spec.brokersPerAz);
      if (problem)
        add(['vpcCidr'], `is too small for ${spec.azIds.length} broker subnets and a public one: ${problem}`);
    }
  }

  if (spec.existing && spec.consumer.authentication !== 'none')
    add(
      ['consumer', 'authentication'],
      'is not supported with `existing` yet (SASL is configured on clusters kafka-plc provisions); use none',
    );
  if (spec.consumer.authentication === 'none' && spec.consumer.topicPrefix !== undefined)
    add(['consumer', 'topicPrefix'], 'scopes ACLs, which need authentication (set consumer.authentication)');

  const consumerBlocks: { cidr: Cidr; index: number }[] = [];
  spec.consumer.cidrs.forEach((text, index) => {
    const cidr = parseCidr(text);
    if (!cidr || !isCanonicalCidr(text)) return;
    const clash = consumerBlocks.find((other) => overlaps(other.cidr, cidr));
    if (clash)
      add(['consumer', 'cidrs', index], `overlaps consumer.cidrs[${clash.index}] (${clash.cidr.text})`);
    consumerBlocks.push({ cidr, index });
  });
  const principals = new Set<string>();
  spec.consumer.principals.forEach((arn, index) => {
    if (principals.has(arn)) add(['consumer', 'principals', index], 'is listed twice');
    principals.add(arn);
  });

  // An existing cluster's NLB ports follow its node IDs (brokerBase + nodeId - 1), not brokersPerAz.
  const brokerSlots = spec.existing ? Math.max(...spec.existing.brokers.map((b) => b.nodeId)) : total;
  issues.push(...portIssues(spec, brokerSlots));

  if (!isDnsName(spec.advertisedDomain)) {
    add(
      ['advertisedDomain'],
      'must be a lower-case DNS name of at least two labels (e.g. aws.plc.tidbcloud.com)',
    );
  }
  if (spec.uniqueName !== UNIQUE_NAME_PLACEHOLDER && !isDnsLabel(spec.uniqueName)) {
    add(
      ['uniqueName'],
      `must be "${UNIQUE_NAME_PLACEHOLDER}" (the placeholder) or a DNS label of 1..63 [a-z0-9-]`,
    );
  }
  const longest = `b${brokerSlots}.${spec.azIds[0] ?? ''}.${spec.uniqueName}.${spec.advertisedDomain}`;
  if (longest.length > 253) add(['advertisedDomain'], `makes advertised names longer than 253 characters`);

  if (spec.existing) issues.push(...existingIssues(spec));
  return issues;
}

function portIssues(spec: ClusterSpec, total: number): PathIssue[] {
  const issues: PathIssue[] = [];
  const { bootstrap, brokerBase, internal, controller, external } = spec.ports;
  const lastBrokerPort = brokerBase + Math.max(total, 1) - 1;
  if (lastBrokerPort > 65535) {
    issues.push({
      path: ['ports', 'brokerBase'],
      message: `leaves no room for ${total} broker ports (last would be ${lastBrokerPort})`,
    });
  }
  if (bootstrap >= brokerBase && bootstrap <= lastBrokerPort) {
    issues.push({
      path: ['ports', 'bootstrap'],
      message: `collides with the broker NLB ports ${brokerBase}..${lastBrokerPort}`,
    });
  }
  const listen: [string, number][] = [
    ['internal', internal],
    ['controller', controller],
    ['external', external],
  ];
  listen.forEach(([name, value], index) => {
    const clash = listen.slice(0, index).find(([, other]) => other === value);
    if (clash)
      issues.push({
        path: ['ports', name],
        message: `collides with ports.${clash[0]} (brokers listen on both)`,
      });
  });
  return issues;
}

function existingIssues(spec: ClusterSpec): PathIssue[] {
  const issues: PathIssue[] = [];
  const brokers = spec.existing?.brokers ?? [];
  const nodeIds = new Map<number, number>();
  const instances = new Map<string, number>();
  brokers.forEach((broker, index) => {
    const sameNode = nodeIds.get(broker.nodeId);
    if (sameNode !== undefined) {
      issues.push({
        path: ['existing', 'brokers', index, 'nodeId'],
        message: `duplicates existing.brokers[${sameNode}]`,
      });
    }
    nodeIds.set(broker.nodeId, index);
    const sameInstance = instances.get(broker.instanceId);
    if (sameInstance !== undefined) {
      issues.push({
        path: ['existing', 'brokers', index, 'instanceId'],
        message: `duplicates existing.brokers[${sameInstance}]`,
      });
    }
    instances.set(broker.instanceId, index);
  });
  return issues;
}

/** `consumer.cidrs[0]` from ['consumer', 'cidrs', 0]. */
export function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function toFieldIssues(error: z.core.$ZodError, input: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // A value of the wrong type gets that one message, not also the checks that ran on it regardless.
  const wrongType = new Set(
    error.issues.filter((i) => i.code === 'invalid_type').map((i) => pathText(i.path)),
  );
  for (const issue of error.issues) {
    if (issue.code !== 'invalid_type' && wrongType.has(pathText(issue.path))) continue;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        issues.push({
          path: pathText(path),
          value: valueAt(input, path),
          message: 'is not a field of the cluster spec',
        });
      }
      continue;
    }
    issues.push({
      path: pathText(issue.path) || '(spec)',
      value: valueAt(input, issue.path),
      message: issue.message,
    });
  }
  return issues;
}

/** Validates a parsed JSON document as a cluster spec, applying defaults; throws SpecValidationError. */
export function parseClusterSpec(input: unknown): ClusterSpec {
  const result = clusterSpecSchema.safeParse(input);
  if (!result.success) throw new SpecValidationError(toFieldIssues(result.error, input));
  return result.data;
}
