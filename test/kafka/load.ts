/**
 * Client-side load on the harness, as TiDB Cloud's changefeed would apply it, through the private-link
 * path only (kafkajs resolving advertised names to haproxy): a continuous idempotent
 * producer (acks=all) with a consumer reading alongside, and a fresh read of a whole topic afterwards.
 */
import { Kafka, type logCreator, logLevel } from 'kafkajs';
import { consumerSocketFactory } from './consumer-side';
import { waitFor } from './processes';
import { changefeedProducer, createReplicatedTopic } from './topics';

export interface ClientSide {
  bootstrap: string;
  /** Advertised name → address (haproxy's); read at each connection, so names added later resolve. */
  names: Map<string, string>;
  haproxyAddress: string;
  /** kafkajs log lines (WARN and above), for a failed test's report. */
  log?: string[];
}

export function clientLogger(lines: string[]): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const name = Object.entries(logLevel).find(([, value]) => value === level)?.[0] ?? level;
      lines.push(`${new Date().toISOString()} ${name} ${namespace}: ${JSON.stringify(log)}`);
    };
}

/**
 * A kafkajs client of the consumer side. Retries are bounded like the Java producer's delivery timeout:
 * up to 10 retries, 250 ms growing to 5 s between them (about 30 s in all).
 */
export function consumerSideKafka(side: ClientSide, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [side.bootstrap],
    socketFactory: consumerSocketFactory(side.names, [side.haproxyAddress]),
    logLevel: logLevel.WARN,
    logCreator: clientLogger(side.log ?? []),
    retry: { retries: 10, initialRetryTime: 250, maxRetryTime: 5_000 },
  });
}

export interface FailedSend {
  key: string;
  error: string;
  at: number;
}

export interface LoadReport {
  /** Keys whose send resolved (acks=all: every in-sync replica has them). */
  acked: string[];
  /** Sends that still failed after the client's retries. */
  failed: FailedSend[];
  /** Key → times the live consumer saw it (more than once after a rebalance is allowed). */
  consumed: Map<string, number>;
  /** Acked keys the live consumer never saw. */
  lost: string[];
  producedMs: number;
}

export interface RunningLoad {
  ackedCount(): number;
  consumedCount(): number;
  /** Resolves when the live consumer has seen `count` distinct keys. */
  consumedAtLeast(count: number, timeoutMs: number): Promise<void>;
  /** Stops producing, waits (bounded) until the consumer has every acked key, stops both, reports. */
  stop(drainTimeoutMs?: number): Promise<LoadReport>;
}

/**
 * Produces `<prefix>-<n>` continuously (one message per send, idempotent, acks=all, `intervalMs` apart)
 * and consumes the topic from the beginning with its own group, until stop().
 */
export async function startLoad(
  kafka: Kafka,
  topic: string,
  options: { prefix: string; intervalMs?: number },
): Promise<RunningLoad> {
  const producer = changefeedProducer(kafka);
  const consumer = kafka.consumer({ groupId: `kafka-plc-load-${options.prefix}-${process.pid}` });
  const acked: string[] = [];
  const failed: FailedSend[] = [];
  const consumed = new Map<string, number>();
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = String(message.key);
      consumed.set(key, (consumed.get(key) ?? 0) + 1);
    },
  });
  let producing = true;
  const started = Date.now();
  const producerLoop = (async () => {
    for (let n = 0; producing; n += 1) {
      const key = `${options.prefix}-${n}`;
      try {
        await producer.send({ topic, acks: -1, messages: [{ key, value: `${key} @ ${Date.now()}` }] });
        acked.push(key);
      } catch (error) {
        failed.push({ key, error: error instanceof Error ? error.message : String(error), at: Date.now() });
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
    }
  })();
  const distinct = () => consumed.size;
  return {
    ackedCount: () => acked.length,
    consumedCount: distinct,
    consumedAtLeast: (count, timeoutMs) =>
      waitFor(`the consumer to see ${count} messages`, () => distinct() >= count, {
        timeoutMs,
        intervalMs: 100,
      }).then(() => undefined),
    async stop(drainTimeoutMs = 60_000) {
      producing = false;
      await producerLoop;
      const producedMs = Date.now() - started;
      const missing = () => acked.filter((key) => !consumed.has(key));
      try {
        await waitFor('the consumer to see every acknowledged message', () => missing().length === 0, {
          timeoutMs: drainTimeoutMs,
          intervalMs: 100,
        });
      } catch {
        // reported as lost below
      }
      await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
      return { acked, failed, consumed, lost: missing(), producedMs };
    },
  };
}

/** Every key in the topic now, read by a new consumer group from the beginning up to the high watermarks. */
export async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  groupId: string,
): Promise<{
  keys: Map<string, number>;
  offsets: { partition: number; low: number; high: number }[];
}> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = (await admin.fetchTopicOffsets(topic)).map((p) => ({
    partition: p.partition,
    low: Number(p.low),
    high: Number(p.high),
  }));
  await admin.disconnect();
  const total = offsets.reduce((sum, p) => sum + p.high - p.low, 0);
  const keys = new Map<string, number>();
  let read = 0;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        read += 1;
        const key = String(message.key);
        keys.set(key, (keys.get(key) ?? 0) + 1);
      },
    });
    await waitFor(`${total} messages of ${topic} read again`, () => read >= total, {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
  } finally {
    await consumer.disconnect();
  }
  return { keys, offsets };
}

/**
 * The seed's smoke test: `count` messages produced (idempotent, acks=all) to `topic` once every broker
 * serves it, then read back by a new group. `duplicates` counts keys read more than once.
 */
export async function smokeRoundTrip(
  kafka: Kafka,
  side: ClientSide,
  topic: string,
  count = 10,
): Promise<{ produced: number; consumed: number; duplicates: number }> {
  await createReplicatedTopic(kafka, side.haproxyAddress, { topic });
  const producer = changefeedProducer(kafka);
  await producer.connect();
  const keys = Array.from({ length: count }, (_, n) => `smoke-${n}`);
  try {
    await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: `message ${key}` })) });
  } finally {
    await producer.disconnect();
  }
  const { keys: read } = await readWholeTopic(kafka, topic, `kafka-plc-smoke-${process.pid}-${Date.now()}`);
  return {
    produced: keys.length,
    consumed: keys.filter((key) => read.has(key)).length,
    duplicates: [...read.values()].filter((n) => n > 1).length,
  };
}
