/**
 * The rehearsal's data plane (`npm start -- --kafka`): the real-Kafka harness (3 KRaft brokers configured
 * by our broker script, haproxy laid out as the NLB listener map), the Run Command executor that lets the
 * provision and roll state machines reach them (test/kafka/control-plane.ts), and the seed's
 * produce/consume check through the private-link path, from a client that resolves the advertised names
 * to haproxy only, with the topic helpers the tests use (test/kafka/topics.ts).
 */
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { Plan } from '../functions/lib/domain/plan';
import { consumerNameMap, consumerSocketFactory } from '../test/kafka/consumer-side';
import { attachControlPlane, type ControlPlane } from '../test/kafka/control-plane';
import { harnessPlan, type KafkaCluster, startKafkaCluster } from '../test/kafka/harness';
import { detachNewProcesses, waitFor } from '../test/kafka/processes';
import { changefeedProducer, createReplicatedTopic } from '../test/kafka/topics';

export {
  attachControlPlane,
  type ControlPlane,
  consumerNameMap,
  detachNewProcesses,
  harnessPlan,
  type KafkaCluster,
  startKafkaCluster,
};

export interface SmokeResult {
  brokers: string[];
  produced: number;
  /** Records the topic grew by (its high watermarks): equal to `produced` when nothing was written twice. */
  written: number;
  consumed: number;
}

const highWatermarks = async (admin: Admin, topic: string) =>
  (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);

/**
 * Metadata through the bootstrap port, then test-topic (3 partitions, RF 3) once every broker serves it,
 * 10 produced as a changefeed does (idempotent, acks=all), the topic grown by exactly 10, 10 consumed.
 * With `plan`, the client resolves only that plan's advertised names (after a roll: the new ones).
 */
export async function seedSmokeCheck(cluster: KafkaCluster, plan?: Plan): Promise<SmokeResult> {
  const names = plan ? consumerNameMap(plan, cluster.haproxyAddress) : cluster.consumerNames;
  const kafka = new Kafka({
    clientId: 'kafka-plc-rehearsal',
    brokers: [`${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`],
    socketFactory: consumerSocketFactory(names, [cluster.haproxyAddress]),
    logLevel: logLevel.NOTHING,
  });
  const topic = 'test-topic';
  const admin = kafka.admin();
  const producer = changefeedProducer(kafka);
  const consumer = kafka.consumer({ groupId: `kafka-plc-rehearsal-${process.pid}` });
  await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  try {
    const described = await admin.describeCluster();
    const brokers = described.brokers.map((b) => `${b.host}:${b.port}`).sort();
    await createReplicatedTopic(kafka, cluster.haproxyAddress, { topic });
    const runId = `${Date.now()}`;
    const messages = Array.from({ length: 10 }, (_, i) => ({
      key: `k${i}`,
      value: `rehearsal ${runId} message ${i + 1}`,
    }));
    const before = await highWatermarks(admin, topic);
    await producer.send({ topic, acks: -1, messages });
    const written = (await highWatermarks(admin, topic)) - before;
    if (written !== messages.length) {
      throw new Error(`${topic} grew by ${written} records for ${messages.length} messages sent`);
    }
    const received = new Set<string>();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString() ?? '';
        if (value.startsWith(`rehearsal ${runId} `)) received.add(value);
      },
    });
    await waitFor('10 messages consumed', () => received.size >= messages.length, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    return { brokers, produced: messages.length, written, consumed: received.size };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}
