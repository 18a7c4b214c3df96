/**
 * The cluster spec: one JSON document, validated once. Field names are a public contract (they are also
 * the Step Functions execution input). Everything a value could later reach (an AWS call, a shell script,
 * a Kafka config file) is constrained here to a safe alphabet, so nothing downstream has to trust it.
 */

import { acceptWindowSettingsSchema } from './domain/accept-window';
import { type Cidr, isCanonicalCidr, overlaps, parseCidr } from './domain/cidr';
import { CONSUMER_AUTHENTICATIONS, SASL_USERNAME, TOPIC_PREFIX } from './domain/consumer-auth';
import { capacityProblem, LARGEST_PREFIX, MAX_BROKERS, SMALLEST_PREFIX, subnetPrefix } from './domain/layout';
import { awaitsUniqueName, essentialPattern, patternProblem } from './domain/listener-pattern';
import { AZ_ID_PATTERN, azIdPrefix, partitionOf, REGION_PATTERN } from './domain/regions';
import { type FieldIssue, SpecValidationError } from './errors';
import { didYouMean } from './suggest';
import { z } from './zod';

export const UNIQUE_NAME_PLACEHOLDER = 'unique_name';

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CLUSTER_NAME = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const KAFKA_VERSION = /^(?<major>\d{1,2})\.(?<minor>\d{1,2})\.(?<patch>\d{1,2})$/;
/**
 * Kafka releases whose KRaft configuration, tools and logging the broker and health scripts match: 3.7–3.9.
 * 4.0 moved logging to log4j2 (KIP-653), while the scripts configure the tools with a log4j 1 properties file;
 * releases before 3.7 are not what the health parser was written and tested against.
 */
const SUPPORTED_KAFKA: readonly (readonly [number, number])[] = [
  [3, 7],
  [3, 8],
  [3, 9],
];
/** IAM principals an endpoint service can allow: an account root, a role or a user. */
const PRINCIPAL_ARN =
  /^arn:(?:aws|aws-us-gov|aws-cn):iam::(?<account>\d{12}):(?:root|role\/[A-Za-z0-9+=,.@_/-]{1,512}|user\/[A-Za-z0-9+=,.@_/-]{1,512})$/;
const AWS_ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8}(?:[0-9a-f]{9})?$`);
const SYSTEMD_SERVICE = /^[A-Za-z0-9@_.:-]{1,200}\.service$/;
/** A consumer's name: it names its target groups (`<cluster>-<name>-b1`) and appears in the plan. */
const CONSUMER_NAME = /^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
/** The most consumers (listener groups) one endpoint service carries; the NLB's 50 listeners bound it too. */
export const MAX_CONSUMERS = 10;
/** An NLB has at most 50 listeners ("Quotas for your Network Load Balancers": listeners per NLB). */
export const MAX_NLB_LISTENERS = 50;

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

/** The top-level NLB and EXTERNAL ports' defaults: the one-consumer shorthand's. */
const SHORTHAND_PORT_DEFAULTS = { bootstrap: 9092, brokerBase: 9093, external: 39092 } as const;

const portsSchema = z.prefault(
  z.strictObject({
    bootstrap: z._default(port, SHORTHAND_PORT_DEFAULTS.bootstrap),
    brokerBase: z._default(port, SHORTHAND_PORT_DEFAULTS.brokerBase),
    internal: z._default(port, 9092),
    controller: z._default(port, 29092),
    external: z._default(port, SHORTHAND_PORT_DEFAULTS.external),
  }),
  {},
);

/**
 * TiDB Cloud's "Kafka Advertised Listener Pattern" per AZ ID, pasted as its console shows it
 * (domain/listener-pattern.ts); the keys are checked against azIds, the values by patternProblem.
 */
const patternsSchema = z.record(
  z.string().check(z.regex(AZ_ID_PATTERN, 'must be an AZ ID like usw2-az1')),
  z.string(),
);

const consumerFields = {
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
  advertisedListenerPatterns: z.optional(patternsSchema),
};

/** The one-consumer shorthand (`consumer`): its ports, unique name and domain are the spec's top-level ones. */
const consumerSchema = z.strictObject(consumerFields);

/** One of `consumers`: a listener group of its own (EXTERNAL, EXTERNAL2, …) with its own NLB ports. */
const namedConsumerSchema = z.strictObject({
  name: z
    .string()
    .check(
      z.regex(CONSUMER_NAME, 'must be 1..16 of [a-z0-9-], start with a letter and not end with a hyphen'),
    ),
  ...consumerFields,
  ports: z.strictObject({ bootstrap: port, brokerBase: port, external: port }),
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
    /** One consumer (today's form). Exactly one of consumer and consumers is given. */
    consumer: z.optional(consumerSchema),
    /** Consumers sharing the endpoint service, each a listener group of its own. */
    consumers: z.optional(
      z
        .array(namedConsumerSchema)
        .check(
          z.minLength(1, `needs 1..${MAX_CONSUMERS} consumers`),
          z.maxLength(MAX_CONSUMERS, `needs 1..${MAX_CONSUMERS} consumers`),
        ),
    ),
    advertisedDomain: z._default(z.string(), 'aws.plc.tidbcloud.com'),
    uniqueName: z._default(z.string(), UNIQUE_NAME_PLACEHOLDER),
    existing: z.optional(existingSchema),
    /** How the unique-name roll restarts brokers (README "Batch rolls"). */
    roll: z.optional(
      z.strictObject({
        /** The most brokers restarted together; 1 (the default) is one at a time. */
        maxBatchSize: z._default(
          z
            .number()
            .check(
              z.multipleOf(1, 'must be a whole number'),
              z.minimum(1, `must be 1..${MAX_BROKERS}`),
              z.maximum(MAX_BROKERS, `must be 1..${MAX_BROKERS}`),
            ),
          1,
        ),
      }),
    ),
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
type ConsumerFields = z.output<typeof consumerSchema>;

/** The name the one-consumer shorthand (`consumer`) gets in the plan. */
export const SHORTHAND_CONSUMER_NAME = 'consumer';

/** A consumer as the plan uses it, whichever form the spec gave it in. */
export interface SpecConsumer extends ConsumerFields {
  name: string;
  /** The Kafka listener of its group: EXTERNAL for the first consumer, then EXTERNAL2, EXTERNAL3, … */
  listenerName: string;
  /** NLB ports (bootstrap, brokerBase + nodeId − 1) and the brokers' listening port behind them. */
  ports: { bootstrap: number; brokerBase: number; external: number };
  /** Per AZ ID: the patterns given, or the Essential default b<id>.<az-id>.unique_name.<advertisedDomain>. */
  patterns: Record<string, string>;
}

export function listenerNameOf(index: number): string {
  return index === 0 ? 'EXTERNAL' : `EXTERNAL${index + 1}`;
}

/** The spec's consumers in order: `consumers`, or the `consumer` shorthand with the top-level ports. */
export function consumersOf(spec: ClusterSpec): SpecConsumer[] {
  const { bootstrap, brokerBase, external } = spec.ports;
  const given =
    spec.consumers ??
    (spec.consumer
      ? [{ ...spec.consumer, name: SHORTHAND_CONSUMER_NAME, ports: { bootstrap, brokerBase, external } }]
      : []);
  return given.map((consumer, index) => ({
    ...consumer,
    listenerName: listenerNameOf(index),
    patterns:
      consumer.advertisedListenerPatterns ??
      Object.fromEntries(spec.azIds.map((azId) => [azId, essentialPattern(azId, spec.advertisedDomain)])),
  }));
}

/** The first consumer: the one whose listener is EXTERNAL (SASL and the accept window's defaults follow it). */
export function primaryConsumer(spec: ClusterSpec): SpecConsumer {
  const first = consumersOf(spec)[0];
  if (!first) throw new SpecValidationError([{ path: 'consumer', value: undefined, message: 'is required' }]);
  return first;
}

/** Whether any consumer's advertised names wait for TiDB Cloud's unique name (then writing it is a roll). */
export function specAwaitsUniqueName(spec: ClusterSpec): boolean {
  return consumersOf(spec).some((consumer) => Object.values(consumer.patterns).some(awaitsUniqueName));
}

interface PathIssue {
  path: (string | number)[];
  message: string;
}

function crossFieldIssues(spec: ClusterSpec): PathIssue[] {
  const issues: PathIssue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });

  const version = KAFKA_VERSION.exec(spec.kafkaVersion)?.groups;
  if (
    version &&
    !SUPPORTED_KAFKA.some(
      ([major, minor]) => Number(version.major) === major && Number(version.minor) === minor,
    )
  )
    add(
      ['kafkaVersion'],
      `is not a release kafka-plc configures: KRaft from 3.7 to 3.9 (${SUPPORTED_KAFKA.map(([a, b]) => `${a}.${b}.x`).join(', ')}; tested on 3.7.1). ` +
        'Kafka 4.0 moved to log4j2, which the scripts do not configure; releases before 3.7 are untested',
    );

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
  const groups = spec.consumers?.length ?? 1;
  if (groups > 1 && total * groups + groups > MAX_NLB_LISTENERS) {
    add(
      ['consumers'],
      `gives ${groups} listener groups × (${total} brokers + 1 bootstrap) = ${total * groups + groups} NLB listeners; an NLB has at most ${MAX_NLB_LISTENERS}`,
    );
  } else if (total > MAX_BROKERS) {
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

  // An existing cluster's NLB ports follow its node IDs (brokerBase + nodeId - 1), not brokersPerAz.
  const brokerSlots = spec.existing ? Math.max(...spec.existing.brokers.map((b) => b.nodeId)) : total;
  issues.push(...consumerIssues(spec, brokerSlots));
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
  const consumers = consumersOf(spec);
  const { internal, controller } = spec.ports;
  const nlbPorts: { from: number; to: number; what: string }[] = [];
  const listen: { path: (string | number)[]; name: string; port: number }[] = [
    { path: ['ports', 'internal'], name: 'ports.internal', port: internal },
    { path: ['ports', 'controller'], name: 'ports.controller', port: controller },
  ];
  consumers.forEach((consumer, index) => {
    const { bootstrap, brokerBase, external } = consumer.ports;
    const portsPath = spec.consumers ? ['consumers', index, 'ports'] : ['ports'];
    const lastBrokerPort = brokerBase + Math.max(total, 1) - 1;
    if (lastBrokerPort > 65535) {
      issues.push({
        path: [...portsPath, 'brokerBase'],
        message: `leaves no room for ${total} broker ports (last would be ${lastBrokerPort})`,
      });
    }
    if (bootstrap >= brokerBase && bootstrap <= lastBrokerPort) {
      issues.push({
        path: [...portsPath, 'bootstrap'],
        message: `collides with the broker NLB ports ${brokerBase}..${lastBrokerPort}`,
      });
    }
    const mine = [
      { from: bootstrap, to: bootstrap, field: 'bootstrap' },
      { from: brokerBase, to: lastBrokerPort, field: 'brokerBase' },
    ].map((range) => ({
      ...range,
      path: [...portsPath, range.field],
      what: pathText([...portsPath, range.field]),
    }));
    for (const range of mine) {
      const clash = nlbPorts.find((other) => other.from <= range.to && range.from <= other.to);
      if (clash)
        issues.push({
          path: range.path,
          message: `overlaps the NLB ports ${clash.from}..${clash.to} of ${clash.what} (each consumer's NLB ports are its own)`,
        });
    }
    nlbPorts.push(...mine);
    const externalPath = [...portsPath, 'external'];
    listen.push({ path: externalPath, name: pathText(externalPath), port: external });
  });
  listen.forEach((entry, index) => {
    const clash = listen.slice(0, index).find((other) => other.port === entry.port);
    if (clash)
      issues.push({
        path: entry.path,
        message: `collides with ${clash.name} (brokers listen on both)`,
      });
  });
  return issues;
}

/** The path of a consumer's field: consumers[i].… or consumer.… */
function consumerPath(
  spec: ClusterSpec,
): (index: number, ...rest: (string | number)[]) => (string | number)[] {
  return (index, ...rest) => (spec.consumers ? ['consumers', index, ...rest] : ['consumer', ...rest]);
}

function consumerIssues(spec: ClusterSpec, brokerSlots: number): PathIssue[] {
  const issues: PathIssue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });
  if (spec.consumer && spec.consumers)
    add(
      ['consumers'],
      'cannot be given with consumer (the one-consumer shorthand): list every consumer in consumers',
    );
  if (!spec.consumer && !spec.consumers) add(['consumer'], 'is required (or consumers, for several)');
  const consumers = consumersOf(spec);
  const pathOf = consumerPath(spec);
  const names = new Map<string, number>();
  let awaiting: number | undefined;
  consumers.forEach((consumer, index) => {
    if (spec.consumers) {
      const same = names.get(consumer.name);
      if (same !== undefined) add(['consumers', index, 'name'], `duplicates consumers[${same}].name`);
      names.set(consumer.name, index);
    }
    if (spec.existing && consumer.authentication !== 'none')
      add(
        pathOf(index, 'authentication'),
        'is not supported with `existing` yet (SASL is configured on clusters kafka-plc provisions); use none',
      );
    if (consumers.length > 1 && consumer.authentication !== 'none')
      add(
        pathOf(index, 'authentication'),
        'is not supported with more than one consumer yet (SASL is configured for one listener group); use none',
      );
    if (consumer.authentication === 'none' && consumer.topicPrefix !== undefined)
      add(
        pathOf(index, 'topicPrefix'),
        `scopes ACLs, which need authentication (set ${pathText(pathOf(index, 'authentication'))})`,
      );

    const blocks: { cidr: Cidr; index: number }[] = [];
    consumer.cidrs.forEach((text, cidrIndex) => {
      const cidr = parseCidr(text);
      if (!cidr || !isCanonicalCidr(text)) return;
      const clash = blocks.find((other) => overlaps(other.cidr, cidr));
      if (clash)
        add(
          pathOf(index, 'cidrs', cidrIndex),
          `overlaps ${pathText(pathOf(index, 'cidrs', clash.index))} (${clash.cidr.text})`,
        );
      blocks.push({ cidr, index: cidrIndex });
    });
    const principals = new Set<string>();
    const partition = partitionOf(spec.region);
    consumer.principals.forEach((arn, principalIndex) => {
      if (principals.has(arn)) add(pathOf(index, 'principals', principalIndex), 'is listed twice');
      principals.add(arn);
      // An endpoint service allows principals of its own partition only (ARNs name the partition).
      const given = arn.split(':')[1];
      if (given && given !== partition)
        add(
          pathOf(index, 'principals', principalIndex),
          `is an ARN of partition ${given}, but region ${spec.region} is in ${partition} (arn:${partition}:iam::…)`,
        );
    });

    const given = consumer.advertisedListenerPatterns;
    if (given) {
      for (const azId of Object.keys(given)) {
        if (!spec.azIds.includes(azId))
          add(
            pathOf(index, 'advertisedListenerPatterns', azId),
            `is not one of azIds (${spec.azIds.join(', ')})`,
          );
      }
      const missing = spec.azIds.filter((azId) => given[azId] === undefined);
      if (missing.length > 0)
        add(
          pathOf(index, 'advertisedListenerPatterns'),
          `has no pattern for ${missing.join(', ')} (one per AZ ID in azIds, as TiDB Cloud shows them)`,
        );
      for (const [azId, pattern] of Object.entries(given)) {
        if (!spec.azIds.includes(azId)) continue;
        const problem = patternProblem(pattern, { azId, region: spec.region, maxNodeId: brokerSlots });
        if (problem) add(pathOf(index, 'advertisedListenerPatterns', azId), problem);
      }
    }
    if (Object.values(consumer.patterns).some(awaitsUniqueName)) {
      if (awaiting !== undefined)
        add(
          pathOf(index, 'advertisedListenerPatterns'),
          `waits for the unique name as consumers[${awaiting}] does; one consumer can: give this one's patterns with ` +
            "TiDB Cloud's name filled in (Essential: `ticloud serverless private-link-connection attach-domains --dry-run` shows it)",
        );
      else awaiting = index;
    }
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

/** The field names of the object schema at `path` (through defaults, optionals and lists), for suggestions. */
function fieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  type Def = {
    type: string;
    innerType?: z.core.$ZodType;
    in?: z.core.$ZodType;
    shape?: Record<PropertyKey, z.core.$ZodType>;
    element?: z.core.$ZodType;
  };
  const WRAPPERS = new Set([
    'default',
    'prefault',
    'optional',
    'nullable',
    'readonly',
    'catch',
    'nonoptional',
  ]);
  const defOf = (type: z.core.$ZodType | undefined) => type?._zod.def as unknown as Def | undefined;
  const unwrap = (type: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let current = type;
    for (let def = defOf(current); def; def = defOf(current)) {
      if (WRAPPERS.has(def.type)) current = def.innerType;
      else if (def.type === 'pipe') current = def.in;
      else break;
    }
    return current;
  };
  let current = unwrap(schema);
  for (const part of path) {
    const def = defOf(current);
    if (def?.type === 'object') current = unwrap(def.shape?.[part]);
    else if (def?.type === 'array') current = unwrap(def.element);
    else return [];
  }
  const def = defOf(current);
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
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
          message: `is not a field of the cluster spec${didYouMean(String(key), fieldsAt(clusterSpecSchema, issue.path))}`,
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
  const issues = [
    ...(result.success ? [] : toFieldIssues(result.error, input)),
    ...perConsumerPortIssues(input),
  ];
  if (issues.length > 0 || !result.success) throw new SpecValidationError(issues);
  return result.data;
}

/**
 * With `consumers`, the NLB ports and the EXTERNAL port are each consumer's (consumers[i].ports); the top-level
 * `ports` keeps the cluster's own (internal, controller). A top-level value other than the default is a
 * mistake (it would apply to nothing); the default itself is what a parsed spec carries (the applied spec,
 * an execution's input), so it passes.
 */
function perConsumerPortIssues(input: unknown): FieldIssue[] {
  if (input === null || typeof input !== 'object') return [];
  const { consumers, ports } = input as Record<string, unknown>;
  if (consumers === undefined || ports === null || typeof ports !== 'object') return [];
  return (['bootstrap', 'brokerBase', 'external'] as const)
    .filter((key) => key in ports && (ports as Record<string, unknown>)[key] !== SHORTHAND_PORT_DEFAULTS[key])
    .map((key) => ({
      path: `ports.${key}`,
      value: (ports as Record<string, unknown>)[key],
      message: `is each consumer's own with consumers: give consumers[i].ports.${key} instead`,
    }));
}
