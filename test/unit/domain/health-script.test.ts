/**
 * The health script's output stays bounded whatever the cluster size, and the decisions taken on it are the
 * ones taken on the full tool output. The real script runs with bash; a `java` stand-in on its PATH prints
 * tool output in Kafka 3.7.1's formats (the captures in test/fixtures/kafka-output), generated for the
 * cluster at hand.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { pickNextBatch } from '../../../functions/lib/domain/batch';
import {
  renderElectionScript,
  renderHealthScript,
  splitHealthOutput,
} from '../../../functions/lib/domain/health-script';
import { healthSnapshotFromToolOutput } from '../../../functions/lib/domain/kafka-tool-output';
import { planCluster } from '../../../functions/lib/domain/plan';
import {
  canRollNow,
  type HealthSnapshot,
  isCaughtUp,
  pickNextToRoll,
} from '../../../functions/lib/domain/roll';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';
import {
  bigCluster,
  type Cluster,
  cleanUpGeneratedOutput,
  electionsRun,
  everyPairCluster,
  rackAwareCluster,
  runScript,
  serveToolOutput,
} from '../../helpers/health-output';
import { venvTool } from '../../helpers/tools';

afterAll(cleanUpGeneratedOutput);
const seedPlan = planCluster(parseClusterSpec(seedSpec()));

/** What the roll decides on: the script's output parsed as steps/health.ts does. */
function snapshotOf(stdout: string, brokerMinIsr = 2): HealthSnapshot {
  const outputs = splitHealthOutput(stdout);
  expect(outputs.missing).toEqual([]);
  expect(outputs.coReplicas).toBeDefined();
  return healthSnapshotFromToolOutput(outputs, {
    brokerMinInsyncReplicas: brokerMinIsr,
    allowNoTopics: true,
    filtered: {
      omittedPartitions: outputs.topicsSummary?.omitted ?? Number.NaN,
      coReplicas: outputs.coReplicas ?? {},
    },
  });
}

/** The same cluster as a snapshot of the full, unfiltered output (what the decisions were written for). */
function fullSnapshot(cluster: Cluster, brokerMinIsr = 2): HealthSnapshot {
  return {
    registeredBrokers: [...cluster.registered].sort((a, b) => a - b),
    activeControllerId: cluster.leader,
    voters: cluster.voters.map((nodeId) => ({
      nodeId,
      logEndOffset: 100,
      lag: 0,
      lastFetchTimestamp: 1795618467599,
      lastCaughtUpTimestamp: 1795618467599,
    })),
    partitions: cluster.topics.flatMap((t) => t.partitions),
    topicMinInsyncReplicas: Object.fromEntries(
      cluster.topics.filter((t) => t.minIsr !== undefined).map((t) => [t.name, t.minIsr as number]),
    ),
    brokerMinInsyncReplicas: brokerMinIsr,
  };
}

describe('the health output of a 49-broker, 5,000-partition cluster', () => {
  it('stays under 20,000 characters healthy, and the decisions see a healthy cluster', () => {
    // Act
    const { stdout, status } = runScript(bigCluster());
    const snapshot = snapshotOf(stdout);
    // Assess
    console.info(`health output, 49 brokers × 5,000 partitions, healthy: ${stdout.length} characters`);
    expect(status).toBe(0);
    expect(stdout.length).toBeLessThanOrEqual(20_000);
    expect(splitHealthOutput(stdout).topicsSummary).toEqual({ described: 5000, listed: 0, omitted: 0 });
    expect(snapshot.registeredBrokers).toHaveLength(49);
    expect(snapshot.voters.map((v) => v.nodeId).sort()).toEqual([1, 2, 3]);
    expect(canRollNow(snapshot, 7, { brokerIds: bigCluster().brokers })).toMatchObject({ ok: true });
  });

  it('stays under 20,000 characters with a broker down; what it leaves out refuses every restart', () => {
    // Act
    const { stdout, status } = runScript(bigCluster([7]));
    const snapshot = snapshotOf(stdout);
    // Assess
    const summary = splitHealthOutput(stdout).topicsSummary;
    console.info(
      `health output, 49 brokers × 5,000 partitions, b7 down: ${stdout.length} characters ${JSON.stringify(summary)}`,
    );
    expect(status).toBe(0);
    expect(stdout.length).toBeLessThanOrEqual(20_000);
    expect(summary?.described).toBe(5000);
    expect((summary?.listed ?? 0) + (summary?.omitted ?? 0)).toBe(
      bigCluster([7])
        .topics.flatMap((t) => t.partitions)
        .filter((p) => p.replicas.includes(7)).length,
    );
    expect(summary?.omitted).toBeGreaterThan(0);
    const check = canRollNow(snapshot, 8, { brokerIds: bigCluster().brokers });
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(
      'more partitions not fully replicated than the health output lists',
    );
    expect(isCaughtUp(snapshot, 7).ok).toBe(false);
  });
});

describe('the co-replicas section', () => {
  it('stays bounded when every pair of the 49 brokers shares a partition (1,176 pairs), a broker down', () => {
    // Prepare: partitions placed so that every pair of brokers shares one
    const cluster = everyPairCluster([7]);
    // Act
    const { stdout, status } = runScript(cluster);
    const outputs = splitHealthOutput(stdout);
    // Assess: every broker's peers are all 48 others, and the whole output still fits what SSM returns
    console.info(
      `health output, 49 brokers, every pair sharing a partition, b7 down: ${stdout.length} characters`,
    );
    expect(status).toBe(0);
    expect(stdout.length).toBeLessThanOrEqual(20_000);
    for (let id = 1; id <= 49; id++) expect(outputs.coReplicas?.[id]).toHaveLength(48);
  });
});

const ids = [1, 2, 3, 4, 5];
const partitionArb = fc
  .record({
    replicas: fc.shuffledSubarray(ids, { minLength: 1, maxLength: 4 }),
    inIsr: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    leaderless: fc.boolean(),
    // A reassignment: how many of the last replicas it adds, then removes (0 and 0: none going on).
    reassigning: fc.option(fc.record({ adding: fc.nat(1), removing: fc.nat(1) }), { nil: undefined }),
  })
  .map(({ replicas, inIsr, leaderless, reassigning }) => {
    const isr = replicas.filter((_, i) => inIsr[i]);
    const leader = leaderless || isr.length === 0 ? null : (isr[0] as number);
    if (!reassigning || replicas.length < 3) return { replicas, isr, leader };
    const addingReplicas = replicas.slice(replicas.length - reassigning.adding);
    const removingReplicas = replicas.slice(1, 1 + reassigning.removing);
    return { replicas, isr, leader, addingReplicas, removingReplicas };
  });
const clusterArb = fc
  .record({
    down: fc.subarray(ids, { maxLength: 2 }),
    leader: fc.constantFrom(1, 2, 3),
    topics: fc.array(
      fc.record({
        minIsr: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        partitions: fc.array(partitionArb, { minLength: 1, maxLength: 6 }),
      }),
      { minLength: 0, maxLength: 4 },
    ),
  })
  .map(
    ({ down, leader, topics }): Cluster => ({
      brokers: ids,
      registered: ids.filter((id) => !down.includes(id)),
      leader,
      voters: [1, 2, 3],
      topics: topics.map((t, i) => ({
        name: `t${i}`,
        minIsr: t.minIsr,
        partitions: t.partitions.map((p, partition) => ({ topic: `t${i}`, partition, ...p })),
      })),
    }),
  );

describe('decisions on the bounded output', () => {
  it('are the decisions on the full output: the same pick or refusal, the same batch, the same caught-up verdicts', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        // Act
        const { stdout } = runScript(cluster);
        const bounded = snapshotOf(stdout);
        const full = fullSnapshot(cluster);
        // Assess
        const options = { brokerIds: ids };
        const pick = (s: HealthSnapshot) => pickNextToRoll(ids, s, options).nodeId;
        expect(pick(bounded)).toBe(pick(full));
        // and a batch roll picks the same batch: the co-replicas section stands in for the unlisted partitions
        const batchOptions = {
          ...options,
          maxBatchSize: 5,
          rackOf: { 1: 'a', 2: 'b', 3: 'c', 4: 'a', 5: 'b' },
        };
        expect(pickNextBatch(ids, bounded, batchOptions).batch).toEqual(
          pickNextBatch(ids, full, batchOptions).batch,
        );
        for (const id of ids) {
          expect(canRollNow(bounded, id, options).ok).toBe(canRollNow(full, id, options).ok);
          expect(isCaughtUp(bounded, id).ok).toBe(isCaughtUp(full, id).ok);
        }
      }),
      { numRuns: 120 },
    );
  }, 120_000);
});

describe("a batch roll's read that also elects the preferred leaders (elect)", () => {
  const ELECT = { elect: true };
  const healthy = () => bigCluster();

  it('elects once every partition is fully in sync, in the same command; the read is what it was', () => {
    // Act
    const plain = runScript(healthy());
    const { stdout, status } = runScript(healthy(), ELECT);
    // Assess
    expect(status).toBe(0);
    expect(electionsRun()).toBe(1);
    expect(splitHealthOutput(stdout).election).toEqual({ ran: true, elected: true, detail: 'elected' });
    expect(snapshotOf(stdout)).toEqual(snapshotOf(plain.stdout));
    expect(stdout.length).toBeLessThanOrEqual(20_000);
  });

  it.each([
    ['a broker out of the ISRs', bigCluster([7])],
    [
      'a leaderless partition',
      rackAwareCluster(6, {
        extra: [{ topic: 'orphan', partition: 0, leader: null, replicas: [1, 2, 3], isr: [1, 2, 3] }],
      }),
    ],
    [
      'a replica being removed',
      rackAwareCluster(6, {
        extra: [
          {
            topic: 'moving',
            partition: 0,
            leader: 1,
            replicas: [1, 2, 3, 4],
            isr: [1, 2, 3, 4],
            removingReplicas: [4],
          },
        ],
      }),
    ],
  ])('does not elect with %s', (_name, cluster) => {
    // Act
    const { stdout, status } = runScript(cluster, ELECT);
    // Assess
    expect(status).toBe(0);
    expect(electionsRun()).toBe(0);
    expect(splitHealthOutput(stdout).election).toEqual({
      ran: false,
      elected: false,
      detail: 'partitions not fully in sync',
    });
  });

  it('does not elect when the topics tool failed (its output is no proof of anything)', () => {
    // Prepare: TopicCommand's output replaced by a failure (the stand-in exits 2 on an unknown class)
    const cluster = healthy();
    const { FAKE_OUTPUT } = serveToolOutput(cluster);
    rmSync(join(FAKE_OUTPUT, 'topics'));
    // Act
    const result = spawnSync('bash', ['-c', renderHealthScript(seedPlan, undefined, ELECT)], {
      env: { PATH: `${join(FAKE_OUTPUT, 'bin')}:/usr/bin:/bin`, FAKE_OUTPUT },
      encoding: 'utf8',
    });
    // Assess
    expect(result.status).toBe(1);
    expect(electionsRun()).toBe(0);
    expect(splitHealthOutput(result.stdout).election?.ran).toBe(false);
  });

  it.each([
    ['only preferred replicas not available', notAvailable(2), { ran: true, elected: true }],
    [
      'another error besides',
      `${notAvailable(1)}\tSuppressed: org.apache.kafka.common.errors.TimeoutException: x\n${'x'.repeat(50_000)}\n`,
      { ran: true, elected: false },
    ],
  ])(
    'an election ending with %s: %o; the read still succeeds, its output bounded',
    (_name, stderr, expected) => {
      // Act
      const { stdout, status } = runScript({ ...healthy(), election: { code: 1, stderr } }, ELECT);
      // Assess
      const election = splitHealthOutput(stdout).election;
      expect(status).toBe(0);
      expect(election).toMatchObject(expected);
      if (!expected.elected) expect(election?.detail).toMatch(/^LeaderElectionCommand exited 1\n/);
      expect(snapshotOf(stdout).registeredBrokers).toHaveLength(49);
      expect(stdout.length).toBeLessThanOrEqual(21_100);
    },
  );
});

/** LeaderElectionCommand's failure when `n` preferred replicas are down (AdminCommandFailedException). */
const notAvailable = (n: number) =>
  `org.apache.kafka.server.common.AdminCommandFailedException: ${n} replica(s) could not be elected\n` +
  '\tat org.apache.kafka.tools.LeaderElectionCommand.electLeaders(LeaderElectionCommand.java:177)\n' +
  '\tSuppressed: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: The preferred leader was not available.\n'.repeat(
    n,
  );

describe('the scripts Run Command carries', () => {
  const shellcheck = (script: string) =>
    spawnSync(venvTool('shellcheck'), ['--shell=bash', '--severity=style', '-'], {
      input: script,
      encoding: 'utf8',
    });

  it.each([
    ['the health read', renderHealthScript(seedPlan)],
    ['the preferred-leader election', renderElectionScript(seedPlan)],
    ["a batch roll's read that elects", renderHealthScript(seedPlan, undefined, { elect: true })],
  ])('%s passes shellcheck', (_name, script) => {
    const result = shellcheck(script);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the election runs Kafka 3.7 LeaderElectionCommand on the INTERNAL listeners, preferred leaders, every partition', () => {
    const script = renderElectionScript(seedPlan);
    expect(script).toContain("readonly BOOTSTRAP='10.0.0.10:9092,10.0.64.10:9092,10.0.128.10:9092'");
    expect(script).toContain(
      'run_tool elect org.apache.kafka.tools.LeaderElectionCommand --bootstrap-server "$BOOTSTRAP" \\\n    --election-type PREFERRED --all-topic-partitions',
    );
  });

  it.each([
    ['elected', 0, '', 0],
    ['only preferred replicas not available (the next batch restarting)', 1, notAvailable(2), 0],
    [
      'another error besides',
      1,
      `${notAvailable(1)}\tSuppressed: org.apache.kafka.common.errors.TimeoutException: x\n`,
      1,
    ],
    ['the tool failing otherwise', 1, 'Exception in thread "main" java.lang.RuntimeException: boom\n', 1],
  ])('the election script: %s → exit %s', (_name, toolExit, toolStderr, expected) => {
    // Prepare: a `java` stand-in exiting as LeaderElectionCommand would
    const bin = mkdtempSync(join(tmpdir(), 'kafka-plc-elect-'));
    writeFileSync(
      join(bin, 'java'),
      `#!/usr/bin/env bash\nprintf '%s' "$STANDIN_STDERR" >&2\nexit ${toolExit}\n`,
    );
    chmodSync(join(bin, 'java'), 0o755);
    // Act
    const result = spawnSync('bash', ['-c', renderElectionScript(seedPlan)], {
      env: { PATH: `${bin}:/usr/bin:/bin`, STANDIN_STDERR: toolStderr },
      encoding: 'utf8',
    });
    rmSync(bin, { recursive: true, force: true });
    // Assess
    expect(result.status, result.stdout + result.stderr).toBe(expected);
  });
});
