/**
 * The rehearsal's data plane (`npm start -- --kafka`): the real-Kafka harness (3 KRaft brokers configured
 * by our broker script, haproxy laid out as the NLB listener map) and the seed's produce/consume check
 * through the private-link path, from a client that resolves the advertised names to haproxy only.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { consumerSocketFactory } from '../test/kafka/consumer-side';
import { type KafkaCluster, startKafkaCluster } from '../test/kafka/harness';

export { type KafkaCluster, startKafkaCluster };

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface SmokeResult {
  brokers: string[];
  produced: number;
  consumed: number;
}

/** Metadata through the bootstrap port, then test-topic (3 partitions, RF 3), 10 produced, 10 consumed. */
export async function seedSmokeCheck(cluster: KafkaCluster): Promise<SmokeResult> {
  const kafka = new Kafka({
    clientId: 'kafka-plc-rehearsal',
    brokers: [`${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`],
    socketFactory: consumerSocketFactory(cluster.consumerNames, [cluster.haproxyAddress]),
    logLevel: logLevel.NOTHING,
  });
  const topic = 'test-topic';
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  const consumer = kafka.consumer({ groupId: `kafka-plc-rehearsal-${process.pid}` });
  await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  try {
    const described = await admin.describeCluster();
    const brokers = described.brokers.map((b) => `${b.host}:${b.port}`).sort();
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic,
            numPartitions: 3,
            replicationFactor: 3,
            configEntries: [{ name: 'min.insync.replicas', value: '2' }],
          },
        ],
      });
    }
    await until(
      'test-topic fully replicated',
      async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
        const partitions = metadata?.topics[0]?.partitions ?? [];
        return partitions.length === 3 && partitions.every((p) => p.leader >= 0 && p.isr.length === 3);
      },
      60_000,
    );
    const runId = `${Date.now()}`;
    const messages = Array.from({ length: 10 }, (_, i) => ({
      key: `k${i}`,
      value: `rehearsal ${runId} message ${i + 1}`,
    }));
    await producer.send({ topic, acks: -1, messages });
    const received: string[] = [];
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString() ?? '';
        if (value.startsWith(`rehearsal ${runId} `)) received.push(value);
      },
    });
    await until('10 messages consumed', () => received.length >= 10, 60_000);
    return { brokers, produced: messages.length, consumed: received.length };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}
