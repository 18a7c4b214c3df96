/**
 * Renders a broker's server.properties (KRaft) from planned facts. Pure: the same broker facts always give
 * the same text, so a re-render with nothing changed is byte-identical and the broker is not restarted.
 */

import { authServerProperties, type ConsumerAuth } from './consumer-auth';

export type ProcessRole = 'broker' | 'controller';

/** Where a broker's server.properties lives on EC2 (the broker script's CONF_DIR). */
export const BROKER_CONF_DIR = '/etc/kafka';

export interface ListenerPorts {
  internal: number;
  controller: number;
}

/** One consumer's listener on the broker: EXTERNAL (the first consumer), EXTERNAL2, … */
export interface ExternalListener {
  /** The Kafka listener name. */
  name: string;
  /** The name and port the broker advertises on it (the consumer reaches it through its NLB listener). */
  host: string;
  port: number;
  /** Where the broker listens for it (the NLB's target port). */
  listenPort: number;
}

export interface BrokerConfigInput {
  clusterName: string;
  nodeId: number;
  processRoles: ProcessRole[];
  /** `1@10.0.0.10:29092,...`: the static KRaft quorum, the same on every node. */
  quorumVoters: string;
  /** Address the listeners bind to: 0.0.0.0 (as the seed) or the broker's own IP. */
  listenAddress: string;
  privateIp: string;
  /** One per consumer, in the spec's order (the first is EXTERNAL). */
  externals: ExternalListener[];
  ports: ListenerPorts;
  rack: string;
  logDirs: string;
  brokerCount: number;
  /** SASL on EXTERNAL and the authorizer (domain/consumer-auth.ts); absent or null: the seed's PLAINTEXT. */
  auth?: ConsumerAuth | null;
  /** The broker's config directory (where the PLAIN credential file is referenced from). */
  confDir?: string;
}

export const SECURITY_PROTOCOL_MAP =
  'INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL';

/**
 * The map with EXTERNAL on SASL_PLAINTEXT when the consumer authenticates, and the listeners of further
 * consumers (EXTERNAL2, …) on PLAINTEXT after EXTERNAL.
 */
export function securityProtocolMap(
  auth: ConsumerAuth | null | undefined,
  externals: readonly Pick<ExternalListener, 'name'>[] = [],
): string {
  const more = externals
    .filter((external) => external.name !== 'EXTERNAL')
    .map((external) => `,${external.name}:PLAINTEXT`)
    .join('');
  const map = SECURITY_PROTOCOL_MAP.replace('EXTERNAL:PLAINTEXT', `EXTERNAL:PLAINTEXT${more}`);
  return auth ? map.replace('EXTERNAL:PLAINTEXT', 'EXTERNAL:SASL_PLAINTEXT') : map;
}

export function advertisedListeners(
  input: Pick<BrokerConfigInput, 'privateIp' | 'ports' | 'externals'>,
): string {
  return [
    `INTERNAL://${input.privateIp}:${input.ports.internal}`,
    ...input.externals.map((external) => `${external.name}://${external.host}:${external.port}`),
  ].join(',');
}

export function listeners(
  input: Pick<BrokerConfigInput, 'processRoles' | 'listenAddress' | 'ports' | 'externals'>,
): string {
  const host = input.listenAddress;
  const parts = [`INTERNAL://${host}:${input.ports.internal}`];
  if (input.processRoles.includes('controller')) parts.push(`CONTROLLER://${host}:${input.ports.controller}`);
  for (const external of input.externals) parts.push(`${external.name}://${host}:${external.listenPort}`);
  return parts.join(',');
}

/** Replication defaults: production values with ≥ 3 brokers, the most the cluster can hold below that. */
export function replicationDefaults(brokerCount: number): {
  replicationFactor: number;
  minInsyncReplicas: number;
} {
  const replicationFactor = Math.min(3, brokerCount);
  return { replicationFactor, minInsyncReplicas: replicationFactor >= 3 ? 2 : 1 };
}

/**
 * The largest record batch a broker accepts: TiCDC's default `max-message-bytes` (10 MiB) plus the 128 bytes
 * TiCDC keeps under the broker's or topic's limit (tiflow pkg/sink/kafka/options.go: it uses
 * min(max-message-bytes, limit − 128) and warns when the limit is the smaller). With Kafka's default (1,048,588)
 * a changefeed with default settings would be held to about 1 MiB and fail on a larger row event. Topics
 * created without a max.message.bytes of their own (TiCDC sets none) inherit it. Followers and consumers still
 * fetch batches this large: replica.fetch.max.bytes and the consumer fetch limits are not absolute maximums
 * (the first batch is always returned: KIP-74; Kafka 3.7 broker configs, replica.fetch.max.bytes).
 */
export const MESSAGE_MAX_BYTES = 10 * 1024 * 1024 + 128;

/**
 * How often the active controller appends a no-op record to the metadata log (Kafka 3.7 broker configs,
 * metadata.max.idle.interval.ms; default 500). In Kafka 3.7 a KRaft follower learns that a metadata record is
 * committed only in the response to a later fetch, and the leader holds a fetch with nothing new for up to 500 ms
 * (KafkaRaftClient.MAX_FETCH_WAIT_MS; fixed upstream after 3.7 by KAFKA-14145, apache/kafka#19800). The
 * leadership moves of a controlled shutdown therefore reached the other brokers 280–405 ms after the controller
 * made them, in our rolls: meanwhile, and until the new leader had taken over each partition, writes to them were
 * refused with NOT_LEADER_OR_FOLLOWER, at times longer than TiCDC's producer retries (5 × 100 ms). A no-op record
 * every 100 ms answers the held fetches sooner: a median of 118 ms, 33–213 ms, in 11 rolls. Cost: 718 bytes a second
 * of metadata log (62 MB a day), which closes a segment weekly and deletes it past 100 MiB once a snapshot
 * covers it (metadata.log.segment.ms, metadata.max.retention.bytes): under 1 GB.
 */
export const METADATA_MAX_IDLE_INTERVAL_MS = 100;

export function renderServerProperties(input: BrokerConfigInput): string {
  const { replicationFactor, minInsyncReplicas } = replicationDefaults(input.brokerCount);
  const entries: [string, string | number][] = [
    ['process.roles', input.processRoles.join(',')],
    ['node.id', input.nodeId],
    ['controller.quorum.voters', input.quorumVoters],
    ['listeners', listeners(input)],
    ['inter.broker.listener.name', 'INTERNAL'],
    ['advertised.listeners', advertisedListeners(input)],
    ['controller.listener.names', 'CONTROLLER'],
    ['listener.security.protocol.map', securityProtocolMap(input.auth, input.externals)],
    ['log.dirs', input.logDirs],
    ['broker.rack', input.rack],
    ['num.partitions', 3],
    ['default.replication.factor', replicationFactor],
    ['min.insync.replicas', minInsyncReplicas],
    ['message.max.bytes', MESSAGE_MAX_BYTES],
    ['offsets.topic.replication.factor', replicationFactor],
    ['transaction.state.log.replication.factor', replicationFactor],
    ['transaction.state.log.min.isr', minInsyncReplicas],
    ['unclean.leader.election.enable', 'false'],
    ['auto.leader.rebalance.enable', 'true'],
    ['group.initial.rebalance.delay.ms', 3000],
    ['metadata.max.idle.interval.ms', METADATA_MAX_IDLE_INTERVAL_MS],
    ...authServerProperties(input.auth ?? null, input.confDir ?? BROKER_CONF_DIR),
  ];
  const lines = entries.map(([key, value]) => {
    const text = String(value);
    if (/[\r\n\\]/.test(text)) throw new RangeError(`${key} cannot hold a line break or backslash`);
    return `${key}=${text}`;
  });
  return [
    `# Managed by kafka-plc for cluster ${input.clusterName}, node ${input.nodeId}.`,
    '# Rendered from the plan: edits here are replaced by the next run.',
    ...lines,
    '',
  ].join('\n');
}

/** Reads `key=value` lines of a properties file (comments and blank lines skipped; no continuations). */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (match?.[1] !== undefined) result.set(match[1], match[2] ?? '');
  }
  return result;
}
