/**
 * Who may connect on EXTERNAL, and what they may do (pure). TiDB Cloud's Kafka sink speaks SASL/PLAIN and
 * SASL/SCRAM-SHA-256/512 (not GSSAPI or OAUTHBEARER), and TLS is not an option on the names it assigns (it
 * cannot take a self-signed certificate and nobody else gets a public one for tidbcloud.com): so the
 * consumer authenticates with SASL over the private link, and ACLs give it exactly what a changefeed needs
 * — Create and Write on its topics, DescribeConfigs on the cluster — and nothing else.
 *
 * INTERNAL and CONTROLLER stay PLAINTEXT inside the VPC (the brokers' security group only): their principal
 * is User:ANONYMOUS, the brokers' own, and the only super user. EXTERNAL is SASL_PLAINTEXT, so a principal
 * arriving there has always authenticated as a named user and can never be ANONYMOUS.
 *
 * The password lives in AWS Secrets Manager (`secretName`), is read on the broker by the instance role, and
 * never appears in a script, a Run Command parameter, a log or an execution's input or output:
 *  - SCRAM: stored in the cluster metadata with kafka-configs' --add-config-file (a 0600 file, not the
 *    command line: StorageTool's --add-scram at format time would put it in the process list);
 *  - PLAIN: Kafka's FileConfigProvider reads it from a 0600 file next to server.properties, which only
 *    references it (`${file:…:password}`).
 */

export const CONSUMER_AUTHENTICATIONS = [
  'none',
  'sasl-scram-sha-512',
  'sasl-scram-sha-256',
  'sasl-plain',
] as const;
export type ConsumerAuthentication = (typeof CONSUMER_AUTHENTICATIONS)[number];
export const SASL_USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Kafka topic names are [A-Za-z0-9._-]{1,249}. */
export const TOPIC_PREFIX = /^[A-Za-z0-9._-]{1,200}$/;

export type SaslMechanism = 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN';

const MECHANISMS: Record<Exclude<ConsumerAuthentication, 'none'>, SaslMechanism> = {
  'sasl-scram-sha-512': 'SCRAM-SHA-512',
  'sasl-scram-sha-256': 'SCRAM-SHA-256',
  'sasl-plain': 'PLAIN',
};

export interface ConsumerAuth {
  mechanism: SaslMechanism;
  username: string;
  /** The ACLs' topic scope; null = every topic. */
  topicPrefix: string | null;
  /** The Secrets Manager secret holding the password (its SecretString is the password itself). */
  secretName: string;
}

/** The broker file holding the PLAIN password (FileConfigProvider), in the config directory. */
export const CREDENTIALS_FILE = 'consumer-credentials.properties';
/** SCRAM's iteration count (Kafka's minimum is 4096; 8192 as kafka-configs examples use). */
export const SCRAM_ITERATIONS = 8192;
/** The brokers' own principal on INTERNAL and CONTROLLER (PLAINTEXT): the only super user. */
export const BROKER_PRINCIPAL = 'User:ANONYMOUS';

export function secretNameOf(cluster: string, username: string): string {
  return `kafka-plc/${cluster}/consumer/${username}`;
}

export function consumerAuthOf(
  cluster: string,
  consumer: { authentication: ConsumerAuthentication; username: string; topicPrefix?: string | undefined },
): ConsumerAuth | null {
  if (consumer.authentication === 'none') return null;
  return {
    mechanism: MECHANISMS[consumer.authentication],
    username: consumer.username,
    topicPrefix: consumer.topicPrefix ?? null,
    secretName: secretNameOf(cluster, consumer.username),
  };
}

/** server.properties entries for authentication and authorization (none for a cluster without them). */
export function authServerProperties(auth: ConsumerAuth | null, confDir: string): [string, string][] {
  if (!auth) return [];
  const mechanism = auth.mechanism;
  const module =
    mechanism === 'PLAIN'
      ? `org.apache.kafka.common.security.plain.PlainLoginModule required user_${auth.username}="\${file:${confDir}/${CREDENTIALS_FILE}:password}";`
      : 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return [
    ['listener.name.external.sasl.enabled.mechanisms', mechanism],
    [`listener.name.external.${mechanism.toLowerCase()}.sasl.jaas.config`, module],
    ...(mechanism === 'PLAIN'
      ? ([
          ['config.providers', 'file'],
          ['config.providers.file.class', 'org.apache.kafka.common.config.provider.FileConfigProvider'],
        ] as [string, string][])
      : []),
    ['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
    ['super.users', BROKER_PRINCIPAL],
    ['allow.everyone.if.no.acl.found', 'false'],
  ];
}

export interface AclEntry {
  resourceType: 'TOPIC' | 'CLUSTER';
  name: string;
  patternType: 'LITERAL' | 'PREFIXED';
  /** As kafka-acls takes it (--operation). */
  operation: 'Create' | 'Write' | 'DescribeConfigs';
  permission: 'ALLOW';
  host: '*';
}

/** Exactly the consumer's ACLs: Create and Write on its topic scope, DescribeConfigs on the cluster. */
export function consumerAcls(auth: ConsumerAuth): AclEntry[] {
  const topic = auth.topicPrefix
    ? { resourceType: 'TOPIC' as const, name: auth.topicPrefix, patternType: 'PREFIXED' as const }
    : { resourceType: 'TOPIC' as const, name: '*', patternType: 'LITERAL' as const };
  const common = { permission: 'ALLOW' as const, host: '*' as const };
  return [
    { ...topic, operation: 'Create', ...common },
    { ...topic, operation: 'Write', ...common },
    {
      resourceType: 'CLUSTER',
      name: 'kafka-cluster',
      patternType: 'LITERAL',
      operation: 'DescribeConfigs',
      ...common,
    },
  ];
}

/** One ACL as the broker script compares them: TYPE|NAME|PATTERN|Operation|PERMISSION|HOST (sorted lists). */
export function aclLine(entry: AclEntry): string {
  return [
    entry.resourceType,
    entry.name,
    entry.patternType,
    entry.operation,
    entry.permission,
    entry.host,
  ].join('|');
}
