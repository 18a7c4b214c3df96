/**
 * TiCDC's own Kafka client on the consumer side: test/sarama's ticdc-check (Sarama, configured as a changefeed's
 * Kafka sink configures it; built by scripts/setup-go.sh into .cache/bin) run against the harness through the
 * bootstrap port only, with a hosts file that resolves the advertised names it is given to haproxy (the
 * endpoint) and nothing else. It describes the cluster, reads the broker's and the topic's message size limits
 * (TiCDC's max-message-bytes reconciliation), creates its topic when missing, produces with acks=all and reads
 * every message back; its JSON report comes back here.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { ROOT } from '../helpers/tools';
import { renderHostsFile } from './consumer-side';
import type { KafkaCluster } from './harness';

const run = promisify(execFile);
export const TICDC_CHECK = join(ROOT, '.cache', 'bin', 'ticdc-check');

export interface TicdcCheckReport {
  brokers: { id: number; addr: string; rack: string }[];
  controllerId: number;
  brokerConfigs: Record<string, string>;
  topicCreated: boolean;
  partitions: number;
  replicationFactor: number;
  topicConfigs: Record<string, string>;
  /** Why the topic's configs could not be read (its ACLs, say); the broker's limits were used. */
  topicConfigsError?: string;
  maxMessageBytes: number;
  acked: number;
  ackedBytes: number;
  /** -load: messages Sarama gave up on after its retries, and the first errors. */
  failed: number;
  failures: string[];
  consumed: number;
  consumedBytes: number;
  /** Messages read back more than once (a retried send already written: TiCDC's producer is not idempotent). */
  duplicates: number;
  missing: string[];
  /** Every connection the client opened: the name it asked for, and the address it went to. */
  dials: { host: string; port: string; address: string }[];
  /** Every connection it could not open: a name the consumer side does not resolve. */
  refused: { host: string; port: string }[];
  /** Set when a step failed: which, and why. */
  step?: string;
  error?: string;
}

export interface TicdcCheckOptions {
  topic: string;
  /** The endpoint's bootstrap port (default the plan's first consumer's). */
  bootstrapPort?: number;
  /** Advertised name → address; default: every name the harness's consumer side resolves. */
  names?: Map<string, string>;
  messages?: number;
  messageBytes?: number;
  largeMessageBytes?: number;
  maxMessageBytes?: number;
  idempotent?: boolean;
  /** Read every message back (default); a changefeed's exact ACLs allow no reading. */
  readBack?: boolean;
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; user: string; password: string };
  timeoutSeconds?: number;
}

/** A temporary directory holding `names` as a hosts file (ticdc-check's -hosts): the caller removes `dir`. */
function hostsFileOf(names: Map<string, string>): { dir: string; hosts: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-plc-ticdc-'));
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, renderHostsFile(names));
  return { dir, hosts };
}

/** Runs ticdc-check against the harness; resolves with its report and exit code (1: a step failed, named). */
export function runTicdcCheck(
  cluster: KafkaCluster,
  options: TicdcCheckOptions,
): Promise<{ report: TicdcCheckReport; code: number; stderr: string }> {
  return runTicdcCheckAt(
    `${cluster.haproxyAddress}:${options.bootstrapPort ?? cluster.plan.kafka.ports.bootstrap}`,
    options.names ?? cluster.consumerNames,
    options,
  );
}

/** Runs ticdc-check against `bootstrap` (address:port), resolving `names` (advertised name → address) only. */
export async function runTicdcCheckAt(
  bootstrap: string,
  names: Map<string, string>,
  options: TicdcCheckOptions,
): Promise<{ report: TicdcCheckReport; code: number; stderr: string }> {
  const { dir, hosts } = hostsFileOf(names);
  const args = [
    `-bootstrap=${bootstrap}`,
    `-hosts=${hosts}`,
    `-topic=${options.topic}`,
    `-messages=${options.messages ?? 100}`,
    `-message-bytes=${options.messageBytes ?? 256}`,
    `-large-message-bytes=${options.largeMessageBytes ?? 0}`,
    `-idempotent=${options.idempotent ?? false}`,
    `-read-back=${options.readBack ?? true}`,
    `-timeout=${options.timeoutSeconds ?? 120}s`,
    ...(options.maxMessageBytes === undefined ? [] : [`-max-message-bytes=${options.maxMessageBytes}`]),
    ...(options.sasl ? [`-sasl-mechanism=${options.sasl.mechanism}`, `-sasl-user=${options.sasl.user}`] : []),
  ];
  const env = { PATH: process.env.PATH ?? '', KAFKA_PLC_SASL_PASSWORD: options.sasl?.password ?? '' };
  try {
    const { stdout, stderr } = await run(TICDC_CHECK, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return { report: JSON.parse(stdout) as TicdcCheckReport, code: 0, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
    if (e.code === 1 && e.stdout)
      return { report: JSON.parse(e.stdout) as TicdcCheckReport, code: 1, stderr: e.stderr ?? '' };
    throw new Error(`ticdc-check did not run: ${e.message}\n${e.stderr ?? ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a roll must leave of TiCDC's client's writes (ticdc-check -load): no step failed, more than `minAcked`
 * acknowledged, no send given up on after TiCDC's retries (5, 100 ms apart: a leader move the brokers took
 * longer to agree on; see METADATA_MAX_IDLE_INTERVAL_MS), and every acknowledged message read back.
 */
export function expectTicdcLoadSound(report: TicdcCheckReport | undefined, minAcked: number): void {
  expect(report?.error).toBeUndefined();
  expect(report?.acked).toBeGreaterThan(minAcked);
  expect({ failed: report?.failed, failures: report?.failures }).toEqual({ failed: 0, failures: [] });
  expect(report?.missing).toEqual([]);
  expect(report?.consumed).toBe(report?.acked);
}

export interface TicdcLoad {
  /** Ends the writing (closes its standard input), waits for the read-back and returns the report. */
  stop(): Promise<TicdcCheckReport>;
}

/**
 * TiCDC's client as a changefeed writing during a roll (ticdc-check -load): one message every 20 ms to an
 * existing topic through the bootstrap port, with TiCDC's producer settings, until stop(); then it reads the
 * topic back. `names` is read once, at the start: give it every name the consumer side will resolve. Sarama's
 * log goes to `ticdc-load-<topic>.log` in the harness's directory (kept with KAFKA_PLC_KEEP_TMP=1).
 */
export function startTicdcLoad(
  cluster: KafkaCluster,
  options: { topic: string; names?: Map<string, string> },
): TicdcLoad {
  const { dir, hosts } = hostsFileOf(options.names ?? cluster.consumerNames);
  const child = spawn(
    TICDC_CHECK,
    [
      '-load',
      `-bootstrap=${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`,
      `-hosts=${hosts}`,
      `-topic=${options.topic}`,
      // Sarama's own log (each retry and metadata refresh, to the microsecond) beside the brokers' logs
      `-log=${join(cluster.dir, `ticdc-load-${options.topic}.log`)}`,
      '-timeout=20m',
    ],
    { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    async stop() {
      child.stdin.end();
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      if (!stdout.trim()) throw new Error(`ticdc-check -load exited ${code} with no report:\n${stderr}`);
      return JSON.parse(stdout) as TicdcCheckReport;
    },
  };
}
