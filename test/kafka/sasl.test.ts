/**
 * SASL/SCRAM-SHA-512 and exact ACLs on a real Kafka 3.7.1 cluster configured by kafka-plc: the consumer's
 * password created in Secrets Manager (the emulator) by the provision state machine's EnsureConsumerSecret,
 * read on each broker by its `aws` (test/kafka/aws-cli.ts), the SCRAM credential and ACLs applied by the
 * broker script through Run Command (the executor). Every client is on the consumer side: through haproxy
 * (the NLB stand-in), advertised names resolving to it only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ConfigResourceTypes, type Kafka, type KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../functions/lib/aws/clients';
import { secretNameOf } from '../../functions/lib/domain/consumer-auth';
import { type ClusterSpecInput, parseClusterSpec } from '../../functions/lib/spec';
import { rotateConsumerPassword } from '../../functions/lib/steps/consumer-secret';
import { type Emulator, SEED } from '../helpers/emulator';
import type { ControlPlane } from './control-plane';
import { harnessPlan, type KafkaCluster } from './harness';
import { runKafkaTool } from './kafka-jvm';
import { consumerSideClient, type SaslHarness, startSaslHarness, stopSaslHarness } from './sasl-harness';
import { runTicdcCheck } from './ticdc-check';

const SPEC: ClusterSpecInput = {
  ...SEED,
  consumer: { ...SEED.consumer, authentication: 'sasl-scram-sha-512', topicPrefix: 'cdc-' },
};
const SECRET = secretNameOf(SEED.clusterName, 'tidbcloud');

let harness: SaslHarness | undefined;
let emulator: Emulator;
let cluster: KafkaCluster;
let control: ControlPlane;
let password = '';

beforeAll(async () => {
  harness = await startSaslHarness(SPEC);
  ({ emulator, cluster, control, password } = harness);
}, 300_000);

afterAll(async () => {
  await stopSaslHarness(harness);
}, 120_000);

function consumer(sasl?: KafkaConfig['sasl'], retries = 5): Kafka {
  return consumerSideClient(cluster, 'kafka-plc-sasl', sasl, retries);
}
/** Kafka's own clients' SASL settings, as TiDB Cloud's are entered (mode 0600: it holds the password). */
function clientConfig(): string {
  const file = join(cluster.dir, 'tidbcloud-client.properties');
  writeFileSync(
    file,
    [
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="tidbcloud" password="${password}";`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}
const tidbcloud = () => consumer({ mechanism: 'scram-sha-512', username: 'tidbcloud', password });

/** What a failed call says: every error type (kafkajs' protocol errors) and message down its cause chain. */
async function failure(act: () => Promise<unknown>): Promise<string> {
  let result: unknown;
  try {
    result = await act();
  } catch (error) {
    const parts: string[] = [];
    let e = error as {
      type?: string;
      name?: string;
      message?: string;
      cause?: unknown;
      originalError?: unknown;
    };
    for (let depth = 0; e && depth < 5; depth++) {
      parts.push(`${e.type ?? e.name}: ${e.message}`);
      e = (e.cause ?? e.originalError) as typeof e;
    }
    return parts.join(' <- ');
  }
  return `succeeded: ${String(result ?? '').slice(-2000)}`;
}

describe('the consumer with its SCRAM-SHA-512 credential', () => {
  it('creates a topic in its scope, produces with acks=all and describes the cluster configs', async () => {
    // Prepare
    const admin = tidbcloud().admin();
    const producer = tidbcloud().producer({ idempotent: true, maxInFlightRequests: 1 });
    await admin.connect();
    await producer.connect();
    try {
      // Act
      const created = await admin.createTopics({
        topics: [{ topic: 'cdc-orders', numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: false,
      });
      const sent = await producer.send({
        topic: 'cdc-orders',
        acks: -1,
        messages: [{ key: 'k1', value: 'row change 1' }],
      });
      const configs = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
        includeSynonyms: false,
      });
      // Assess
      expect(created).toBe(true);
      expect(sent[0]?.errorCode).toBe(0);
      const names = configs.resources[0]?.configEntries.map((c) => c.configName) ?? [];
      expect(names).toContain('min.insync.replicas');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});

describe("TiCDC's own client (Sarama) with SCRAM-SHA-512", () => {
  it('starts the changefeed sink on exactly its ACLs: the broker limits, creates cdc-ticdc, 100 written with acks=all', async () => {
    // Act: reading back is not in a changefeed's ACLs (acks=all is the proof of the write)
    const sasl = { mechanism: 'SCRAM-SHA-512', user: 'tidbcloud', password } as const;
    const { report, code, stderr } = await runTicdcCheck(cluster, {
      topic: 'cdc-ticdc',
      readBack: false,
      sasl,
    });
    // Assess
    expect(code, `${report.step}: ${report.error}\n${stderr}`).toBe(0);
    expect(report).toMatchObject({ topicCreated: true, partitions: 3, replicationFactor: 3, acked: 100 });
    expect(report.brokerConfigs['min.insync.replicas']).toBe('2');
    expect(report.maxMessageBytes).toBe(
      Math.min(10 * 1024 * 1024, Number(report.brokerConfigs['message.max.bytes']) - 128),
    );
    // DescribeConfigs on topics is not among its ACLs (a changefeed reads none on a topic it creates)
    expect(report.topicConfigsError).toMatch(/authoriz/i);
    expect(new Set(report.dials.map((d) => d.address))).toEqual(new Set([cluster.haproxyAddress]));
  }, 150_000);

  it('with a wrong password, fails authenticating and writes nothing', async () => {
    // Act
    const sasl = { mechanism: 'SCRAM-SHA-512', user: 'tidbcloud', password: `${password}x` } as const;
    const { report, code } = await runTicdcCheck(cluster, { topic: 'cdc-ticdc-2', readBack: false, sasl });
    // Assess
    expect(code).toBe(1);
    expect(report.error).toMatch(/SASL Authentication failed/i);
    expect(report.acked).toBe(0);
  }, 150_000);
});

describe('refused', () => {
  it('a wrong password: authentication fails', async () => {
    const admin = consumer(
      { mechanism: 'scram-sha-512', username: 'tidbcloud', password: 'wrong' },
      0,
    ).admin();
    expect(await failure(() => admin.connect())).toMatch(/SASL.*[Aa]uthentication failed|SASLAuthentication/);
  });

  it('a client without SASL: the listener speaks SASL only', async () => {
    const admin = consumer(undefined, 0).admin();
    expect(await failure(() => admin.listTopics().finally(() => admin.disconnect()))).not.toMatch(
      /^succeeded/,
    );
  });

  it('writing outside the topic scope, reading, deleting a topic and altering configs: not authorized', async () => {
    // Prepare
    const kafka = tidbcloud();
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    try {
      // Act
      const outside = await failure(() =>
        producer.send({ topic: 'orders', acks: -1, messages: [{ value: 'x' }] }),
      );
      // Reading without a group (assign, no FindCoordinator): the Fetch itself needs Read on the topic. A
      // record is there to read (Write is granted); Kafka's console consumer logs the refusal and prints none.
      await producer.send({
        topic: 'cdc-orders',
        acks: -1,
        messages: [{ value: 'readable?', partition: 0 }],
      });
      const toolsLog = join(cluster.dir, 'tools.log');
      writeFileSync(toolsLog, '');
      const readOut = await runKafkaTool(
        { libs: cluster.libs, hostsFile: cluster.hostsFile, workDir: cluster.dir },
        'kafka.tools.ConsoleConsumer',
        [
          '--bootstrap-server',
          `${cluster.haproxyAddress}:${cluster.plan.kafka.ports.bootstrap}`,
          '--topic',
          'cdc-orders',
          '--partition',
          '0',
          '--offset',
          'earliest',
          '--max-messages',
          '1',
          '--timeout-ms',
          '15000',
          '--consumer.config',
          clientConfig(),
        ],
      ).catch((error: Error) => error.message);
      const read = `${readOut}\n${readFileSync(toolsLog, 'utf8')}`;
      const deleted = await failure(() => admin.deleteTopics({ topics: ['cdc-orders'], timeout: 5_000 }));
      const altered = await failure(() =>
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: 'cdc-orders',
              configEntries: [{ name: 'retention.ms', value: '1000' }],
            },
          ],
        }),
      );
      // Assess
      const topicDenied = /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/;
      expect(outside).toMatch(topicDenied);
      expect(read).toContain('Not authorized to access topics: [cdc-orders]');
      expect(readOut).not.toContain('readable?');
      expect(deleted).toMatch(topicDenied);
      expect(altered).toMatch(topicDenied);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});

describe('what the brokers hold, and what nobody sees', () => {
  it('the consumer has exactly its three ACLs (listed by the brokers own principal on INTERNAL)', async () => {
    // Act
    const listed = await runKafkaTool(
      { libs: cluster.libs, hostsFile: cluster.hostsFile, workDir: cluster.dir },
      'kafka.admin.AclCommand',
      ['--bootstrap-server', `${cluster.addressOf(1)}:${cluster.plan.kafka.ports.internal}`, '--list'],
    );
    // Assess
    const acls = listed
      .split('\n')
      .filter((l) => l.includes('principal='))
      .map((l) => l.trim())
      .sort();
    expect(acls).toEqual([
      '(principal=User:tidbcloud, host=*, operation=CREATE, permissionType=ALLOW)',
      '(principal=User:tidbcloud, host=*, operation=DESCRIBE_CONFIGS, permissionType=ALLOW)',
      '(principal=User:tidbcloud, host=*, operation=WRITE, permissionType=ALLOW)',
    ]);
    expect(listed).toContain('ResourcePattern(resourceType=TOPIC, name=cdc-, patternType=PREFIXED)');
    expect(listed).toContain(
      'ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL)',
    );
  });

  it('the password appears in no Run Command, no output, no AWS call but the secret read, and no execution output', async () => {
    // Prepare
    expect(password.length).toBeGreaterThanOrEqual(32);
    const commands = control.executor.commands;
    // Assess: every broker read the secret; broker 1 set the credential once
    expect(control.executor.secretReads.filter((id) => id === SECRET)).toHaveLength(3);
    for (const c of commands) {
      expect(JSON.stringify(c)).not.toContain(password);
    }
    const calls = emulator.recorder.calls.filter(
      (c) => !(c.service === 'secretsmanager' && c.operation === 'CreateSecret'),
    );
    expect(JSON.stringify(calls)).not.toContain(password);
    expect(JSON.stringify(control.provision)).not.toContain(password);
    const b1 = commands.find((c) => c.nodeId === 1);
    expect(b1?.stdout).toContain('SCRAM-SHA-512 credential of tidbcloud set');
  });
});

describe('rotating the password (a roll)', () => {
  it('brings a new password to every broker: the new one works, the old one is refused afterwards', async () => {
    // Prepare
    const old = password;
    const before = control.executor.commands.length;
    // Act: kafka-plc rotate-credentials' two steps: a new secret version, then the roll (here the first one,
    // to TiDB Cloud's unique name: a roll needs the real name)
    cluster.addConsumerNames(harnessPlan(cluster.dir, 'tidb-sasl1', cluster.spec));
    const rotated = await rotateConsumerPassword(parseClusterSpec(SPEC));
    const rolled = await control.roll('tidb-sasl1', 'unique_name');
    password =
      (await clients(SEED.region).secretsmanager.send(new GetSecretValueCommand({ SecretId: SECRET })))
        .SecretString ?? '';
    // Assess: each broker got the script for the new version
    expect(rolled.run.status, `${rolled.run.error}: ${rolled.run.cause}`).toBe('SUCCEEDED');
    expect(rolled.rolled.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    const sent = control.executor.commands.slice(before);
    expect(sent.filter((c) => c.stdout.includes(`version ${rotated.version}`)).length).toBeGreaterThanOrEqual(
      3,
    );
    expect(password).not.toBe(old);
    const producer = tidbcloud().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sentNew = await producer.send({
      topic: 'cdc-orders',
      acks: -1,
      messages: [{ value: 'after rotation' }],
    });
    await producer.disconnect();
    expect(sentNew[0]?.errorCode).toBe(0);
    const stale = consumer({ mechanism: 'scram-sha-512', username: 'tidbcloud', password: old }, 0).admin();
    expect(await failure(() => stale.connect())).toMatch(/SASL.*[Aa]uthentication failed|SASLAuthentication/);
    expect(JSON.stringify(control.executor.commands)).not.toContain(password);
  }, 240_000);
});
