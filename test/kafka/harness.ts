/**
 * A real Kafka 3.7 cluster on loopback, configured by exactly what kafka-plc renders, behind haproxy
 * generated from the planned NLB listeners. The data-plane rehearsal of the private-link path:
 *   1. plan the seed spec with brokers on 127.0.1.N (same ports as on AWS) and per-broker log dirs;
 *   2. check every address:port is free (a crashed run's leftovers give a clear error, with PIDs);
 *   3. run OUR rendered broker script per broker (service manager none, installs off): it writes
 *      server.properties and formats storage with kafka.tools.StorageTool;
 *   4. start `java kafka.Kafka server.properties` per broker (small heap, logs to files) and wait
 *      until each logs "Kafka Server started";
 *   5. start haproxy on 127.0.2.1 from renderHaproxyConfig(plan) and wait until every target passes
 *      its TCP health check;
 *   6. stop(): haproxy, then the brokers, by PID (SIGTERM, SIGKILL after a bound).
 * Between start and stop, stopBroker/startBroker/restartBroker do what systemd does on EC2 (a controlled
 * SIGTERM, wait for the exit, start again), for rolls and failure drills; every new PID is tracked too.
 * Needs `npm run test:setup` (scripts/setup-kafka.sh): the jars in .cache/kafka-<version>/libs, haproxy.
 * Files (configs, data, logs) live in a temp dir removed by stop(); KAFKA_PLC_KEEP_TMP=1 keeps it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { HARNESS_PID_FILE as PID_FILE } from '../../cli/kept-rehearsal';
import { type Plan, planCluster } from '../../functions/lib/domain/plan';
import { type ClusterSpecInput, parseClusterSpec } from '../../functions/lib/spec';
import { seedSpec } from '../fixtures/specs';
import { ROOT } from '../helpers/tools';
import { consumerNameMap, renderHostsFile } from './consumer-side';
import { parseStat, renderHaproxyConfig, type StatRow, serverRows } from './haproxy';
import { queryStatsSocket } from './haproxy-stats';
import { configureBroker, startBroker } from './kafka-jvm';
import {
  assertEndpointsFree,
  onEmergencyStop,
  releaseProcess,
  startProcess,
  stopProcess,
  type Tracked,
  tail,
  waitFor,
} from './processes';

const run = promisify(execFile);

export const HAPROXY_ADDRESS = '127.0.2.1';
export const brokerAddress = (nodeId: number): string => `127.0.1.${nodeId}`;

export interface KafkaCluster {
  /** The spec the harness runs (as a user passes it) and its plan on loopback. */
  spec: ClusterSpecInput;
  plan: Plan;
  dir: string;
  libs: string;
  haproxyAddress: string;
  statsSocket: string;
  /** The consumer side's name → address map (advertised names → haproxy) and its Java hosts file. */
  consumerNames: Map<string, string>;
  hostsFile: string;
  /** Milliseconds per start-up phase. */
  timings: Record<string, number>;
  /** The brokers: current PID (updated by a restart) and the directory the broker script configured. */
  brokers: { nodeId: number; pid: number; dir: string }[];
  stats(): Promise<StatRow[]>;
  /** Controlled stop of one broker: SIGTERM to its PID, wait for the exit (SIGKILL only after graceMs). */
  stopBroker(nodeId: number, graceMs?: number): Promise<BrokerStop>;
  /** Starts a stopped broker on its server.properties; resolves when it logs "Kafka Server started". */
  startBroker(nodeId: number): Promise<{ pid: number; ms: number }>;
  /** stopBroker then startBroker: what `systemctl restart kafka` does on EC2. */
  restartBroker(nodeId: number): Promise<BrokerRestart>;
  /** Is the broker's JVM running (what `systemctl is-active kafka` tells on EC2)? */
  isRunning(nodeId: number): boolean;
  /** The broker's loopback address. */
  addressOf(nodeId: number): string;
  /** Makes `plan`'s advertised names resolve on the consumer side too (resolver map and hosts file). */
  addConsumerNames(plan: Plan): void;
  /** Aborted when stop() begins: whatever still drives the cluster (a roll after a failed test) ends. */
  signal: AbortSignal;
  stop(): Promise<void>;
  /**
   * Leaves the cluster running after this process ends (a kept rehearsal): its processes are no longer stopped
   * on exit and its directory stays. Returns what a later stop needs: the running processes and the directory.
   */
  release(): { processes: { name: string; pid: number }[]; dir: string };
}

export interface BrokerStop {
  pid: number;
  /** 'killed' when SIGTERM was not enough within the grace period (not a controlled shutdown). */
  how: 'exited' | 'killed';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

export interface BrokerRestart {
  /** null when the broker was not running (then it is only started). */
  stopped: BrokerStop | null;
  started: { pid: number; ms: number };
}

export function kafkaHome(plan: Plan): string {
  return join(ROOT, '.cache', `kafka-${plan.kafka.version}`);
}

/** The most brokers the harness runs (127.0.1.1–127.0.1.6: the batch roll's three racks of two). */
export const HARNESS_MAX_BROKERS = 6;

/**
 * The cluster's plan on loopback (default: the seed's spec); `uniqueName` (default the spec's own) names
 * the advertised hosts. One broker per 127.0.1.N: three for the seed, six for brokersPerAz 2.
 */
export function harnessPlan(
  dataRoot: string,
  uniqueName?: string,
  spec: ClusterSpecInput = seedSpec(),
): Plan {
  const parsed = parseClusterSpec({ ...spec, ...(uniqueName === undefined ? {} : { uniqueName }) });
  const count = parsed.brokersPerAz * parsed.azIds.length;
  const plan = planCluster(parsed, {
    privateIps: Object.fromEntries(Array.from({ length: count }, (_, i) => [i + 1, brokerAddress(i + 1)])),
    listenAddress: 'private-ip',
    logDirs: (nodeId) => join(dataRoot, `b${nodeId}`, 'data'),
    confDir: (nodeId) => join(dataRoot, `b${nodeId}`, 'conf'),
  });
  if (plan.brokers.length > HARNESS_MAX_BROKERS) {
    throw new Error(
      `the real-Kafka harness runs at most ${HARNESS_MAX_BROKERS} brokers; ${parsed.clusterName} plans ${plan.brokers.length}`,
    );
  }
  return plan;
}

export function findHaproxy(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  const found = dirs.map((d) => join(d, 'haproxy')).find((p) => existsSync(p));
  if (!found) throw new Error('haproxy is not installed: run "npm run test:setup" (npm test does it first)');
  return found;
}

function exitedReason(processes: Tracked[]): string | undefined {
  const gone = processes.find((p) => p.exitCode() !== 'running');
  if (!gone) return undefined;
  return `${gone.name} (PID ${gone.pid}) exited with ${gone.exitCode()}; last output:\n${tail(gone.outputFile)}`;
}

async function timed<T>(timings: Record<string, number>, phase: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await step();
  timings[phase] = Date.now() - started;
  return result;
}

/** Everything the start needs is there and free; returns the haproxy binary. */
async function preflight(plan: Plan, libs: string): Promise<string> {
  const jar = join(libs, `kafka_${plan.kafka.scalaVersion}-${plan.kafka.version}.jar`);
  if (!existsSync(jar))
    throw new Error(`${jar} is missing: run "npm run test:setup" (npm test does it first)`);
  const haproxyBinary = findHaproxy();
  const ports = plan.kafka.ports;
  const listening = [ports.internal, ports.controller, ...plan.consumers.map((c) => c.targetPort)];
  await assertEndpointsFree(
    [
      ...plan.brokers.flatMap((b) =>
        listening.map((port) => ({
          address: b.privateIp,
          port,
          owner: `broker ${b.name}`,
        })),
      ),
      ...plan.loadBalancer.listeners.map((l) => ({
        address: HAPROXY_ADDRESS,
        port: l.port,
        owner: 'haproxy',
      })),
    ],
    PID_FILE,
  );
  return haproxyBinary;
}

export async function startKafkaCluster(
  spec: ClusterSpecInput = seedSpec(),
  options: { awsEndpoint?: string } = {},
): Promise<KafkaCluster> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const dir = mkdtempSync(join(tmpdir(), 'kafka-plc-kafka-'));
  const plan = (() => {
    try {
      return harnessPlan(dir, undefined, spec);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  })();
  const home = kafkaHome(plan);
  const libs = join(home, 'libs');
  const haproxyBinary = await preflight(plan, libs).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  const processes: Tracked[] = [];
  const statsSocket = join(dir, 'haproxy.sock');
  const stats = async () => parseStat(await queryStatsSocket(statsSocket, 'show stat'));
  const removeFiles = () => {
    rmSync(PID_FILE, { force: true });
    if (!process.env.KAFKA_PLC_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onEmergencyStop(removeFiles);
  // Aborted at once by stop(): a roll still running after a failed test must not start a broker again.
  const stopping = new AbortController();
  const STOP_GRACE_MS = 2_000;
  const stop = async () => {
    stopping.abort(new Error('the real-Kafka harness is stopping'));
    const haproxy = processes.filter((p) => p.name === 'haproxy');
    await Promise.all(haproxy.map((p) => stopProcess(p, 5_000)));
    // The harness's end: its files are deleted next. Three brokers stopped at once each wait, in their controlled
    // shutdown, on a KRaft quorum that is going away with them (6 s measured per file), so SIGKILL after 2 s.
    await Promise.all(
      processes.filter((p) => p.name !== 'haproxy').map((p) => stopProcess(p, STOP_GRACE_MS)),
    );
    unregister();
    removeFiles();
  };
  const record = (tracked: Tracked) => {
    processes.push(tracked);
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    const alive = processes.filter((p) => p.exitCode() === 'running');
    writeFileSync(PID_FILE, `${alive.map((p) => p.pid).join('\n')}\n`);
  };

  try {
    await timed(timings, 'brokerScripts', () =>
      Promise.all(
        plan.brokers.map((b) =>
          configureBroker(plan, b.nodeId, join(dir, b.name), home, options.awsEndpoint),
        ),
      ),
    );
    await timed(timings, 'brokersReady', async () => {
      for (const b of plan.brokers) record(startBroker(b.nodeId, join(dir, b.name), libs));
      await Promise.all(
        plan.brokers.map((b) =>
          waitFor(
            `broker ${b.name} to log "Kafka Server started"`,
            () => readIfExists(join(dir, b.name, 'logs', 'server.log')).includes('Kafka Server started'),
            { timeoutMs: 150_000, intervalMs: 500, failFast: () => exitedReason(processes) },
          ),
        ),
      );
    });
    await timed(timings, 'haproxyReady', async () => {
      const config = join(dir, 'haproxy.cfg');
      writeFileSync(
        config,
        renderHaproxyConfig(plan, { bindAddress: HAPROXY_ADDRESS, brokerAddress, statsSocket }),
      );
      await run(haproxyBinary, ['-c', '-q', '-f', config]);
      record(
        startProcess('haproxy', haproxyBinary, ['-db', '-f', config], {
          outputFile: join(dir, 'haproxy.log'),
        }),
      );
      await waitFor(
        'haproxy: every target passing its TCP health check',
        async () => {
          const servers = serverRows(await stats());
          return servers.length > 0 && servers.every((s) => s.status === 'UP' && s.checkStatus === 'L4OK');
        },
        { timeoutMs: 30_000, failFast: () => exitedReason(processes) },
      );
    });
  } catch (error) {
    const logs = [
      ...plan.brokers.map((b) => join(dir, b.name, 'logs', 'server.log')),
      join(dir, 'haproxy.log'),
    ].filter(existsSync);
    const tails = logs.map((file) => `--- ${file} (last lines) ---\n${tail(file, 15)}`).join('\n');
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`the real-Kafka harness did not start: ${message}\n${tails}`, { cause: error });
  }

  const consumerNames = consumerNameMap(plan, HAPROXY_ADDRESS);
  const hostsFile = join(dir, 'consumer-hosts');
  writeFileSync(hostsFile, renderHostsFile(consumerNames));
  const brokers = plan.brokers.map((b) => {
    const tracked = processes.find((p) => p.name === `broker ${b.name}`);
    if (!tracked) throw new Error(`broker ${b.name} was not started`);
    return { nodeId: b.nodeId, pid: tracked.pid, dir: join(dir, b.name) };
  });
  const lifecycle = brokerLifecycle(libs, brokers, processes, record, stopping.signal);
  timings.total = Date.now() - started;
  return {
    spec,
    plan,
    dir,
    libs,
    haproxyAddress: HAPROXY_ADDRESS,
    statsSocket,
    consumerNames,
    hostsFile,
    timings,
    brokers,
    stats,
    ...lifecycle,
    addressOf: brokerAddress,
    signal: stopping.signal,
    addConsumerNames(next: Plan) {
      for (const [name, address] of consumerNameMap(next, HAPROXY_ADDRESS)) consumerNames.set(name, address);
      writeFileSync(hostsFile, renderHostsFile(consumerNames));
    },
    stop,
    release() {
      unregister();
      const alive = processes.filter((p) => p.exitCode() === 'running');
      for (const p of alive) releaseProcess(p);
      return { processes: alive.map((p) => ({ name: p.name, pid: p.pid })), dir };
    },
  };
}

/** The broker JVMs' lifecycle after start-up, by PID; the current PID of each is kept in `brokers`. */
function brokerLifecycle(
  libs: string,
  brokers: KafkaCluster['brokers'],
  processes: Tracked[],
  record: (tracked: Tracked) => void,
  stopping: AbortSignal,
): Pick<KafkaCluster, 'stopBroker' | 'startBroker' | 'restartBroker' | 'isRunning'> {
  const entry = (nodeId: number) => {
    const broker = brokers.find((b) => b.nodeId === nodeId);
    if (!broker) throw new Error(`no broker ${nodeId} in the harness`);
    const tracked = processes.findLast((p) => p.name === `broker b${nodeId}`);
    return { broker, tracked };
  };
  const stopBroker = async (nodeId: number, graceMs = 60_000): Promise<BrokerStop> => {
    const { broker, tracked } = entry(nodeId);
    if (tracked?.exitCode() !== 'running') throw new Error(`broker b${nodeId} is not running`);
    const started = Date.now();
    const how = await stopProcess(tracked, graceMs);
    const { code, signal } = await tracked.exited;
    return { pid: broker.pid, how, exitCode: code, signal, ms: Date.now() - started };
  };
  const startBrokerAgain = async (nodeId: number) => {
    const { broker, tracked } = entry(nodeId);
    if (tracked?.exitCode() === 'running') throw new Error(`broker b${nodeId} is still running`);
    if (stopping.aborted) throw new Error(`the harness is stopping: b${nodeId} is not started again`);
    const log = join(broker.dir, 'logs', 'server.log');
    const from = existsSync(log) ? statSync(log).size : 0;
    const started = Date.now();
    const next = startBroker(nodeId, broker.dir, libs);
    record(next);
    broker.pid = next.pid;
    await waitFor(
      `broker b${nodeId} (PID ${next.pid}) to log "Kafka Server started"`,
      () => readBytesFrom(log, from).includes('Kafka Server started'),
      { timeoutMs: 120_000, intervalMs: 200, failFast: () => exitedReason([next]) },
    );
    return { pid: next.pid, ms: Date.now() - started };
  };
  return {
    stopBroker,
    startBroker: startBrokerAgain,
    isRunning: (nodeId) => entry(nodeId).tracked?.exitCode() === 'running',
    // As `systemctl restart`: a broker that is not running is just started.
    restartBroker: async (nodeId) => {
      const running = entry(nodeId).tracked?.exitCode() === 'running';
      const stopped = running ? await stopBroker(nodeId) : null;
      return { stopped, started: await startBrokerAgain(nodeId) };
    },
  };
}

/** The file's text after its first `offset` bytes (what a process appended since), '' if absent. */
function readBytesFrom(file: string, offset: number): string {
  return existsSync(file) ? readFileSync(file).subarray(offset).toString('utf8') : '';
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
