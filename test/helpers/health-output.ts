/**
 * Kafka 3.7.1 tool output generated for a cluster of any size (formats of the captures in
 * test/fixtures/kafka-output), and the real health script run on it with a `java` stand-in that prints that
 * output: for the health-output bound (test/unit/domain/health-script.test.ts) and its bench figure, and as
 * the emulated health of the 48-broker roll on the emulator (test/emulator/batch-roll.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HealthScriptOptions, renderHealthScript } from '../../functions/lib/domain/health-script';
import { planCluster } from '../../functions/lib/domain/plan';
import type { PartitionState } from '../../functions/lib/domain/roll';
import { parseClusterSpec } from '../../functions/lib/spec';
import { seedSpec } from '../fixtures/specs';

const FIXTURES = new URL('../fixtures/kafka-output/', import.meta.url);
const apiBlock = readFileSync(new URL('broker-api-versions.txt', FIXTURES), 'utf8').split('\n)\n')[0];
/**
 * The stand-in's directory (its `bin/java` and the generated output): made on first use, and again after a
 * clean-up, so that importing this module (the bench runner imports every bench) leaves nothing behind.
 */
let dir: string | undefined;
const STAND_IN = [
  '#!/usr/bin/env bash',
  '# stand-in for the Kafka tools: prints the generated output of the tool class it is asked to run',
  'for arg in "$@"; do',
  '  case "$arg" in',
  '    org.apache.kafka.tools.TopicCommand) exec cat -- "$FAKE_OUTPUT/topics" ;;',
  '    org.apache.kafka.tools.MetadataQuorumCommand) exec cat -- "$FAKE_OUTPUT/quorum" ;;',
  '    kafka.admin.BrokerApiVersionsCommand) exec cat -- "$FAKE_OUTPUT/api" ;;',
  '    org.apache.kafka.tools.LeaderElectionCommand)',
  '      echo elected >> "$FAKE_OUTPUT/elections"',
  '      cat -- "$FAKE_OUTPUT/elect-stderr" >&2',
  '      exit "$(cat -- "$FAKE_OUTPUT/elect-code")" ;;',
  '  esac',
  'done',
  'exit 2',
].join('\n');

function ensureStandIn(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'kafka-plc-health-'));
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin', 'java'), STAND_IN);
  chmodSync(join(dir, 'bin', 'java'), 0o755);
  return dir;
}

/** Removes the stand-in's directory (the next serveToolOutput makes a new one: benches share this module). */
export function cleanUpGeneratedOutput(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

export interface Cluster {
  brokers: number[];
  registered: number[];
  leader: number;
  voters: number[];
  topics: { name: string; minIsr?: number; partitions: PartitionState[] }[];
  /** How LeaderElectionCommand ends here (default: exit 0, nothing on standard error). */
  election?: { code: number; stderr: string };
}

/** A reassigning partition's fields: TopicCommand prints both, either may be empty. */
function reassignment(p: PartitionState): string {
  if (!p.addingReplicas && !p.removingReplicas) return '';
  return `\tAdding Replicas: ${(p.addingReplicas ?? []).join(',')}\tRemoving Replicas: ${(p.removingReplicas ?? []).join(',')}`;
}

/** TopicCommand --describe as Kafka 3.7.1 prints it. */
export function topicsText(cluster: Cluster): string {
  return cluster.topics
    .map((t) =>
      [
        `Topic: ${t.name}\tTopicId: y3Q-siZiQY21Y9GtVHEhNQ\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${t.partitions[0]?.replicas.length ?? 0}\tConfigs: ${t.minIsr === undefined ? '' : `min.insync.replicas=${t.minIsr},`}unclean.leader.election.enable=false`,
        ...t.partitions.map(
          (p) =>
            `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader ?? 'none'}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}${reassignment(p)}`,
        ),
      ].join('\n'),
    )
    .map((text) => `${text}\n`)
    .join('');
}

/** MetadataQuorumCommand describe --replication: voters, then every other broker as an observer. */
function quorumText(cluster: Cluster): string {
  const now = 1795618467599;
  const row = (id: number, status: string) =>
    `${String(id).padEnd(6)}\t${'100'.padEnd(12)}\t0  \t${now}     \t${now}        \t${status.padEnd(8)}\t`;
  return [
    'NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t',
    row(cluster.leader, 'Leader'),
    ...cluster.voters.filter((v) => v !== cluster.leader).map((v) => row(v, 'Follower')),
    ...cluster.brokers.filter((b) => !cluster.voters.includes(b)).map((b) => row(b, 'Observer')),
    '',
  ].join('\n');
}

/** BrokerApiVersionsCommand: each registered broker's full block (~2,700 characters, as captured). */
function apiText(cluster: Cluster): string {
  return cluster.registered
    .map((id) => {
      const body = apiBlock?.slice(apiBlock.indexOf('\n') + 1) ?? '';
      return `10.0.${id}.10:9092 (id: ${id} rack: usw2-az${(id % 3) + 1}) -> (\n${body}\n)\n`;
    })
    .join('');
}

/**
 * Makes the `java` stand-in print `cluster`'s tool output; returns where it is (`bin`, first on the health
 * script's PATH) and the FAKE_OUTPUT directory its environment must name.
 */
export function serveToolOutput(cluster: Cluster): { bin: string; FAKE_OUTPUT: string } {
  const out = ensureStandIn();
  writeFileSync(join(out, 'topics'), topicsText(cluster));
  writeFileSync(join(out, 'quorum'), quorumText(cluster));
  writeFileSync(join(out, 'api'), apiText(cluster));
  writeFileSync(join(out, 'elect-code'), String(cluster.election?.code ?? 0));
  writeFileSync(join(out, 'elect-stderr'), cluster.election?.stderr ?? '');
  rmSync(join(out, 'elections'), { force: true });
  return { bin: join(out, 'bin'), FAKE_OUTPUT: out };
}

/** How many times LeaderElectionCommand ran since the last serveToolOutput. */
export function electionsRun(): number {
  const file = dir && join(dir, 'elections');
  return file && existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

/**
 * The environment under which the roll's health read (KAFKA_PLC_HEALTH_SOURCE=local: the real script, run here)
 * sees `cluster`: the stand-in first on PATH (`basePath` after it).
 */
export function emulatedHealthEnv(cluster: Cluster, basePath = process.env.PATH ?? ''): NodeJS.ProcessEnv {
  const { bin, FAKE_OUTPUT } = serveToolOutput(cluster);
  return {
    KAFKA_PLC_HEALTH_SOURCE: 'local',
    KAFKA_PLC_HEALTH_BOOTSTRAP: '127.0.0.1:9093',
    PATH: `${bin}:${basePath}`,
    FAKE_OUTPUT,
  };
}

export function runScript(
  cluster: Cluster,
  options: HealthScriptOptions = {},
): { stdout: string; status: number | null; stderr: string } {
  const { bin, FAKE_OUTPUT } = serveToolOutput(cluster);
  const env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_OUTPUT };
  const plan = planCluster(parseClusterSpec(seedSpec()));
  const result = spawnSync('bash', ['-c', renderHealthScript(plan, undefined, options)], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { stdout: result.stdout, status: result.status, stderr: result.stderr };
}

/**
 * A healthy cluster of `brokers` brokers placed round-robin over three AZs (node n in the AZ plan.ts gives it:
 * azIds[(n − 1) % 3]), voters 1–3, controller `leader`; each partition has one replica per AZ, as Kafka's
 * rack-aware assignment places RF 3 with broker.rack = AZ ID. `extra` partitions are appended as given.
 */
export function rackAwareCluster(
  brokers: number,
  options: { topics?: number; leader?: number; extra?: PartitionState[] } = {},
): Cluster {
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const perRack = Math.ceil(brokers / 3);
  const inRack = (rack: number, k: number) => rack + 3 * (k % Math.floor((brokers - rack) / 3 + 1));
  const topics = Array.from({ length: options.topics ?? 10 }, (_, t) => ({
    name: `changefeed-${t}`,
    minIsr: 2,
    partitions: Array.from({ length: perRack }, (_, p) => {
      const replicas = [inRack(1, p), inRack(2, p + t), inRack(3, p + 2 * t)];
      return { topic: `changefeed-${t}`, partition: p, leader: replicas[0] ?? null, replicas, isr: replicas };
    }),
  }));
  const extra = options.extra ?? [];
  for (const topic of new Set(extra.map((p) => p.topic)))
    topics.push({ name: topic, minIsr: 2, partitions: extra.filter((p) => p.topic === topic) });
  return { brokers: ids, registered: ids, leader: options.leader ?? 1, voters: [1, 2, 3], topics };
}

/** 49 brokers, 100 topics × 50 partitions, RF 3; `down` brokers out of every ISR and unregistered. */
export function bigCluster(down: number[] = []): Cluster {
  const brokers = Array.from({ length: 49 }, (_, i) => i + 1);
  const topics = Array.from({ length: 100 }, (_, t) => ({
    name: `changefeed-topic-${String(t).padStart(3, '0')}`,
    minIsr: 2,
    partitions: Array.from({ length: 50 }, (_, p) => {
      const first = (t * 50 + p) % 49;
      const replicas = [0, 1, 2].map((k) => ((first + k * 7) % 49) + 1);
      const isr = replicas.filter((id) => !down.includes(id));
      return {
        topic: `changefeed-topic-${String(t).padStart(3, '0')}`,
        partition: p,
        leader: isr[0] ?? null,
        replicas,
        isr,
      };
    }),
  }));
  return {
    brokers,
    registered: brokers.filter((b) => !down.includes(b)),
    leader: 1,
    voters: [1, 2, 3],
    topics,
  };
}

/**
 * bigCluster's 5,000 partitions re-placed so that together they hold every pair of the 49 brokers (partition i
 * the i-th pair, plus a third replica): the co-replicas section at its largest (1,176 pairs).
 */
export function everyPairCluster(down: number[] = []): Cluster {
  const pairs = Array.from({ length: 49 }, (_, a) =>
    Array.from({ length: 48 - a }, (_, k) => [a + 1, a + 2 + k] as const),
  ).flat();
  const cluster = bigCluster(down);
  let i = 0;
  for (const topic of cluster.topics)
    topic.partitions = topic.partitions.map((p) => {
      const [a, b] = pairs[i++ % pairs.length] ?? [1, 2];
      const replicas = [...new Set([a, b, ((a + b) % 49) + 1])];
      const isr = replicas.filter((id) => !down.includes(id));
      return { ...p, replicas, isr, leader: isr[0] ?? null };
    });
  return cluster;
}
