/**
 * Batch rolls on real Kafka (issue 15): six brokers over three racks (test/kafka/harness.ts, brokers 1–3 the
 * KRaft voters) rolled twice by the roll state machine under the same load (test/kafka/roll-under-load.ts: an
 * acks=all idempotent producer and a consumer through haproxy): first one broker at a time (roll.maxBatchSize 1),
 * then to another name with roll.maxBatchSize 3. roll_batch_ratio = the batch roll's wall time ÷ the sequential
 * one's (the ideal is 4 batches for 6 restarts, 0.67); the batch roll's lost acknowledged messages, failed sends
 * and partitions seen under min ISR, and its batches.
 */
import { seedSpec } from '../test/fixtures/specs';
import { rollUnderLoad } from '../test/kafka/roll-under-load';
import { withControlPlane } from './kafka-harness';

export const name = 'batch-roll';

const SIX = seedSpec({ brokersPerAz: 2 });
const seconds = (ms: number) => Math.round(ms / 10) / 100;

export async function run(): Promise<Record<string, number>> {
  return withControlPlane(SIX, async ({ cluster, plane }) => {
    const log = (line: string) => process.stderr.write(`bench batch-roll: ${line}\n`);
    const sequential = await rollUnderLoad(cluster, plane, {
      uniqueName: 'tidb-one',
      topic: 'one-at-a-time',
      log,
      spec: { ...SIX, roll: { maxBatchSize: 1 } },
    });
    const batched = await rollUnderLoad(cluster, plane, {
      uniqueName: 'tidb-batch',
      topic: 'in-batches',
      log,
      spec: { ...SIX, roll: { maxBatchSize: 3 } },
    });
    log(`batches ${batched.roll.batches.map((b) => `{${b.join(',')}}`).join(' ')}`);
    return {
      roll_sequential_6_brokers_seconds: seconds(sequential.roll.ms),
      roll_batch_6_brokers_seconds: seconds(batched.roll.ms),
      roll_batch_ratio: Math.round((batched.roll.ms / sequential.roll.ms) * 1000) / 1000,
      roll_batch_batches: batched.roll.batches.length,
      roll_batch_lost_acked_messages: batched.load.lost.length,
      roll_batch_failed_sends: batched.load.failed.length,
      roll_batch_under_min_isr_seen: batched.isr.underMinIsr.length,
      roll_sequential_lost_acked_messages: sequential.load.lost.length,
      roll_sequential_failed_sends: sequential.load.failed.length,
    };
  });
}
