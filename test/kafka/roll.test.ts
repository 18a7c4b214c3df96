/**
 * The unique-name roll on a real Kafka 3.7.1 cluster (test/kafka/harness.ts), run by the deployed roll
 * state machine (state-machine/roll-brokers.asl.json) with the real Lambdas against the AWS emulator, SSM
 * Run Command reaching the brokers through the executor (test/kafka/run-command.ts): under load it loses
 * no acknowledged message and no stored data and leaves the brokers advertising the new names; with a
 * broker down it refuses to take another one down, waits with its real SecondsPath backoff, gives up with
 * the reason, and completes once that broker is back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { handler as configureBrokers } from '../../functions/configure-brokers/handler';
import { clients } from '../../functions/lib/aws/clients';
import { parseCommandComment } from '../../functions/lib/domain/commands';
import { findingLine } from '../../functions/lib/domain/drift';
import { splitHealthOutput } from '../../functions/lib/domain/health-script';
import { planCluster } from '../../functions/lib/domain/plan';
import { PROBE_NAMESPACE } from '../../functions/lib/domain/probe-metrics';
import { parseClusterSpec } from '../../functions/lib/spec';
import { clusterStatus } from '../../functions/lib/steps/status';
import { handler as probeClusters } from '../../functions/probe-clusters/handler';
import { handler as reconfigureBroker } from '../../functions/reconfigure-broker/handler';
import { asFunction } from '../aws-model/iam';
import { FAST } from '../helpers/emulator';
import { lambdaContext } from '../helpers/lambda';
import { consumerNameMap } from './consumer-side';
import type { ControlPlane } from './control-plane';
import { harnessPlan, type KafkaCluster } from './harness';
import { consumerSideKafka } from './load';
import { waitFor } from './processes';
import { useRollHarness } from './roll-harness';
import {
  clientSide,
  electionAfterEachBatch,
  type RollUnderLoadResult,
  rollUnderLoad,
  TEST_ROLL_RETRY_ENV,
} from './roll-under-load';
import { expectTicdcLoadSound, runTicdcCheck } from './ticdc-check';
import { createReplicatedTopic } from './topics';

const WIDE_PARTITIONS = 300;
// More partitions than the full tool output could carry through SSM (~77 characters each: 24,000 ÷ 77 ≈ 310
// before anything else): the health read must stay bounded for the deployed path to roll at all.
const harness = useRollHarness(undefined, {
  prepare: async (started) => {
    await createReplicatedTopic(
      consumerSideKafka(clientSide(started), 'kafka-plc-wide'),
      started.haproxyAddress,
      { topic: 'wide-topic', partitions: WIDE_PARTITIONS },
    );
  },
});
let cluster: KafkaCluster;
let control: ControlPlane;
beforeAll(() => {
  ({ cluster, control } = harness);
});
const { clientLog, log } = harness;

function brokerLogs(nodeId: number): string {
  const broker = cluster.brokers.find((b) => b.nodeId === nodeId);
  return broker ? readFileSync(join(broker.dir, 'logs', 'server.log'), 'utf8') : '';
}

/** Each broker's instance: the one provisioning sent its configure command to. */
function brokerInstances(): { nodeId: number; instanceId: string }[] {
  return configureCommands()
    .map((c) => ({ nodeId: c.nodeId, instanceId: c.instanceId }))
    .sort((a, b) => a.nodeId - b.nodeId);
}

function configureCommands() {
  return control.executor.commands.filter((c) => parseCommandComment(c.comment)?.purpose === 'configure');
}

async function advertisedNow(uniqueName: string) {
  const plan = harnessPlan(cluster.dir, uniqueName, cluster.spec);
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

/** One run of the scheduled probe Lambda (as deployed: its handler, judged against its role); this cluster's result. */
async function probe(): Promise<{ metrics: Record<string, number>; healthError?: string }> {
  process.env.AWS_REGION = control.spec.region;
  const result = (await asFunction('probeClusters', () =>
    probeClusters({}, lambdaContext('probeClusters')),
  )) as { results: { cluster: string; metrics: Record<string, number>; healthError?: string }[] };
  const mine = result.results.find((r) => r.cluster === control.spec.clusterName);
  expect(mine?.healthError).toBeUndefined();
  return mine ?? { metrics: {} };
}

/** The value of a probe metric published since `since`, read back from CloudWatch (the emulator). */
async function publishedSince(since: number, metric: string): Promise<number[] | undefined> {
  const now = Date.now();
  const out = await clients(control.spec.region).cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(since),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [
        {
          Id: 'm',
          MetricStat: {
            Metric: {
              Namespace: PROBE_NAMESPACE,
              MetricName: metric,
              Dimensions: [{ Name: 'Cluster', Value: control.spec.clusterName }],
            },
            Period: 60,
            Stat: 'Minimum',
          },
        },
      ],
    }),
  );
  return out.MetricDataResults?.[0]?.Values;
}

describe('provisioning the running harness cluster through Run Command', () => {
  it('runs our broker script on every broker host and restarts none (the host view renders the same config)', () => {
    // Assess
    expect(control.provision?.status, `${control.provision?.error}: ${control.provision?.cause}`).toBe(
      'SUCCEEDED',
    );
    const configure = configureCommands();
    expect(configure.map((c) => c.nodeId).sort()).toEqual([1, 2, 3]);
    for (const command of configure) {
      expect(command.status, command.stderr).toBe('Success');
      expect(command.stdout).toContain('server.properties unchanged');
      expect(command.stdout).toContain('kafka.service running with this config; not restarted');
    }
    expect(control.executor.serviceActions).toEqual([]);
  });
});

describe('the unique-name roll on real brokers', () => {
  let result: RollUnderLoadResult;

  it('rolls unique_name → tidb-abc123 one broker at a time, controller last, under load', async () => {
    // Act
    result = await rollUnderLoad(cluster, control, {
      uniqueName: 'tidb-abc123',
      topic: 'roll-topic',
      log,
      clientLog,
      ticdc: true,
    });
    // Assess: every broker rolled once by the state machine, with our script and a controlled shutdown,
    // the KRaft leader last
    const { roll } = result;
    const reads = roll.commands.filter((c) => c.purpose === 'health').length;
    console.info(
      `roll: ${roll.ms} ms; reconfigure sent → caught up ${roll.rolled.map((r) => `b${r.nodeId} ${r.seconds} s`).join(', ')}; ` +
        `${reads} health reads; ${roll.events} events; ${result.load.acked.length} acked, ${result.load.failed.length} failed sends`,
    );
    expect(roll.run.status).toBe('SUCCEEDED');
    // the health reads covered every partition (wide-topic's 300 among them) and fit SSM's output
    for (const read of roll.commands.filter((c) => c.purpose === 'health')) {
      expect(read.stdout.length).toBeLessThan(20_000);
      expect(splitHealthOutput(read.stdout).topicsSummary?.described).toBeGreaterThanOrEqual(
        WIDE_PARTITIONS + 53,
      );
    }
    expect(roll.rolled.map((r) => r.nodeId).sort()).toEqual([1, 2, 3]);
    const order = roll.rolled.map((r) => r.nodeId);
    expect(order.map((id) => roll.leaderAtPick.get(id) === id)).toEqual([false, false, true]);
    // one health read before the first pick, then each caught-up reading also picks the next broker
    expect(reads).toBeLessThanOrEqual(1 + 3 * 8);
    const rollCommands = roll.commands.filter((c) => c.purpose === 'roll');
    expect(rollCommands.map((c) => c.nodeId)).toEqual(order);
    for (const rolled of roll.rolled) {
      const planned = result.after.brokers.find((b) => b.nodeId === rolled.nodeId);
      expect(rolled.newAdvertisedListeners).toBe(
        control.awsPlan.brokers
          .find((b) => b.nodeId === rolled.nodeId)
          ?.advertisedListeners.replace('.unique_name.', '.tidb-abc123.'),
      );
      expect(rolled.oldAdvertisedListeners).toContain('.unique_name.');
      expect(planned?.advertisedListeners).toContain('.tidb-abc123.');
      const command = rollCommands.find((c) => c.nodeId === rolled.nodeId);
      expect(command?.status).toBe('Success');
      expect(command?.stdout).toContain('storage already formatted; left as it is');
      expect(command?.stdout).toContain('restarting kafka.service (config changed: yes');
      // systemd's stop (SIGTERM, a controlled shutdown that ended by itself), then its start
      const stop = roll.serviceActions.find((a) => a.nodeId === rolled.nodeId && a.verb === 'stop');
      expect(stop?.result).toMatchObject({ how: 'exited', exitCode: 143 });
      expect(brokerLogs(rolled.nodeId)).toContain(
        `[BrokerLifecycleManager id=${rolled.nodeId}] Beginning controlled shutdown.`,
      );
    }
    expect(roll.serviceActions.filter((a) => a.verb === 'stop')).toHaveLength(3);
    expect(roll.serviceActions.filter((a) => a.verb === 'start')).toHaveLength(3);
    // after each broker, the health read that saw it caught up elected the preferred leaders (no second
    // command): the roll ends as it began, every partition (wide-topic's 300 among them) led by its first replica
    expect(roll.commands.filter((c) => c.purpose === 'elect')).toEqual([]);
    const elections = electionAfterEachBatch(roll);
    expect(elections.map((e) => e.batch)).toEqual(order.map((id) => [id]));
    for (const { batch, readOn, election } of elections) {
      expect(batch).not.toContain(readOn);
      expect(election).toEqual({ ran: true, elected: true, detail: 'elected' });
    }
    expect(result.notPreferredAfter).toEqual([]);
  }, 300_000);

  it('loses no acknowledged message, and the producer had no failed send after its retries', () => {
    // Assess
    const { load } = result;
    expect(load.acked.length).toBeGreaterThan(500);
    expect(result.ackedAfterRoll).toBeGreaterThanOrEqual(50);
    expect(load.lost).toEqual([]);
    expect(load.failed).toEqual([]);
  });

  it("TiCDC's own client writing through the roll (Sarama, TiCDC's settings) had no failed send and lost nothing", () => {
    // Assess: no send given up on after TiCDC's 5 retries 100 ms apart (the stops' leader moves reach every
    // broker within them: METADATA_MAX_IDLE_INTERVAL_MS), every message acknowledged (acks=all) read back
    expectTicdcLoadSound(result.ticdc, 500);
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

  it("TiCDC's client (Sarama, idempotent) writes to and reads the rolled topic resolving only the new names; with only the old ones it reaches no broker", async () => {
    // Prepare
    const newNames = consumerNameMap(result.after, cluster.haproxyAddress);
    const oldNames = consumerNameMap(result.before, cluster.haproxyAddress);
    // Act
    const after = await runTicdcCheck(cluster, { topic: 'roll-topic', names: newNames, idempotent: true });
    const before = await runTicdcCheck(cluster, { topic: 'roll-topic', names: oldNames, timeoutSeconds: 60 });
    // Assess: the existing topic's limits were read (not created), every broker reached by its new name
    const { report } = after;
    expect(after.code, `${report.step}: ${report.error}\n${after.stderr}`).toBe(0);
    expect(report).toMatchObject({ topicCreated: false, partitions: 3, replicationFactor: 3, refused: [] });
    expect(report.maxMessageBytes).toBe(
      Math.min(10 * 1024 * 1024, Number(report.topicConfigs['max.message.bytes']) - 128),
    );
    expect({ acked: report.acked, consumed: report.consumed }).toEqual({ acked: 100, consumed: 100 });
    expect(report.brokers.map((b) => b.addr).sort()).toEqual(
      result.after.brokers.map((b) => `${b.externalHost}:${b.nlbPort}`).sort(),
    );
    expect(new Set(report.dials.map((d) => d.address))).toEqual(new Set([cluster.haproxyAddress]));
    // the old names are gone from the metadata: a consumer side that resolves only them gets no broker
    expect(before.code).toBe(1);
    expect(before.report.dials.filter((d) => d.host !== cluster.haproxyAddress)).toEqual([]);
    expect(before.report.refused.every((d) => d.host.includes('.tidb-abc123.'))).toBe(true);
    expect(before.report.refused.length).toBeGreaterThan(0);
  }, 200_000);

  it('with a broker down, refuses to take another down, waits its real backoff, gives up with the reason, and completes once it is back', async () => {
    // Prepare: an interrupted roll to tidb-def456 reconfigured b3 through Run Command (the real
    // ReconfigureBroker Lambda), then b3 went down; the consumer side resolves the new names.
    const target = harnessPlan(cluster.dir, 'tidb-def456', cluster.spec);
    cluster.addConsumerNames(target);
    const spec = { ...control.spec, uniqueName: 'tidb-def456' };
    const instances = brokerInstances();
    const state = { brokers: instances, pending: [1, 2, 3], done: [], previousUniqueName: 'tidb-abc123' };
    const sent = (await asFunction('reconfigureBroker', () =>
      reconfigureBroker({ spec, roll: state, nodeId: 3 }, lambdaContext('reconfigureBroker')),
    )) as { commandId: string };
    const b3Command = control.executor.commands.find((c) => c.commandId === sent.commandId);
    await b3Command?.done;
    expect(b3Command?.status).toBe('Success');
    await cluster.stopBroker(3);
    const pidsBefore = cluster.brokers.map((b) => b.pid);
    const configBefore = cluster.brokers.map((b) =>
      readFileSync(join(b.dir, 'conf', 'server.properties'), 'utf8'),
    );
    Object.assign(process.env, { ROLL_RETRY_MAX_SECONDS: '2', ROLL_RETRY_MAX_ATTEMPTS: '3' });
    // Act
    const started = Date.now();
    const refused = await control.roll('tidb-def456', 'tidb-abc123').finally(() => {
      Object.assign(process.env, TEST_ROLL_RETRY_ENV);
    });
    const refusedAfterMs = Date.now() - started;
    // Assess: b3 already runs the new config (not pending); 3 checks, SecondsPath waits of 1 and 2 s, then
    // RollAbortedError with every refusal; nothing restarted or rewritten
    expect(refused.run.status).toBe('FAILED');
    expect(refused.run.error).toBe('RollAbortedError');
    expect(refused.waits).toEqual([1, 2]);
    const message = refused.run.cause ?? '';
    expect(message).toContain('no broker could restart safely (gave up after 3 attempts and 3s of waiting)');
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
    expect(refused.commands.filter((c) => c.purpose === 'roll')).toEqual([]);
    expect(cluster.brokers.map((b) => b.pid)).toEqual(pidsBefore);
    expect(
      cluster.brokers.map((b) => readFileSync(join(b.dir, 'conf', 'server.properties'), 'utf8')),
    ).toEqual(configBefore);
    // kafka-plc status reads Kafka the same way (Run Command on a running broker): b3 missing, partitions short.
    const running = parseClusterSpec({ ...control.spec, uniqueName: 'tidb-abc123' });
    const down = (await clusterStatus(running, planCluster(running))).findings.filter(
      (f) => f.resource === 'kafka',
    );
    expect(down.map(findingLine)).toEqual(
      expect.arrayContaining([
        'HEALTH kafka: registered brokers: planned 3, live 2 (not registered: b3)',
        expect.stringMatching(/^HEALTH kafka: under-replicated partitions: planned 0, live [1-9]\d*$/),
      ]),
    );
    // The scheduled probe (the deployed Lambda, judged against its role) publishes the same reading.
    const probedDownAt = Date.now() - 1_000;
    const probedDown = await probe();
    expect(probedDown.metrics.RegisteredBrokers).toBe(2);
    expect(probedDown.metrics.ActiveControllerPresent).toBe(1);
    expect(probedDown.metrics.UnderReplicatedPartitions).toBeGreaterThan(0);
    expect(await publishedSince(probedDownAt, 'RegisteredBrokers')).toEqual([2]);

    // Act: b3 is back; the same roll now proceeds
    await cluster.startBroker(3);
    const completed = await control.roll('tidb-def456', 'tidb-abc123');
    // Assess
    expect(completed.run.status, `${completed.run.error}: ${completed.run.cause}`).toBe('SUCCEEDED');
    expect(completed.rolled.map((r) => r.nodeId).sort()).toEqual([1, 2]);
    expect(
      await waitFor(
        'the new names advertised',
        async () => {
          const brokers = await advertisedNow('tidb-def456');
          return brokers.every((b) => b.host.includes('.tidb-def456.')) ? brokers : undefined;
        },
        { timeoutMs: 30_000 },
      ),
    ).toEqual(target.brokers.map((b) => ({ nodeId: b.nodeId, host: b.externalHost, port: b.nlbPort })));
    const rolled = parseClusterSpec(spec);
    const back = await clusterStatus(rolled, planCluster(rolled));
    expect(back.findings.filter((f) => f.resource === 'kafka')).toEqual([]);
    const probedBackAt = Date.now() - 1_000;
    const probedBack = await probe();
    expect(probedBack.metrics).toMatchObject({
      RegisteredBrokers: 3,
      ActiveControllerPresent: 1,
      UnderReplicatedPartitions: 0,
      UnderMinIsrPartitions: 0,
      OfflinePartitions: 0,
    });
    expect(await publishedSince(probedBackAt, 'RegisteredBrokers')).toEqual([3]);
  }, 300_000);

  it("once SSM's command history has expired, the instances' applied-config tags still say what each broker runs", async () => {
    // Prepare: SSM no longer lists any command run so far (its history is kept for a limited time)
    control.executor.expireHistory();
    const firstCommand = control.executor.commands.length;
    const firstAction = control.executor.serviceActions.length;
    const pidsBefore = cluster.brokers.map((b) => b.pid);
    const refs = {
      brokers: brokerInstances().map((b) => ({
        ...b,
        privateIp: control.awsPlan.brokers.find((p) => p.nodeId === b.nodeId)?.privateIp ?? '',
      })),
      launched: [],
    };
    // Act: provisioning's ConfigureBrokers with another configuration (the name before the last roll) …
    const changed = await asFunction('configureBrokers', () =>
      configureBrokers(
        { spec: { ...control.spec, uniqueName: 'tidb-abc123' }, brokers: refs },
        lambdaContext('configureBrokers'),
      ),
    ).then(
      () => 'no error',
      (error: unknown) => error,
    );
    // … the provision state machine with the spec as it is (it keeps the name the brokers advertise) …
    const reprovision = await runLocal('provision', control.spec, FAST);
    // … and a roll to the name they already run
    const again = await control.roll('tidb-def456', 'tidb-abc123');
    // Assess: the changed configuration is refused before any command; the others find nothing to do
    expect(changed).toMatchObject({
      name: 'UnsupportedChangeError',
      message: expect.stringContaining('provisioning never restarts running brokers together'),
    });
    expect(reprovision.status, `${reprovision.error}: ${reprovision.cause}`).toBe('SUCCEEDED');
    expect(again.run.status, `${again.run.error}: ${again.run.cause}`).toBe('SUCCEEDED');
    expect(again.rolled).toEqual([]);
    const sent = control.executor.commands.slice(firstCommand).map((c) => parseCommandComment(c.comment));
    expect(sent.filter((c) => c?.purpose !== 'health')).toEqual([]);
    expect(control.executor.serviceActions.slice(firstAction)).toEqual([]);
    expect(cluster.brokers.map((b) => b.pid)).toEqual(pidsBefore);
  }, 300_000);

  it('a stop systemd had to end with SIGKILL (no controlled shutdown) stops the roll at that broker, which runs again', async () => {
    // Prepare: whichever broker the roll restarts first, its controlled shutdown gets 1 ms before SIGKILL, as
    // systemd gives TimeoutStopSec (the last test of the file: the other brokers' cut stops are never used)
    const firstAction = control.executor.serviceActions.length;
    for (const broker of cluster.brokers) control.executor.cutNextStop(broker.nodeId, 1);
    // Act
    const roll = await control.roll('tidb-ghi789', 'tidb-def456');
    // Assess: one broker stopped (killed) and started again; the roll failed there with systemd's word for it
    expect(roll.run.status).toBe('FAILED');
    expect(roll.run.cause).toContain(
      "Kafka's stop was no controlled shutdown (systemd: Result=timeout, SIGKILL after TimeoutStopSec)",
    );
    const actions = control.executor.serviceActions.slice(firstAction);
    const stops = actions.filter((a) => a.verb === 'stop');
    expect(stops).toHaveLength(1);
    expect(stops[0]?.result).toMatchObject({ how: 'killed' });
    const killed = stops[0]?.nodeId as number;
    expect(actions.filter((a) => a.verb === 'start').map((a) => a.nodeId)).toEqual([killed]);
    expect(cluster.isRunning(killed)).toBe(true);
    expect(roll.rolled).toEqual([]);
  }, 300_000);
});
