/**
 * A real-Kafka harness whose consumer authenticates (sasl.test.ts, sasl-plain.test.ts): the emulator, the
 * consumer's secret made as provisioning's EnsureConsumerSecret makes it (before any broker starts: the
 * harness configures its brokers once before starting them, and that run reads it too), the brokers, and
 * the control plane provisioning them through Run Command; then the user's copy of the password (what
 * TiDB Cloud is given: aws secretsmanager get-secret-value).
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { expect } from 'vitest';
import { clients } from '../../functions/lib/aws/clients';
import { consumerAuthOf } from '../../functions/lib/domain/consumer-auth';
import { type ClusterSpecInput, parseClusterSpec, primaryConsumer } from '../../functions/lib/spec';
import { ensureConsumerSecret } from '../../functions/lib/steps/consumer-secret';
import { type Emulator, FAST, startEmulator } from '../helpers/emulator';
import { consumerSocketFactory } from './consumer-side';
import { attachControlPlane, type ControlPlane } from './control-plane';
import { type KafkaCluster, startKafkaCluster } from './harness';
import { stopAllProcesses } from './processes';

export interface SaslHarness {
  emulator: Emulator;
  cluster: KafkaCluster;
  control: ControlPlane;
  secretName: string;
  password: string;
  stop(): Promise<void>;
}

export async function startSaslHarness(spec: ClusterSpecInput): Promise<SaslHarness> {
  const parsed = parseClusterSpec(spec);
  const auth = consumerAuthOf(parsed.clusterName, primaryConsumer(parsed));
  if (!auth) throw new Error('startSaslHarness: the spec has no consumer.authentication');
  const emulator = await startEmulator();
  await emulator.fresh();
  await ensureConsumerSecret(parsed, 'vpc-0harness0000000');
  const cluster = await startKafkaCluster(spec, { awsEndpoint: emulator.moto.endpoint });
  // Each broker starts Kafka's tools for the credential and the ACLs (a JVM each): real waits between checks.
  const control = await attachControlPlane(cluster, emulator.moto.endpoint, { ...FAST, waitScale: 0.2 });
  const outputs = control.executor.commands.map((c) => `b${c.nodeId} ${c.status}\n${c.stdout}\n${c.stderr}`);
  expect(
    control.provision?.status,
    `${control.provision?.error}: ${control.provision?.cause}\n${outputs.join('\n')}`,
  ).toBe('SUCCEEDED');
  const read = await clients(parsed.region).secretsmanager.send(
    new GetSecretValueCommand({ SecretId: auth.secretName }),
  );
  return {
    emulator,
    cluster,
    control,
    secretName: auth.secretName,
    password: read.SecretString ?? '',
    async stop() {
      await control.stop();
      await emulator.stop();
      await cluster.stop();
    },
  };
}

/** For afterAll: stops what started, or every harness process when the start itself failed. */
export async function stopSaslHarness(harness: SaslHarness | undefined): Promise<void> {
  await (harness ? harness.stop() : stopAllProcesses());
}

/**
 * A client on the consumer side of `cluster` (bootstrap on haproxy, advertised names resolving to it only),
 * with SASL settings or none; `retries` low for the refusals a test expects.
 */
export function consumerSideClient(
  cluster: KafkaCluster,
  clientId: string,
  sasl?: KafkaConfig['sasl'],
  retries = 10,
): Kafka {
  return new Kafka({
    clientId,
    brokers: [`${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`],
    socketFactory: consumerSocketFactory(cluster.consumerNames, [cluster.haproxyAddress]),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries, initialRetryTime: 250, maxRetryTime: 5_000 },
    ...(sasl ? { sasl } : {}),
  });
}
