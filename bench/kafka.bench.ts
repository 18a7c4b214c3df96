/**
 * The real-Kafka figures (test/kafka): the harness's start-up, the seed smoke test through the private-link
 * path, and the unique-name roll under load (test/kafka/roll-under-load.ts, the same code roll.test.ts
 * asserts on). roll_ratio = roll_seconds ÷ the sum of each broker's restart-to-caught-up time: what the
 * roll costs beyond the restarts themselves (health reads, decisions, the broker script).
 */
import { startKafkaCluster } from '../test/kafka/harness';
import { consumerSideKafka, smokeRoundTrip } from '../test/kafka/load';
import { stopAllProcesses } from '../test/kafka/processes';
import { clientSide, rollUnderLoad } from '../test/kafka/roll-under-load';

export const name = 'kafka';

const seconds = (ms: number) => Math.round(ms / 10) / 100;

export async function run(): Promise<Record<string, number>> {
  const cluster = await startKafkaCluster().catch(async (error: unknown) => {
    await stopAllProcesses();
    throw error;
  });
  try {
    const side = clientSide(cluster);
    const smoke = await smokeRoundTrip(consumerSideKafka(side, 'kafka-plc-bench'), side, 'test-topic');
    const result = await rollUnderLoad(cluster, {
      uniqueName: 'tidb-abc123',
      topic: 'roll-topic',
      log: (line) => process.stderr.write(`bench kafka: ${line}\n`),
    });
    const restarts = result.roll.rolled.reduce((sum, r) => sum + r.restartToCaughtUpMs, 0);
    return {
      roll_lost_acked_messages: result.load.lost.length,
      roll_failed_sends: result.load.failed.length,
      roll_seconds: seconds(result.roll.ms),
      roll_sum_broker_restart_to_caught_up_seconds: seconds(restarts),
      roll_ratio: Math.round((result.roll.ms / restarts) * 1000) / 1000,
      smoke_produced: smoke.produced,
      smoke_consumed: smoke.consumed,
      smoke_duplicates: smoke.duplicates,
      harness_start_seconds: seconds(cluster.timings.total ?? 0),
    };
  } finally {
    await cluster.stop();
  }
}
