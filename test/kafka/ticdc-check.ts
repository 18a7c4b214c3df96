/**
 * TiCDC's own Kafka client on the consumer side: test/sarama's ticdc-check (Sarama, configured as a changefeed's
 * Kafka sink configures it; built by scripts/setup-go.sh into .cache/bin) run against the harness through the
 * bootstrap port only, with a hosts file that resolves the advertised names it is given to haproxy (the
 * endpoint) and nothing else. It describes the cluster, reads the broker's and the topic's message size limits
 * (TiCDC's max-message-bytes reconciliation), creates its topic when missing, produces with acks=all and reads
 * every message back; its JSON report comes back here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
  consumed: number;
  consumedBytes: number;
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

/** Runs ticdc-check; resolves with its report and exit code (1: a step failed, named in the report). */
export async function runTicdcCheck(
  cluster: KafkaCluster,
  options: TicdcCheckOptions,
): Promise<{ report: TicdcCheckReport; code: number; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-plc-ticdc-'));
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, renderHostsFile(options.names ?? cluster.consumerNames));
  const args = [
    `-bootstrap=${cluster.haproxyAddress}:${options.bootstrapPort ?? cluster.plan.kafka.ports.bootstrap}`,
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
