/**
 * The seed's checks on a real Kafka 3.7.1 cluster configured by kafka-plc, seen from the consumer side
 * of the private link: every client connects only to haproxy (the NLB stand-in), and the advertised
 * names resolve only to haproxy's address. Start-up and shutdown: test/kafka/harness.ts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigResourceTypes, Kafka, type logCreator, logLevel } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_MAX_BYTES } from '../../functions/lib/domain/kafka-config';
import { canRollNow, isCaughtUp } from '../../functions/lib/domain/roll';
import { readHealth } from '../../functions/lib/steps/health';
import { archivePath } from './cds';
import { consumerSocketFactory, type SocketRecord } from './consumer-side';
import { type StatRow, serverName, serverRows } from './haproxy';
import { HAPROXY_ADDRESS, harnessPlan, type KafkaCluster, kafkaHome, startKafkaCluster } from './harness';
import { runKafkaTool, TOOL_JAVA_OPTS } from './kafka-jvm';
import { acceptedFrom, establishedConnections } from './kernel-tcp';
import { withLocalHealth } from './local-health';
import { stopAllProcesses, waitFor } from './processes';
import { runTicdcCheck } from './ticdc-check';
import { changefeedProducer, createReplicatedTopic } from './topics';

const run = promisify(execFile);
/** The listener table is the same whatever the log dirs; it names the per-port tests below. */
const listeners = harnessPlan('/unused').loadBalancer.listeners;
const TOPIC = 'test-topic';

let cluster: KafkaCluster;
const clientSockets: SocketRecord[] = [];
/** kafkajs logs retried errors (e.g. a coordinator still loading) too; kept, and printed when a test fails. */
const clientLog: string[] = [];
const captureLog: logCreator =
  () =>
  ({ namespace, level, log }) => {
    const name = Object.entries(logLevel).find(([, value]) => value === level)?.[0] ?? level;
    clientLog.push(`${name} ${namespace}: ${JSON.stringify(log)}`);
  };

function consumerKafka(): Kafka {
  return new Kafka({
    clientId: 'kafka-plc-smoke',
    brokers: [`${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`],
    socketFactory: consumerSocketFactory(cluster.consumerNames, [cluster.haproxyAddress], clientSockets),
    logLevel: logLevel.WARN,
    logCreator: captureLog,
    retry: { retries: 10, initialRetryTime: 300 },
  });
}

function openConnections(port: number, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host: HAPROXY_ADDRESS, port }, () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
}

const sessionsOf = (rows: StatRow[]) =>
  new Map(serverRows(rows).map((r) => [`${r.proxy}/${r.server}`, r.totalSessions]));

/** Established connections each broker's EXTERNAL listener has accepted from haproxy, per node ID. */
function acceptedByBroker(): Map<number, number> {
  const connections = establishedConnections();
  return new Map(
    cluster.plan.brokers.map((b) => [
      b.nodeId,
      acceptedFrom(connections, b.privateIp, cluster.plan.kafka.ports.external, HAPROXY_ADDRESS),
    ]),
  );
}

/** Lowest of a few samples: a health-check connection caught mid-flight must not raise the baseline. */
async function quietBaseline(): Promise<Map<number, number>> {
  const samples: Map<number, number>[] = [];
  for (let i = 0; i < 4; i += 1) {
    samples.push(acceptedByBroker());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return new Map(
    cluster.plan.brokers.map((b) => [b.nodeId, Math.min(...samples.map((s) => s.get(b.nodeId) ?? 0))]),
  );
}

beforeAll(async () => {
  cluster = await startKafkaCluster();
  console.info(`kafka harness: up in ${cluster.timings.total} ms ${JSON.stringify(cluster.timings)}`);
}, 240_000);

afterAll(async () => {
  const started = Date.now();
  // A start-up that failed or timed out has no cluster to stop: stop whatever it had started.
  await (cluster ? cluster.stop() : stopAllProcesses());
  console.info(`kafka harness: stopped in ${Date.now() - started} ms`);
}, 90_000);

beforeEach(({ onTestFailed }) => {
  clientLog.length = 0;
  onTestFailed(() => {
    if (clientLog.length > 0) console.error(`kafkajs log of the failed test:\n${clientLog.join('\n')}`);
  });
});

describe('the seed checks through the private-link path (haproxy as the NLB)', () => {
  it('each broker runs the server.properties our broker script wrote from the plan, on storage it formatted', () => {
    for (const broker of cluster.brokers) {
      // Prepare
      const planned = cluster.plan.brokers.find((b) => b.nodeId === broker.nodeId);
      const conf = join(broker.dir, 'conf', 'server.properties');
      // Act (what the running process and its files say)
      const cmdline = readFileSync(`/proc/${broker.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      // Assess
      expect(cmdline.slice(-2)).toEqual(['kafka.Kafka', conf]);
      expect(readFileSync(conf, 'utf8')).toBe(planned?.serverProperties);
      expect(readFileSync(join(broker.dir, 'data', 'meta.properties'), 'utf8')).toContain(
        `cluster.id=${cluster.plan.kafka.clusterId}`,
      );
    }
  });

  it('each broker maps the class-data-sharing archive setup made, and a tool started as the harness starts them maps its own', async () => {
    // Prepare: what npm run test:setup made (scripts/setup-cds.ts); -Xshare:on fails a JVM that cannot map
    const tool = ['-Xshare:on', '-cp', `${cluster.libs}/*`, '-version'];
    // Act
    const mapped = cluster.brokers.map((b) =>
      readFileSync(`/proc/${b.pid}/maps`, 'utf8').includes(archivePath('broker')),
    );
    const toolRun = await run('java', [...TOOL_JAVA_OPTS, ...tool]).then(
      () => 'mapped',
      (error: Error) => error.message,
    );
    // Assess
    expect(mapped).toEqual(cluster.brokers.map(() => true));
    expect(TOOL_JAVA_OPTS).toContain(`-XX:SharedArchiveFile=${archivePath('tool')}`);
    expect(toolRun).toBe('mapped');
  });

  it('metadata from the bootstrap port lists exactly the planned brokers, by EXTERNAL name and NLB port', async () => {
    // Prepare
    const admin = consumerKafka().admin();
    // Act
    await admin.connect();
    const described = await admin.describeCluster();
    await admin.disconnect();
    // Assess
    const byId = [...described.brokers].sort((a, b) => a.nodeId - b.nodeId);
    expect(byId).toEqual(
      cluster.plan.brokers.map((b) => ({ nodeId: b.nodeId, host: b.externalHost, port: b.nlbPort })),
    );
    expect(described.clusterId).toBe(cluster.plan.kafka.clusterId);
    expect(clientSockets[0]).toEqual({
      host: HAPROXY_ADDRESS,
      port: cluster.plan.kafka.ports.bootstrap,
      address: HAPROXY_ADDRESS,
    });
  });

  it.each(listeners.map((l) => [l.port, l.brokerNodeIds.map(serverName).join(' '), l] as const))(
    'NLB port %i reaches %s and no other broker (haproxy counters and the kernel agree)',
    async (port, _names, listener) => {
      // Prepare: nothing in flight, then the counters before
      await waitFor(
        'haproxy: no session open',
        async () => serverRows(await cluster.stats()).every((r) => r.currentSessions === 0),
        {
          timeoutMs: 15_000,
        },
      );
      const sessionsBefore = sessionsOf(await cluster.stats());
      const acceptedBefore = await quietBaseline();
      const perTarget = 2;
      const expected = new Map(
        cluster.plan.brokers.map((b) => [
          b.nodeId,
          listener.brokerNodeIds.includes(b.nodeId) ? perTarget : 0,
        ]),
      );
      // Act: hold connections open through the port (haproxy opens one to a target for each)
      const sockets = await openConnections(port, perTarget * listener.brokerNodeIds.length);
      try {
        // Assess: the brokers' own sockets (the kernel's view) accepted exactly these connections …
        const accepted = await waitFor(
          `brokers to accept the connections through port ${port}`,
          () => {
            const now = acceptedByBroker();
            const diff = new Map([...now].map(([id, n]) => [id, n - (acceptedBefore.get(id) ?? 0)]));
            return [...expected].every(([id, n]) => diff.get(id) === n) && diff;
          },
          { timeoutMs: 15_000, intervalMs: 100 },
        );
        expect(accepted).toEqual(expected);
        // … and haproxy counted them on this listener's target group only, on the planned servers only.
        const sessionsAfter = sessionsOf(await cluster.stats());
        const grown = [...sessionsAfter]
          .map(([key, n]) => [key, n - (sessionsBefore.get(key) ?? 0)] as const)
          .filter(([, n]) => n > 0);
        expect(new Map(grown)).toEqual(
          new Map(
            listener.brokerNodeIds.map((id) => [`${listener.targetGroupName}/${serverName(id)}`, perTarget]),
          ),
        );
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    },
  );

  it('runs the seed smoke test: test-topic (3 partitions, RF 3, min.insync.replicas 2), 10 produced, 10 consumed', async () => {
    // Prepare
    const kafka = consumerKafka();
    const admin = kafka.admin();
    const producer = changefeedProducer(kafka);
    const consumer = kafka.consumer({ groupId: `kafka-plc-smoke-${process.pid}` });
    const sent = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `message ${i}` }));
    const received: { key: string; value: string; partition: number }[] = [];
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
    try {
      // Act: create, then wait until every broker serves it (each broker's own metadata through its own
      // NLB port, and ListOffsets answered by every partition's leader), not only the one admin connection
      const { created } = await createReplicatedTopic(kafka, cluster.haproxyAddress, {
        topic: TOPIC,
        partitions: 3,
        replicationFactor: 3,
        minInsyncReplicas: 2,
      });
      const [described] = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics;
      // Assess
      expect(created).toBe(true);
      expect(described?.partitions).toHaveLength(3);
      for (const partition of described?.partitions ?? []) {
        expect([...partition.replicas].sort()).toEqual([1, 2, 3]);
        expect([...partition.isr].sort()).toEqual([1, 2, 3]);
      }
      // DescribeConfigs goes to any broker: every one has the topic now, so the first answer holds
      const configs = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['min.insync.replicas'] }],
        includeSynonyms: false,
      });
      expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('2');

      // Act: produce as a changefeed does (idempotent, acks=all: a retried batch cannot be written twice)
      await producer.send({ topic: TOPIC, acks: -1, messages: sent });
      // Assess
      const offsets = await admin.fetchTopicOffsets(TOPIC);
      expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(10);

      // Act: consume from the beginning
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: String(message.key), value: String(message.value), partition });
        },
      });
      await waitFor('10 messages consumed', () => received.length >= 10, { timeoutMs: 60_000 });
      // Assess
      expect(
        received.map(({ key, value }) => ({ key, value })).sort((a, b) => a.key.localeCompare(b.key)),
      ).toEqual(sent);
      expect(new Set(received.map((m) => m.partition)).size).toBeGreaterThan(1);
    } finally {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
    }
  }, 120_000);

  it("the roll's health reader (readHealth, source local: our script, Kafka's own tools) sees the cluster as it is", async () => {
    // Act (after the smoke test: test-topic and a consumer group exist)
    const { snapshot, source } = await withLocalHealth(cluster.plan, kafkaHome(cluster.plan), () =>
      readHealth(
        cluster.plan,
        cluster.brokers.map((b) => ({ nodeId: b.nodeId, instanceId: `local-b${b.nodeId}` })),
      ),
    );
    // Assess
    expect(source).toBe('local');
    expect(snapshot.registeredBrokers).toEqual([1, 2, 3]);
    expect([1, 2, 3]).toContain(snapshot.activeControllerId);
    expect(snapshot.voters.map((v) => v.nodeId).sort()).toEqual([1, 2, 3]);
    for (const id of [1, 2, 3]) expect(isCaughtUp(snapshot, id)).toEqual({ ok: true });
    // every partition fully replicated: the bounded output lists none and leaves none out
    expect(snapshot.partitions).toEqual([]);
    expect(snapshot.omittedPartitions).toBe(0);
    const follower = [1, 2, 3].find((id) => id !== snapshot.activeControllerId) ?? 0;
    expect(canRollNow(snapshot, follower, { brokerIds: [1, 2, 3] })).toEqual({ ok: true, warnings: [] });
  }, 60_000);

  it('the kafkajs clients connected only to haproxy, bootstrap by address and brokers by advertised name', () => {
    // Assess (what the socket factory saw during the tests above)
    expect(new Set(clientSockets.map((s) => s.address))).toEqual(new Set([HAPROXY_ADDRESS]));
    const planned = new Set(cluster.plan.brokers.map((b) => `${b.externalHost}:${b.nlbPort}`));
    const byName = clientSockets.filter((s) => s.host !== HAPROXY_ADDRESS).map((s) => `${s.host}:${s.port}`);
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.filter((name) => !planned.has(name))).toEqual([]);
  });

  it("TiCDC's own client (Sarama) starts a changefeed's sink through the bootstrap port: cluster, configs, topic, acks=all, read back", async () => {
    // Act: what a changefeed does at start (test/sarama), names resolved to haproxy only
    const { report, code, stderr } = await runTicdcCheck(cluster, {
      topic: 'ticdc-changefeed',
      messages: 200,
    });
    // Assess
    expect(code, `${report.step}: ${report.error}\n${stderr}`).toBe(0);
    expect(report.brokers.map((b) => b.addr).sort()).toEqual(
      cluster.plan.brokers.map((b) => `${b.externalHost}:${b.nlbPort}`).sort(),
    );
    expect(cluster.plan.kafka.voterNodeIds).toContain(report.controllerId);
    expect(report.brokerConfigs['min.insync.replicas']).toBe('2');
    expect(report).toMatchObject({ topicCreated: true, partitions: 3, replicationFactor: 3 });
    expect(report.topicConfigs['min.insync.replicas']).toBe('2');
    // the brokers' limit leaves TiCDC its default max-message-bytes (10 MiB), not Kafka's default 1 MiB
    expect(report.brokerConfigs['message.max.bytes']).toBe(String(MESSAGE_MAX_BYTES));
    expect(report.maxMessageBytes).toBe(10 * 1024 * 1024);
    expect({ acked: report.acked, consumed: report.consumed, missing: report.missing }).toEqual({
      acked: 200,
      consumed: 200,
      missing: [],
    });
    // every connection went to haproxy: the bootstrap by its address, the brokers by their advertised names
    expect(new Set(report.dials.map((d) => d.address))).toEqual(new Set([HAPROXY_ADDRESS]));
    const planned = new Set(cluster.plan.brokers.map((b) => `${b.externalHost}:${b.nlbPort}`));
    const byName = report.dials.filter((d) => d.host !== HAPROXY_ADDRESS).map((d) => `${d.host}:${d.port}`);
    expect(new Set(byName)).toEqual(planned);
  }, 150_000);

  it("TiCDC's client writes and reads back an 8 MiB message through haproxy; a topic left at Kafka's default limit refuses it", async () => {
    // Prepare: a topic with Kafka's default limit (1,048,588), as a broker left at its defaults would give
    await createReplicatedTopic(consumerKafka(), cluster.haproxyAddress, {
      topic: 'ticdc-default-limit',
      configs: { 'max.message.bytes': '1048588' },
    });
    const large = 8 * 1024 * 1024;
    // Act
    const big = await runTicdcCheck(cluster, {
      topic: 'ticdc-large',
      messages: 20,
      largeMessageBytes: large,
    });
    const capped = await runTicdcCheck(cluster, {
      topic: 'ticdc-default-limit',
      messages: 20,
      largeMessageBytes: large,
      timeoutSeconds: 60,
    });
    // Assess: the 8 MiB message acknowledged by all in-sync replicas and read back whole, through haproxy
    expect(big.code, `${big.report.step}: ${big.report.error}\n${big.stderr}`).toBe(0);
    expect(big.report).toMatchObject({ acked: 21, consumed: 21, missing: [] });
    expect(big.report.consumedBytes).toBe(20 * 256 + large);
    // … while on the topic at Kafka's default TiCDC holds itself to 1,048,460 bytes and the message fails
    expect(capped.report.maxMessageBytes).toBe(1048588 - 128);
    expect(capped.code).toBe(1);
    expect(`${capped.report.step}: ${capped.report.error}`).toMatch(
      /^produce: 1 of 21 not acknowledged, .*larger than configured Producer\.MaxMessageBytes: \d+ > 1048460\)$/,
    );
    expect(capped.report.acked).toBe(0);
  }, 150_000);

  it("TiCDC's client fails, naming the host, when the consumer side does not resolve one broker's name", async () => {
    // Prepare: broker 2's advertised name missing from the consumer side's names
    const missing = cluster.plan.brokers[1]?.externalHost as string;
    const names = new Map([...cluster.consumerNames].filter(([name]) => name !== missing));
    // Act
    const { report, code } = await runTicdcCheck(cluster, {
      topic: 'ticdc-changefeed',
      names,
      timeoutSeconds: 60,
    });
    // Assess: no connection went anywhere but haproxy, and the check failed (not hung) on the dial it refused
    console.info(`ticdc-check without ${missing}: ${report.step}: ${report.error}`);
    expect(code).toBe(1);
    expect(new Set(report.dials.map((d) => d.address))).toEqual(new Set([HAPROXY_ADDRESS]));
    expect(report.dials.map((d) => d.host)).not.toContain(missing);
    expect(report.refused.map((d) => d.host)).toContain(missing);
    expect(report.error).toBeTruthy();
  }, 150_000);

  it("Kafka's own BrokerApiVersionsCommand, resolving names with the consumer hosts file, lists the 3 advertised brokers", async () => {
    // Act
    const consumerSide = { libs: cluster.libs, hostsFile: cluster.hostsFile, workDir: cluster.dir };
    const output = await runKafkaTool(consumerSide, 'kafka.admin.BrokerApiVersionsCommand', [
      '--bootstrap-server',
      `${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`,
    ]);
    // Assess: one "<name>:<port> (id: N rack: az) -> (" header per broker, each answered (not -> ERROR)
    const listed = [...output.matchAll(/^(\S+):(\d+) \(id: (\d+) rack: (\S+)\) -> (.*)$/gm)].map((m) => ({
      host: m[1],
      port: Number(m[2]),
      nodeId: Number(m[3]),
      rack: m[4],
      answer: m[5],
    }));
    expect(listed.sort((a, b) => a.nodeId - b.nodeId)).toEqual(
      cluster.plan.brokers.map((b) => ({
        host: b.externalHost,
        port: b.nlbPort,
        nodeId: b.nodeId,
        rack: b.azId,
        answer: '(',
      })),
    );
  }, 90_000);
});
