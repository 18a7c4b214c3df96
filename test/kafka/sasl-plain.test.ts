/**
 * SASL/PLAIN on a real Kafka 3.7.1 cluster configured by kafka-plc: the cluster is provisioned without
 * authentication (as the seed) and a roll turns it on (the roll's EnsureConsumerSecret creates the password;
 * each broker reads it from Secrets Manager into a 0600 file that server.properties only references). Then the
 * unique-name roll with the authorizer on: under an acks=all idempotent producer authenticating as the consumer,
 * nothing acknowledged is lost, and the roll's broker script puts the consumer's ACLs back to exactly three.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../functions/lib/aws/clients';
import { CREDENTIALS_FILE, secretNameOf } from '../../functions/lib/domain/consumer-auth';
import type { ClusterSpecInput } from '../../functions/lib/spec';
import { FAST, SEED } from '../helpers/emulator';
import type { ControlPlane } from './control-plane';
import { type ControlledCluster, startControlledCluster } from './controlled-cluster';
import { harnessPlan, type KafkaCluster } from './harness';
import { runKafkaTool } from './kafka-jvm';
import { readWholeTopic } from './load';
import { consumerSideClient } from './sasl-harness';
import { changefeedProducer } from './topics';

const SPEC: ClusterSpecInput = {
  ...SEED,
  consumer: { ...SEED.consumer, authentication: 'sasl-plain', username: 'cdc', topicPrefix: 'tidb-' },
};
const TOPIC = 'tidb-orders';

const PLAINTEXT_SPEC: ClusterSpecInput = { ...SEED };
let started: ControlledCluster | undefined;
let cluster: KafkaCluster;
let control: ControlPlane;
let password = '';

beforeAll(async () => {
  started = await startControlledCluster(PLAINTEXT_SPEC, { ...FAST, waitScale: 0.2 });
  ({ cluster, control } = started);
}, 300_000);

afterAll(async () => {
  await started?.stop();
}, 120_000);

function consumerSide(sasl?: KafkaConfig['sasl'], retries = 10): Kafka {
  return consumerSideClient(cluster, 'kafka-plc-sasl-plain', sasl, retries);
}
const cdc = () => consumerSide({ mechanism: 'plain', username: 'cdc', password });
/** Inside the VPC: the brokers' own INTERNAL listeners (PLAINTEXT, User:ANONYMOUS, the super user). */
const inside = () =>
  new Kafka({
    clientId: 'kafka-plc-inside',
    brokers: cluster.plan.brokers.map((b) => `${b.privateIp}:${cluster.plan.kafka.ports.internal}`),
    logLevel: logLevel.NOTHING,
  });
const aclsOfCdc = async () =>
  (
    await runKafkaTool(
      { libs: cluster.libs, hostsFile: cluster.hostsFile, workDir: cluster.dir },
      'kafka.admin.AclCommand',
      [
        '--bootstrap-server',
        `${cluster.addressOf(1)}:${cluster.plan.kafka.ports.internal}`,
        '--list',
        '--principal',
        'User:cdc',
      ],
    )
  )
    .split('\n')
    .filter((l) => l.includes('principal='))
    .map((l) => l.trim())
    .sort();

describe('turning authentication on for the running cluster (a roll)', () => {
  it('a roll with consumer.authentication set creates the secret, switches EXTERNAL to SASL one broker at a time and sets the ACLs', async () => {
    // Prepare: the cluster runs PLAINTEXT, as the seed; no secret exists
    const before = consumerSide().admin();
    await before.connect();
    await before.listTopics();
    await before.disconnect();
    cluster.addConsumerNames(harnessPlan(cluster.dir, 'tidb-plain0', cluster.spec));
    // Act
    const rolled = await control.roll('tidb-plain0', 'unique_name', { spec: SPEC });
    password =
      (
        await clients(SEED.region).secretsmanager.send(
          new GetSecretValueCommand({ SecretId: secretNameOf(SEED.clusterName, 'cdc') }),
        )
      ).SecretString ?? '';
    // Assess
    expect(rolled.run.status, `${rolled.run.error}: ${rolled.run.cause}`).toBe('SUCCEEDED');
    expect(rolled.rolled.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await aclsOfCdc()).toHaveLength(3);
    const plaintext = consumerSide(undefined, 0).admin();
    const refused = await plaintext
      .connect()
      .then(() => plaintext.listTopics())
      .then(
        () => 'listed',
        (error: Error) => error.name,
      )
      .finally(() => plaintext.disconnect());
    expect(refused).not.toBe('listed');
  }, 240_000);
});

describe('SASL/PLAIN', () => {
  it('the right password creates a topic in scope and produces; a wrong one is refused', async () => {
    // Prepare
    const admin = cdc().admin();
    const producer = changefeedProducer(cdc());
    await admin.connect();
    await producer.connect();
    try {
      // Act
      await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: false,
      });
      const sent = await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'first', value: '1' }] });
      const wrong = consumerSide({ mechanism: 'plain', username: 'cdc', password: `${password}x` }).admin();
      const refused = await wrong.connect().then(
        () => 'connected',
        (error: Error) => error.name,
      );
      // Assess
      expect(sent[0]?.errorCode).toBe(0);
      expect(refused).toBe('KafkaJSSASLAuthenticationError');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('each broker holds the password only in its 0600 credentials file; server.properties references it', () => {
    for (const broker of cluster.brokers) {
      const file = join(broker.dir, 'conf', CREDENTIALS_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toBe(`password=${password}\n`);
      const properties = readFileSync(join(broker.dir, 'conf', 'server.properties'), 'utf8');
      expect(properties).not.toContain(password);
      expect(properties).toContain(`\${file:${join(broker.dir, 'conf', CREDENTIALS_FILE)}:password}`);
    }
    expect(JSON.stringify(control.executor.commands)).not.toContain(password);
  });
});

describe('the unique-name roll with the authorizer on', () => {
  it('under an acks=all idempotent producer as the consumer: nothing acknowledged lost, ACLs exactly three again', async () => {
    // Prepare: a stray grant (Read) added by hand, a producer running through the private link
    await runKafkaTool(
      { libs: cluster.libs, hostsFile: cluster.hostsFile, workDir: cluster.dir },
      'kafka.admin.AclCommand',
      [
        '--bootstrap-server',
        `${cluster.addressOf(1)}:${cluster.plan.kafka.ports.internal}`,
        '--add',
        '--allow-principal',
        'User:cdc',
        '--operation',
        'Read',
        '--topic',
        'tidb-',
        '--resource-pattern-type',
        'prefixed',
      ],
    );
    expect(await aclsOfCdc()).toHaveLength(4);
    cluster.addConsumerNames(harnessPlan(cluster.dir, 'tidb-plain1', cluster.spec));
    const producer = changefeedProducer(cdc());
    await producer.connect();
    const acked: string[] = [];
    const failed: string[] = [];
    let producing = true;
    const loop = (async () => {
      for (let n = 0; producing; n++) {
        const key = `k-${n}`;
        await producer
          .send({ topic: TOPIC, acks: -1, messages: [{ key, value: key }] })
          .then(() => acked.push(key))
          .catch((error: Error) => failed.push(`${key}: ${error.message}`));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // Act
    const rolled = await control.roll('tidb-plain1', 'tidb-plain0', { spec: SPEC });
    producing = false;
    await loop;
    await producer.disconnect();
    // Assess: the roll ran, every acknowledged message is stored (read inside the VPC), ACLs corrected
    console.info(
      `PLAIN roll under load: ${acked.length} acked, ${failed.length} failed, roll ${Math.round(rolled.ms / 1000)} s`,
    );
    expect(rolled.run.status, `${rolled.run.error}: ${rolled.run.cause}`).toBe('SUCCEEDED');
    expect(rolled.rolled.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect(failed).toEqual([]);
    expect(acked.length).toBeGreaterThan(20);
    const stored = await readWholeTopic(inside(), TOPIC, 'kafka-plc-verify-plain');
    const lost = acked.filter((key) => !stored.keys.has(key));
    expect(lost).toEqual([]);
    expect(await aclsOfCdc()).toEqual([
      '(principal=User:cdc, host=*, operation=CREATE, permissionType=ALLOW)',
      '(principal=User:cdc, host=*, operation=DESCRIBE_CONFIGS, permissionType=ALLOW)',
      '(principal=User:cdc, host=*, operation=WRITE, permissionType=ALLOW)',
    ]);
  }, 240_000);
});
