/**
 * Topics and producers on the consumer side, as a changefeed uses them, without the race a new topic has
 * on KRaft: CreateTopics returns once the controller committed the topic, but each broker learns of it
 * only when it replays the metadata log, and a broker that has not yet answers Produce for it with
 * UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this topic-partition"). A non-idempotent client
 * that then retries a batch writes the partitions that had already succeeded a second time.
 *
 * So: a topic is ready only when *every* broker's own metadata has it (each asked through its own NLB port,
 * which reaches that broker alone) and the leader of every partition serves it (ListOffsets goes to each
 * leader and is answered by its replica manager, the same code that answers Produce); and producers are
 * idempotent with acks=all, so a retried batch cannot duplicate whatever else happens.
 */
import { connect } from 'node:net';
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { waitFor } from './processes';

export interface TopicSpec {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  minInsyncReplicas?: number;
  /** Other topic configs (name → value). */
  configs?: Record<string, string>;
}

/**
 * The tests' changefeed-like producer: acks=all and one request in flight per broker, as TiCDC's Kafka sink
 * configures Sarama (tiflow pkg/sink/kafka/sarama.go), and idempotent besides (TiCDC leaves idempotence off;
 * here the broker drops a retried batch it already has, by producer ID and sequence number, so a count of
 * what was written cannot hold duplicates). TiCDC's own client, as configured, is test/sarama.
 */
export function changefeedProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** An admin client whose every connection goes to `address:port`, so every answer comes from one broker. */
function pinnedAdmin(address: string, port: number): Admin {
  return new Kafka({
    clientId: `kafka-plc-pinned-${port}`,
    brokers: [`${address}:${port}`],
    socketFactory: ({ onConnect }) => connect({ host: address, port }, onConnect),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
}

/** What a broker's metadata says of `topic`: why it is not ready yet, or undefined when it is. */
async function notReadyOn(admin: Admin, topic: string, partitions: number, replicas: number) {
  const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  if (described?.partitions.length !== partitions) {
    return `${described?.partitions.length ?? 0} of ${partitions} partitions`;
  }
  const short = described.partitions.filter((p) => p.leader < 0 || p.isr.length !== replicas);
  return short.length === 0
    ? undefined
    : `partitions ${short.map((p) => p.partitionId).join(',')} not led or ISR short`;
}

/**
 * Waits until every broker (each asked through its own advertised port on `endpointAddress`) has `topic`
 * with `partitions` partitions, each led and with `replicas` in-sync replicas, and until the leader of
 * every partition answers ListOffsets for it. `admin` is a connected client of the consumer side.
 */
export async function waitUntilServed(
  admin: Admin,
  endpointAddress: string,
  topic: string,
  options: { partitions: number; replicas: number; timeoutMs?: number },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const { brokers } = await admin.describeCluster();
  const pinned = brokers.map((b) => ({ nodeId: b.nodeId, admin: pinnedAdmin(endpointAddress, b.port) }));
  try {
    await Promise.all(pinned.map((p) => p.admin.connect()));
    let last = '';
    await waitFor(
      `every broker's metadata to have ${topic} (${options.partitions} partitions, ISR ${options.replicas})`,
      async () => {
        for (const p of pinned) {
          const reason = await notReadyOn(p.admin, topic, options.partitions, options.replicas);
          if (reason) {
            last = `broker ${p.nodeId}: ${reason}`;
            return false;
          }
        }
        return true;
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${last}`, { cause: error });
    });
  } finally {
    await Promise.allSettled(pinned.map((p) => p.admin.disconnect()));
  }
  await waitFor(
    `the leader of each of ${topic}'s ${options.partitions} partitions to serve it (ListOffsets)`,
    async () => (await admin.fetchTopicOffsets(topic)).length === options.partitions,
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * Creates `topic` (default 3 partitions, RF 3, min.insync.replicas 2) unless it exists, then waits until
 * it is served everywhere (waitUntilServed). Returns whether this call created it.
 */
export async function createReplicatedTopic(
  kafka: Kafka,
  endpointAddress: string,
  spec: TopicSpec,
): Promise<{ created: boolean }> {
  const partitions = spec.partitions ?? 3;
  const replicas = spec.replicationFactor ?? 3;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [
        {
          topic: spec.topic,
          numPartitions: partitions,
          replicationFactor: replicas,
          configEntries: [
            { name: 'min.insync.replicas', value: String(spec.minInsyncReplicas ?? 2) },
            ...Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
          ],
        },
      ],
      waitForLeaders: false,
    });
    await waitUntilServed(admin, endpointAddress, spec.topic, { partitions, replicas });
    return { created };
  } finally {
    await admin.disconnect();
  }
}

export interface UnderMinIsr {
  topic: string;
  partition: number;
  isr: number[];
  at: number;
}

export interface IsrWatch {
  /** Stops polling; every partition seen with fewer in-sync replicas than its topic's min.insync.replicas. */
  stop(): Promise<{ samples: number; underMinIsr: UnderMinIsr[] }>;
}

/**
 * Polls every topic's metadata (`intervalMs` apart) and records each partition seen with an ISR smaller than
 * `minInsyncReplicas` (the harness's topics and __consumer_offsets all use 2) while its replication factor is
 * larger — what an acks=all producer would get NotEnoughReplicas for. A poll a restarting broker cannot answer
 * is skipped (counted only when it answers).
 */
export async function watchIsr(
  kafka: Kafka,
  options: { minInsyncReplicas?: number; intervalMs?: number } = {},
): Promise<IsrWatch> {
  const minIsr = options.minInsyncReplicas ?? 2;
  const admin = kafka.admin();
  await admin.connect();
  const underMinIsr: UnderMinIsr[] = [];
  let samples = 0;
  let watching = true;
  const loop = (async () => {
    while (watching) {
      try {
        const { topics } = await admin.fetchTopicMetadata();
        samples += 1;
        for (const t of topics)
          for (const p of t.partitions)
            if (p.replicas.length > minIsr && p.isr.length < minIsr)
              underMinIsr.push({ topic: t.name, partition: p.partitionId, isr: p.isr, at: Date.now() });
      } catch {
        // a broker restarting: this poll is not a sample
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  })();
  return {
    async stop() {
      watching = false;
      await loop;
      await admin.disconnect().catch(() => undefined);
      return { samples, underMinIsr };
    },
  };
}
