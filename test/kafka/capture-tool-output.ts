/**
 * Captures the fixtures of test/fixtures/kafka-output from a real Kafka 3.7.1 cluster (the harness):
 * starts it, creates test-topic (3 partitions, RF 3, min.insync.replicas 2) and a consumer group (so
 * __consumer_offsets exists), then runs the four commands the fixtures are, as the health script runs them
 * (against the INTERNAL listeners), keeping standard output only. Stops everything it started.
 *   npx tsx test/kafka/capture-tool-output.ts [output dir, default test/fixtures/kafka-output]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { internalBootstrap } from '../../functions/lib/domain/health-script';
import { ROOT } from '../helpers/tools';
import { startKafkaCluster } from './harness';
import { runKafkaTool } from './kafka-jvm';
import { consumerSideKafka, startLoad } from './load';
import { stopAllProcesses } from './processes';
import { clientSide } from './roll-under-load';
import { createReplicatedTopic } from './topics';

const out = process.argv[2] ?? join(ROOT, 'test', 'fixtures', 'kafka-output');
const cluster = await startKafkaCluster().catch(async (error: unknown) => {
  await stopAllProcesses();
  throw error;
});
try {
  const kafka = consumerSideKafka(clientSide(cluster), 'kafka-plc-capture');
  await createReplicatedTopic(kafka, cluster.haproxyAddress, { topic: 'test-topic' });
  const load = await startLoad(kafka, 'test-topic', { prefix: 'capture' });
  await load.consumedAtLeast(10, 60_000);
  await load.stop();
  const bootstrap = internalBootstrap(cluster.plan);
  const where = { libs: cluster.libs, hostsFile: cluster.hostsFile, workDir: cluster.dir };
  const commands: [string, string, string[]][] = [
    ['topics-describe.txt', 'org.apache.kafka.tools.TopicCommand', ['--describe']],
    ['quorum-replication.txt', 'org.apache.kafka.tools.MetadataQuorumCommand', ['describe', '--replication']],
    ['quorum-status.txt', 'org.apache.kafka.tools.MetadataQuorumCommand', ['describe', '--status']],
    ['broker-api-versions.txt', 'kafka.admin.BrokerApiVersionsCommand', []],
  ];
  for (const [file, mainClass, args] of commands) {
    const stdout = await runKafkaTool(where, mainClass, ['--bootstrap-server', bootstrap, ...args]);
    writeFileSync(join(out, file), stdout);
    process.stdout.write(`${file}: ${stdout.split('\n').length - 1} lines from ${mainClass}\n`);
  }
} finally {
  await cluster.stop();
}
