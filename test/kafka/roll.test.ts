/**
 * The unique-name roll on a real Kafka 3.7.1 cluster (test/kafka/harness.ts), driven by the roll's own
 * decisions, health reader and broker script (test/kafka/local-roll.ts): under load it loses no
 * acknowledged message and no stored data and leaves the brokers advertising the new names; with a broker
 * already down it refuses to take another one down, gives up after its bounded wait with the reason, and
 * completes once that broker is back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RollAbortedError } from '../../functions/lib/errors';
import { consumerNameMap } from './consumer-side';
import { harnessPlan, type KafkaCluster, kafkaHome, startKafkaCluster } from './harness';
import { configureBroker } from './kafka-jvm';
import { consumerSideKafka } from './load';
import { pendingBrokers, rollLocally } from './local-roll';
import { stopAllProcesses } from './processes';
import { clientSide, type RollUnderLoadResult, rollUnderLoad, TEST_ROLL_RETRY } from './roll-under-load';

let cluster: KafkaCluster;
/** Rolls still running (after a timed-out test): stop() aborts them; afterAll waits until they end. */
const inFlight = new Set<Promise<unknown>>();
function track<T>(work: Promise<T>): Promise<T> {
  inFlight.add(work);
  const forget = () => inFlight.delete(work);
  work.then(forget, forget);
  return work;
}
const clientLog: string[] = [];
const rollLog: string[] = [];
const log = (line: string) => {
  rollLog.push(line);
  console.info(line);
};

beforeAll(async () => {
  cluster = await startKafkaCluster();
  console.info(`kafka harness: up in ${cluster.timings.total} ms ${JSON.stringify(cluster.timings)}`);
}, 240_000);

afterAll(async () => {
  const started = Date.now();
  await (cluster ? cluster.stop() : stopAllProcesses());
  // An aborted roll ends at its next step; a health read in flight ends within the tools' own timeout.
  await Promise.allSettled(inFlight);
  console.info(`kafka harness: stopped in ${Date.now() - started} ms`);
}, 120_000);

beforeEach(({ onTestFailed }) => {
  clientLog.length = 0;
  rollLog.length = 0;
  onTestFailed(() => {
    console.error(`roll log of the failed test:\n${rollLog.join('\n')}`);
    if (clientLog.length > 0) console.error(`kafkajs log of the failed test:\n${clientLog.join('\n')}`);
  });
});

function brokerLogs(nodeId: number): string {
  const broker = cluster.brokers.find((b) => b.nodeId === nodeId);
  return broker ? readFileSync(join(broker.dir, 'logs', 'server.log'), 'utf8') : '';
}

async function advertisedNow(uniqueName: string) {
  const plan = harnessPlan(cluster.dir, uniqueName);
  const admin = consumerSideKafka(
    clientSide(cluster, consumerNameMap(plan, cluster.haproxyAddress), clientLog),
    'kafka-plc-check',
  ).admin();
  await admin.connect();
  try {
    return [...(await admin.describeCluster()).brokers].sort((a, b) => a.nodeId - b.nodeId);
  } finally {
    await admin.disconnect();
  }
}

describe('the unique-name roll on real brokers', () => {
  let result: RollUnderLoadResult;

  it('rolls unique_name → tidb-abc123 one broker at a time, controller last, under load', async () => {
    // Act
    result = await track(
      rollUnderLoad(cluster, { uniqueName: 'tidb-abc123', topic: 'roll-topic', log, clientLog }),
    );
    // Assess: every broker rolled once, by our script, with a controlled shutdown, the controller last
    const { roll } = result;
    console.info(
      `roll: ${roll.ms} ms; restart → caught up ${roll.rolled.map((r) => `b${r.nodeId} ${r.restartToCaughtUpMs} ms`).join(', ')}; ` +
        `${roll.healthReads} health reads; ${result.load.acked.length} acked, ${result.load.failed.length} failed sends`,
    );
    expect(roll.pending).toEqual([1, 2, 3]);
    expect(roll.rolled.map((r) => r.nodeId).sort()).toEqual([1, 2, 3]);
    expect(roll.rolled.map((r) => r.wasActiveController)).toEqual([false, false, true]);
    for (const rolled of roll.rolled) {
      const planned = result.after.brokers.find((b) => b.nodeId === rolled.nodeId);
      expect(rolled.newAdvertisedListeners).toBe(planned?.advertisedListeners);
      expect(rolled.oldAdvertisedListeners).toContain('.unique_name.');
      expect(rolled.restart.stopped).toMatchObject({ how: 'exited', exitCode: 143 });
      expect(rolled.scriptOutput).toContain('storage already formatted; left as it is');
      expect(rolled.scriptOutput).toContain("service manager 'none': config written (changed: yes)");
      expect(brokerLogs(rolled.nodeId)).toContain(
        `[BrokerLifecycleManager id=${rolled.nodeId}] Beginning controlled shutdown.`,
      );
    }
  }, 300_000);

  it('loses no acknowledged message, and the producer had no failed send after its retries', () => {
    // Assess
    const { load } = result;
    expect(load.acked.length).toBeGreaterThan(500);
    expect(result.ackedAfterRoll).toBeGreaterThanOrEqual(50);
    expect(load.lost).toEqual([]);
    expect(load.failed).toEqual([]);
  });

  it('keeps what was written before the roll: same storage, every message still readable', () => {
    // Assess: no broker's storage was formatted again (same meta.properties: cluster, node and directory ids)
    expect(result.storageAfter).toEqual(result.storageBefore);
    for (const [nodeId, storage] of result.storageAfter) {
      expect(storage.meta).toContain(`node.id=${nodeId}`);
      expect(storage.dirs).toEqual(expect.arrayContaining(['roll-topic-0', 'roll-topic-1', 'roll-topic-2']));
    }
    // … and a new reader, resolving only the NEW names, finds every message from the start of the log.
    const { keys, offsets } = result.reread;
    expect(offsets.every((p) => p.low === 0)).toBe(true);
    expect(result.preRollKeys.filter((key) => !keys.has(key))).toEqual([]);
    expect(result.load.acked.filter((key) => !keys.has(key))).toEqual([]);
  });

  it('leaves the bootstrap metadata advertising the new names on the same NLB ports; haproxy unchanged', () => {
    // Assess
    expect(result.advertisedAfter).toEqual(
      result.after.brokers.map((b) => ({ nodeId: b.nodeId, host: b.externalHost, port: b.nlbPort })),
    );
    expect(result.advertisedAfter.every((b) => b.host.includes('.tidb-abc123.'))).toBe(true);
    expect(result.haproxyConfigAfter).toBe(result.haproxyConfigBefore);
  });

  it('with a broker down, refuses to take another down, gives up with the reason, and completes once it is back', async () => {
    // Prepare: an interrupted roll to tidb-def456 reconfigured b3 and b3 is down; the new names resolve.
    const target = harnessPlan(cluster.dir, 'tidb-def456');
    cluster.addConsumerNames(target);
    const b3 = cluster.brokers.find((b) => b.nodeId === 3);
    if (!b3) throw new Error('no b3');
    await configureBroker(target, 3, b3.dir, kafkaHome(target));
    await cluster.stopBroker(3);
    const pidsBefore = cluster.brokers.map((b) => b.pid);
    const configBefore = cluster.brokers.map((b) =>
      readFileSync(join(b.dir, 'conf', 'server.properties'), 'utf8'),
    );
    expect(pendingBrokers(cluster, target)).toEqual([1, 2]);
    const quick = { initialSeconds: 1, multiplier: 2, maxSeconds: 2, maxAttempts: 3 };
    // Act
    const started = Date.now();
    const refused = await track(
      rollLocally(cluster, target, { kafkaHome: kafkaHome(target), retry: quick, log }),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    const refusedAfterMs = Date.now() - started;
    // Assess: aborted after 3 checks and 1 + 2 s of waiting, with every refusal; nothing touched
    expect(refused).toBeInstanceOf(RollAbortedError);
    const message = (refused as Error).message;
    expect(message).toContain('no broker could restart safely (gave up after 3 attempts and 3s of waiting)');
    // (the active controller, if 1 or 2, is refused for that first: it goes last)
    for (const id of [1, 2]) {
      expect(message).toMatch(
        new RegExp(
          `cannot restart node ${id} now: broker\\(s\\) 3 not registered|node ${id} is the active controller`,
        ),
      );
    }
    expect(message).toMatch(
      /broker\(s\) 3 not registered: restarting [12] would take another away; ISR at min\.insync\.replicas with node [12] in it: /,
    );
    expect(refusedAfterMs).toBeGreaterThanOrEqual(3_000);
    expect(cluster.brokers.map((b) => b.pid)).toEqual(pidsBefore);
    expect(
      cluster.brokers.map((b) => readFileSync(join(b.dir, 'conf', 'server.properties'), 'utf8')),
    ).toEqual(configBefore);

    // Act: b3 is back; the same roll now proceeds
    await cluster.startBroker(3);
    const completed = await track(
      rollLocally(cluster, target, { kafkaHome: kafkaHome(target), retry: TEST_ROLL_RETRY, log }),
    );
    // Assess
    expect(completed.pending).toEqual([1, 2]);
    expect(completed.rolled.map((r) => r.nodeId).sort()).toEqual([1, 2]);
    expect(completed.rolled.slice(0, -1).some((r) => r.wasActiveController)).toBe(false);
    expect(await advertisedNow('tidb-def456')).toEqual(
      target.brokers.map((b) => ({ nodeId: b.nodeId, host: b.externalHost, port: b.nlbPort })),
    );
  }, 300_000);
});
