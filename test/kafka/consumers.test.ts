/**
 * Two TiDB Cloud consumers on one endpoint service, on real Kafka 3.7: examples/two-consumers-usw2.json —
 * tidb-a on EXTERNAL (Essential pattern, bootstrap 9092, brokers 9093..9095) and tidb-b on EXTERNAL2 (a
 * Dedicated pattern, bootstrap 9192, brokers 9193..9195) — configured by our broker script, behind haproxy
 * laid out from the plan's listeners (the NLB). Each client resolves only its own consumer's names (another
 * project's names do not resolve in its VPC) and connects only to haproxy. tidb-b's Dedicated names are
 * complete: they are served from the first start, no unique name and no roll. Then tidb-b is taken out of
 * the spec and the roll state machine (real Lambdas; Run Command through the executor) removes its NLB side
 * and rolls each broker without EXTERNAL2, while tidb-a produces and consumes. One harness for the file.
 */
import { readFileSync } from 'node:fs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../functions/lib/aws/clients';
import { FAST } from '../helpers/emulator';
import { consumerNameMap, consumerSocketFactory, type SocketRecord } from './consumer-side';
import type { ControlPlane } from './control-plane';
import { type ControlledCluster, startControlledCluster } from './controlled-cluster';
import { HAPROXY_ADDRESS, type KafkaCluster } from './harness';
import { consumerSideKafka, startLoad } from './load';
import { waitFor } from './processes';
import { runTicdcCheck } from './ticdc-check';
import { changefeedProducer, createReplicatedTopic } from './topics';

const SPEC = JSON.parse(
  readFileSync(new URL('../../examples/two-consumers-usw2.json', import.meta.url), 'utf8'),
);

/** The same cluster with tidb-b taken out. */
const FIRST_ONLY = { ...SPEC, consumers: SPEC.consumers.slice(0, 1) };

let started: ControlledCluster | undefined;
let cluster: KafkaCluster;
let control: ControlPlane;
const sockets: Record<string, SocketRecord[]> = { 'tidb-a': [], 'tidb-b': [] };

/** A client in one consumer's VPC: its bootstrap port on the endpoint, only its own names resolve. */
function clientOf(consumer: 'tidb-a' | 'tidb-b'): Kafka {
  const planned = cluster.plan.consumers.find((c) => c.name === consumer);
  if (!planned) throw new Error(`no consumer ${consumer} in the plan`);
  return new Kafka({
    clientId: `kafka-plc-${consumer}`,
    brokers: [`${HAPROXY_ADDRESS}:${planned.bootstrapPort}`],
    socketFactory: consumerSocketFactory(
      consumerNameMap(cluster.plan, HAPROXY_ADDRESS, consumer),
      [HAPROXY_ADDRESS],
      sockets[consumer],
    ),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300 },
  });
}

beforeAll(async () => {
  started = await startControlledCluster(SPEC, FAST);
  ({ cluster, control } = started);
}, 300_000);

afterAll(async () => {
  await started?.stop();
}, 120_000);

describe('two listener groups on real Kafka', () => {
  it('each broker listens on EXTERNAL and EXTERNAL2 and advertises each consumer its own names and ports', () => {
    // Assess
    for (const broker of cluster.plan.brokers) {
      const properties = readFileSync(`${cluster.dir}/b${broker.nodeId}/conf/server.properties`, 'utf8');
      expect(properties).toContain(
        `EXTERNAL://b${broker.nodeId}.${broker.azId}.unique_name.aws.plc.tidbcloud.com:${9092 + broker.nodeId}`,
      );
      expect(properties).toContain(
        `EXTERNAL2://b${broker.nodeId}.${broker.azId}.xyz.us-west-2.aws.3199015.tidbcloud.com:${9192 + broker.nodeId}`,
      );
      expect(properties).toContain(`EXTERNAL2://${broker.privateIp}:39192`);
    }
  });

  it("each consumer's bootstrap port returns only its own group's names and ports", async () => {
    // Prepare
    const admins = { a: clientOf('tidb-a').admin(), b: clientOf('tidb-b').admin() };
    await Promise.all([admins.a.connect(), admins.b.connect()]);
    try {
      // Act
      const [a, b] = await Promise.all([admins.a.describeCluster(), admins.b.describeCluster()]);
      // Assess
      const seen = (brokers: { host: string; port: number }[]) =>
        brokers.map((x) => `${x.host}:${x.port}`).sort();
      expect(seen(a.brokers)).toEqual([
        'b1.usw2-az1.unique_name.aws.plc.tidbcloud.com:9093',
        'b2.usw2-az2.unique_name.aws.plc.tidbcloud.com:9094',
        'b3.usw2-az3.unique_name.aws.plc.tidbcloud.com:9095',
      ]);
      expect(seen(b.brokers)).toEqual([
        'b1.usw2-az1.xyz.us-west-2.aws.3199015.tidbcloud.com:9193',
        'b2.usw2-az2.xyz.us-west-2.aws.3199015.tidbcloud.com:9194',
        'b3.usw2-az3.xyz.us-west-2.aws.3199015.tidbcloud.com:9195',
      ]);
    } finally {
      await Promise.allSettled([admins.a.disconnect(), admins.b.disconnect()]);
    }
  });

  it('each consumer produces and consumes through its own bootstrap port; tidb-b with no roll (Dedicated names from the first start)', async () => {
    // Prepare
    const topics = { 'tidb-a': 'changefeed-a', 'tidb-b': 'changefeed-b' } as const;
    for (const consumer of ['tidb-a', 'tidb-b'] as const)
      await createReplicatedTopic(clientOf(consumer), HAPROXY_ADDRESS, { topic: topics[consumer] });
    // Act
    const results: Record<string, string[]> = {};
    for (const consumer of ['tidb-a', 'tidb-b'] as const) {
      const kafka = clientOf(consumer);
      const producer = changefeedProducer(kafka);
      await producer.connect();
      await producer.send({
        topic: topics[consumer],
        acks: -1,
        messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `${consumer}-${i}` })),
      });
      await producer.disconnect();
      const reader = kafka.consumer({ groupId: `kafka-plc-${consumer}` });
      await reader.connect();
      await reader.subscribe({ topic: topics[consumer], fromBeginning: true });
      const values: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${consumer}: ${values.length} of 10 consumed`)),
          60_000,
        );
        void reader.run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.length === 10) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await reader.disconnect();
      results[consumer] = values.sort();
    }
    // Assess
    for (const consumer of ['tidb-a', 'tidb-b'] as const)
      expect(results[consumer]).toEqual(Array.from({ length: 10 }, (_, i) => `${consumer}-${i}`).sort());
    // Every socket went to haproxy, and each client only to its own group's NLB ports.
    const ports = (consumer: 'tidb-a' | 'tidb-b') => new Set((sockets[consumer] ?? []).map((s) => s.port));
    expect([...ports('tidb-a')].sort()).toEqual([9092, 9093, 9094, 9095]);
    expect([...ports('tidb-b')].sort()).toEqual([9192, 9193, 9194, 9195]);
    for (const record of [...(sockets['tidb-a'] ?? []), ...(sockets['tidb-b'] ?? [])])
      expect(record.address).toBe(HAPROXY_ADDRESS);
    // tidb-b's names never held a placeholder: nothing waits for a unique name on its side.
    expect(cluster.plan.consumers.map((c) => [c.name, c.awaitsUniqueName])).toEqual([
      ['tidb-a', true],
      ['tidb-b', false],
    ]);
  }, 90_000); // two consumer groups join one after the other (each waits out the group rebalance delay): not 20 s on a loaded 2-core machine

  it("TiCDC's own client (Sarama) as tidb-b's changefeed: its bootstrap port, only its names, the second group's brokers", async () => {
    // Prepare
    const planned = cluster.plan.consumers.find((c) => c.name === 'tidb-b');
    // Act
    const { report, code, stderr } = await runTicdcCheck(cluster, {
      topic: 'ticdc-b',
      bootstrapPort: planned?.bootstrapPort,
      names: consumerNameMap(cluster.plan, HAPROXY_ADDRESS, 'tidb-b'),
    });
    // Assess
    expect(code, `${report.step}: ${report.error}\n${stderr}`).toBe(0);
    expect(report.brokers.map((b) => b.addr).sort()).toEqual([
      'b1.usw2-az1.xyz.us-west-2.aws.3199015.tidbcloud.com:9193',
      'b2.usw2-az2.xyz.us-west-2.aws.3199015.tidbcloud.com:9194',
      'b3.usw2-az3.xyz.us-west-2.aws.3199015.tidbcloud.com:9195',
    ]);
    expect({ acked: report.acked, consumed: report.consumed, refused: report.refused }).toEqual({
      acked: 100,
      consumed: 100,
      refused: [],
    });
    expect(new Set(report.dials.map((d) => d.address))).toEqual(new Set([HAPROXY_ADDRESS]));
  }, 150_000);
});

describe('taking tidb-b out of the running cluster is a roll (the roll state machine)', () => {
  it("removes tidb-b's NLB listeners, then each broker drops EXTERNAL2 one at a time while tidb-a loses nothing", async () => {
    // Prepare: tidb-a produces and consumes through its own names during the roll
    const kafka = consumerSideKafka(
      {
        bootstrap: `${HAPROXY_ADDRESS}:9092`,
        names: consumerNameMap(cluster.plan, HAPROXY_ADDRESS, 'tidb-a'),
        haproxyAddress: HAPROXY_ADDRESS,
      },
      'kafka-plc-tidb-a-load',
    );
    await createReplicatedTopic(kafka, HAPROXY_ADDRESS, { topic: 'tidb-a-during-roll' });
    const load = await startLoad(kafka, 'tidb-a-during-roll', { prefix: 'tidb-a' });
    await load.consumedAtLeast(50, 60_000);
    // Act
    const rolled = await control.roll('unique_name', 'unique_name', { spec: FIRST_ONLY });
    const ackedAtEnd = load.ackedCount();
    await waitFor('50 more acked after the roll', () => load.ackedCount() >= ackedAtEnd + 50, {
      timeoutMs: 60_000,
    });
    const report = await load.stop();
    // Assess
    expect(rolled.run.status, `${rolled.run.error}: ${rolled.run.cause}`).toBe('SUCCEEDED');
    expect(rolled.rolled.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    const restarts = rolled.serviceActions.filter((a) => a.verb === 'stop').map((a) => a.nodeId);
    expect(restarts.sort()).toEqual([1, 2, 3]);
    for (const broker of cluster.plan.brokers) {
      const properties = readFileSync(`${cluster.dir}/b${broker.nodeId}/conf/server.properties`, 'utf8');
      expect(properties).not.toContain('EXTERNAL2');
      expect(properties).toContain(
        `EXTERNAL://b${broker.nodeId}.${broker.azId}.unique_name.aws.plc.tidbcloud.com`,
      );
    }
    expect(report.lost).toEqual([]);
    expect(report.failed).toEqual([]);
    // The emulated account's NLB kept only tidb-a's listeners.
    const { elbv2 } = clients('us-west-2');
    const [lb] = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const listeners = await elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }),
    );
    expect((listeners.Listeners ?? []).map((l) => l.Port).sort()).toEqual([9092, 9093, 9094, 9095]);
  }, 300_000);
});
