/**
 * The unique-name roll under load, shared by test/kafka/roll.test.ts (which asserts) and
 * bench/kafka.bench.ts (which measures): a topic with messages written before the roll, an idempotent
 * producer and a consumer running through the private-link path during it, the roll to the new unique
 * name by the roll state machine with the real Lambdas (control-plane.ts: Run Command reaches the brokers
 * through the executor), then the evidence: what was acked, consumed and is still stored, the metadata's
 * names, and the brokers' storage identity before and after.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { splitHealthOutput } from '../../functions/lib/domain/health-script';
import { parseProperties } from '../../functions/lib/domain/kafka-config';
import type { Plan } from '../../functions/lib/domain/plan';
import type { ClusterSpecInput } from '../../functions/lib/spec';
import { consumerNameMap } from './consumer-side';
import type { ControlPlane, DeployedRoll } from './control-plane';
import { renderHaproxyConfig } from './haproxy';
import { brokerAddress, harnessPlan, type KafkaCluster } from './harness';
import { type ClientSide, consumerSideKafka, type LoadReport, readWholeTopic, startLoad } from './load';
import { waitFor } from './processes';
import { startTicdcLoad, type TicdcCheckReport } from './ticdc-check';
import { changefeedProducer, createReplicatedTopic, watchIsr } from './topics';

/** The deployment's refusal backoff (ROLL_RETRY_*) for tests: 1 s doubling to 4 s, 5 checks. */
export const TEST_ROLL_RETRY_ENV = {
  ROLL_RETRY_INITIAL_SECONDS: '1',
  ROLL_RETRY_MAX_SECONDS: '4',
  ROLL_RETRY_MAX_ATTEMPTS: '5',
};

export function clientSide(cluster: KafkaCluster, names = cluster.consumerNames, log?: string[]): ClientSide {
  return {
    bootstrap: `${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`,
    names,
    haproxyAddress: cluster.haproxyAddress,
    log,
  };
}

/** What identifies each broker's storage: meta.properties (cluster.id, node.id, directory.id) and its dirs. */
export function storageIdentity(cluster: KafkaCluster): Map<number, { meta: string; dirs: string[] }> {
  return new Map(
    cluster.brokers.map((b) => {
      const data = join(b.dir, 'data');
      const dirs = readdirSync(data, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
      return [b.nodeId, { meta: readFileSync(join(data, 'meta.properties'), 'utf8'), dirs }];
    }),
  );
}

export function haproxyConfigOf(cluster: KafkaCluster, plan: Plan): string {
  return renderHaproxyConfig(plan, {
    bindAddress: cluster.haproxyAddress,
    brokerAddress,
    statsSocket: cluster.statsSocket,
  });
}

export interface RollUnderLoadResult {
  before: Plan;
  after: Plan;
  preRollKeys: string[];
  roll: DeployedRoll;
  load: LoadReport;
  /** Messages acked after the roll had finished, before the load stopped. */
  ackedAfterRoll: number;
  /** The whole topic read again after the roll, by a client that resolves only the NEW names. */
  reread: Awaited<ReturnType<typeof readWholeTopic>>;
  /** describeCluster through the bootstrap port, by that client. */
  advertisedAfter: { nodeId: number; host: string; port: number }[];
  /** Partitions (`topic-partition`, every topic) not led by their preferred replica once the roll ended. */
  notPreferredAfter: string[];
  storageBefore: ReturnType<typeof storageIdentity>;
  storageAfter: ReturnType<typeof storageIdentity>;
  haproxyConfigBefore: string;
  haproxyConfigAfter: string;
  /** TiCDC's client writing through the roll (the `ticdc` option): its report after reading back. */
  ticdc?: TicdcCheckReport;
  /** Metadata polled through the roll: partitions seen under min.insync.replicas (topics.ts watchIsr). */
  isr: Awaited<ReturnType<Awaited<ReturnType<typeof watchIsr>>['stop']>>;
}

export async function rollUnderLoad(
  cluster: KafkaCluster,
  control: ControlPlane,
  options: {
    uniqueName: string;
    topic: string;
    preRollMessages?: number;
    log?: (line: string) => void;
    clientLog?: string[];
    /** The spec the roll runs with (default the harness's own), e.g. another roll.maxBatchSize. */
    spec?: ClusterSpecInput;
    /** Also TiCDC's own client (ticdc-check -load) writing to `<topic>-ticdc` through the roll. */
    ticdc?: boolean;
  },
): Promise<RollUnderLoadResult> {
  const log = options.log ?? (() => undefined);
  const { topic } = options;
  const before = harnessPlan(cluster.dir, unique(cluster), cluster.spec);
  const after = harnessPlan(cluster.dir, options.uniqueName, cluster.spec);
  const kafka = consumerSideKafka(
    clientSide(cluster, cluster.consumerNames, options.clientLog),
    'kafka-plc-roll',
  );
  await createReplicatedTopic(kafka, cluster.haproxyAddress, { topic });
  const preRollKeys = await producePreRoll(kafka, topic, options.preRollMessages ?? 300);
  // The consumer side's DNS gets the new names (TiDB Cloud's private zone); the listener map stays.
  cluster.addConsumerNames(after);
  const ticdcTopic = `${topic}-ticdc`;
  if (options.ticdc) await createReplicatedTopic(kafka, cluster.haproxyAddress, { topic: ticdcTopic });
  const load = await startLoad(kafka, topic, { prefix: 'load' });
  // TiCDC's client writes alongside, resolving every name the consumer side does (old and new)
  const ticdcLoad = options.ticdc ? startTicdcLoad(cluster, { topic: ticdcTopic }) : undefined;
  let roll: DeployedRoll;
  let isr: RollUnderLoadResult['isr'] = { samples: 0, underMinIsr: [] };
  let ackedAtRollEnd: number;
  let storageBefore: ReturnType<typeof storageIdentity>;
  try {
    await load.consumedAtLeast(preRollKeys.length + 50, 60_000);
    // Taken once the consumer group (so __consumer_offsets) exists: the roll must not add or drop a dir.
    storageBefore = storageIdentity(cluster);
    log(
      `load: ${load.ackedCount()} acked, ${load.consumedCount()} consumed; rolling to ${options.uniqueName}`,
    );
    const watch = await watchIsr(kafka);
    try {
      roll = await control.roll(options.uniqueName, unique(cluster), { spec: options.spec });
    } finally {
      isr = await watch.stop();
    }
    log(
      `roll: ${roll.run.status} in ${roll.ms} ms: ${roll.rolled.map((r) => `b${r.nodeId} ${r.seconds} s`).join(', ')}` +
        `${roll.run.error ? ` (${roll.run.error}: ${roll.run.cause})` : ''}`,
    );
    if (roll.run.status !== 'SUCCEEDED') {
      throw new Error(
        `the roll state machine failed in ${roll.run.failedState}: ${roll.run.error}: ${roll.run.cause}`,
      );
    }
    ackedAtRollEnd = load.ackedCount();
    // The producer keeps going on the new names.
    await waitFor('50 more messages acked after the roll', () => load.ackedCount() >= ackedAtRollEnd + 50, {
      timeoutMs: 60_000,
    });
  } catch (error) {
    const report = await load.stop(5_000);
    await ticdcLoad?.stop().catch(() => undefined);
    log(`load stopped after a failure: ${report.acked.length} acked, ${report.failed.length} failed`);
    throw error;
  }
  const report = await load.stop();
  const ticdc = await ticdcLoad?.stop();
  if (ticdc)
    log(
      `TiCDC's client: ${ticdc.acked} acked, ${ticdc.failed} failed, ${ticdc.consumed} read back, ` +
        `${ticdc.missing.length} lost, ${ticdc.duplicates} duplicates${ticdc.error ? ` (${ticdc.step}: ${ticdc.error})` : ''}` +
        `${ticdc.failures.length > 0 ? `; given up on: ${ticdc.failures.join('; ')}` : ''}`,
    );
  log(
    `load: ${report.acked.length} acked, ${report.failed.length} failed, ${report.consumed.size} consumed, ` +
      `${report.lost.length} lost`,
  );
  const newNamesOnly = consumerSideKafka(
    clientSide(cluster, consumerNameMap(after, cluster.haproxyAddress), options.clientLog),
    'kafka-plc-after-roll',
  );
  const reread = await readWholeTopic(newNamesOnly, topic, `kafka-plc-reread-${process.pid}-${Date.now()}`);
  const admin = newNamesOnly.admin();
  await admin.connect();
  const described = await admin.describeCluster();
  const metadata = await admin.fetchTopicMetadata();
  await admin.disconnect();
  return {
    before,
    after,
    preRollKeys,
    roll,
    load: report,
    ackedAfterRoll: report.acked.length - ackedAtRollEnd,
    reread,
    advertisedAfter: [...described.brokers].sort((a, b) => a.nodeId - b.nodeId),
    notPreferredAfter: metadata.topics.flatMap((t) =>
      t.partitions.filter((p) => p.leader !== p.replicas[0]).map((p) => `${t.name}-${p.partitionId}`),
    ),
    storageBefore,
    storageAfter: storageIdentity(cluster),
    haproxyConfigBefore: haproxyConfigOf(cluster, before),
    haproxyConfigAfter: haproxyConfigOf(cluster, after),
    isr,
    ...(ticdc ? { ticdc } : {}),
  };
}

/**
 * What each batch's preferred-leader election did (health-script.ts's election section): that of the last health
 * read that started after the batch's restarts had ended and ended before the next batch's first restart was
 * sent (or the roll ended) — the read that saw the batch caught up.
 */
export function electionAfterEachBatch(roll: DeployedRoll): {
  batch: number[];
  readOn?: number;
  election?: ReturnType<typeof splitHealthOutput>['election'];
}[] {
  const restarts = roll.commands.filter((c) => c.purpose === 'roll');
  return roll.batches.map((batch, i) => {
    const next = restarts.filter((c) => roll.batches[i + 1]?.includes(c.nodeId));
    const nextAt = next.length > 0 ? Math.min(...next.map((c) => c.requestedAt)) : Infinity;
    const restarted = Math.max(
      ...restarts.filter((c) => batch.includes(c.nodeId)).map((c) => c.endedAt ?? Infinity),
    );
    const read = roll.commands
      .filter((c) => c.purpose === 'health' && c.requestedAt > restarted && (c.endedAt ?? Infinity) <= nextAt)
      .at(-1);
    return { batch, readOn: read?.nodeId, election: read && splitHealthOutput(read.stdout).election };
  });
}

/** The unique name the brokers advertise now (from broker 1's server.properties). */
function unique(cluster: KafkaCluster): string {
  const broker = cluster.brokers[0];
  if (!broker) throw new Error('no broker in the harness');
  const properties = parseProperties(readFileSync(join(broker.dir, 'conf', 'server.properties'), 'utf8'));
  const host = /EXTERNAL:\/\/([^:,]+):/.exec(properties.get('advertised.listeners') ?? '')?.[1] ?? '';
  const planned = cluster.plan.brokers.find((b) => b.nodeId === broker.nodeId);
  // b1.<az>.<unique>.<domain>
  const prefix = `b${broker.nodeId}.${planned?.azId}.`;
  const suffix = `.${cluster.plan.advertisedDomain}`;
  if (!host.startsWith(prefix) || !host.endsWith(suffix))
    throw new Error(`unexpected advertised host ${host}`);
  return host.slice(prefix.length, -suffix.length);
}

async function producePreRoll(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const producer = changefeedProducer(kafka);
  await producer.connect();
  const keys = Array.from({ length: count }, (_, n) => `pre-${n}`);
  try {
    for (let i = 0; i < keys.length; i += 100) {
      await producer.send({
        topic,
        acks: -1,
        messages: keys.slice(i, i + 100).map((key) => ({ key, value: `${key} before the roll` })),
      });
    }
  } finally {
    await producer.disconnect();
  }
  return keys;
}
