/**
 * Batch rolls on real Kafka (issue 15): six brokers over three racks (test/kafka/harness.ts, brokers 1–3 the
 * KRaft voters) rolled by the roll state machine under the same load (test/kafka/roll-under-load.ts: an
 * acks=all idempotent producer and a consumer through haproxy), one broker at a time (roll.maxBatchSize 1) and
 * in batches (roll.maxBatchSize 3), in four rounds, since one pair of rolls on this shared 2-core machine varies
 * by ±10%. The order alternates (one at a time then batches, batches then one at a time, and again: ABBA), so
 * that whatever drifts through the run (the cluster gains a topic per roll) weighs on both kinds alike instead
 * of always on the second; a first roll, not counted, warms the process up. roll_batch_ratio = the batch
 * rolls' wall time ÷ the one-at-a-time rolls' (the ideal is 4 batches for 6 restarts, 0.67; each round's ratio
 * beside it); the batch rolls' lost acknowledged messages, failed sends, partitions seen under min ISR, and
 * batches. And why a batch costs more than one restart: Kafka's controlled shutdown (SIGTERM to exit) takes one
 * heartbeat round or more (broker.heartbeat.interval.ms, 2 s), and a batch waits for its slowest broker — the
 * mean stop of a one-at-a-time roll beside the mean of each batch's slowest stop.
 */
import { seedSpec } from '../test/fixtures/specs';
import { type RollUnderLoadResult, rollUnderLoad } from '../test/kafka/roll-under-load';
import { withControlPlane } from './kafka-harness';

export const name = 'batch-roll';

const SIX = seedSpec({ brokersPerAz: 2 });
const ROUNDS = 4;
/** Round r's rolls in order: one at a time first in rounds 1 and 4, batches first in rounds 2 and 3. */
const order = (round: number): readonly (1 | 3)[] => (round % 4 < 2 ? [1, 3] : [3, 1]);
const stopMs = (r: RollUnderLoadResult) =>
  new Map(
    r.roll.serviceActions
      .filter((a) => a.verb === 'stop')
      .map((a) => [a.nodeId, (a.result as { ms: number } | null)?.ms ?? Number.NaN]),
  );
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const seconds = (ms: number) => Math.round(ms / 10) / 100;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

export async function run(): Promise<Record<string, number>> {
  return withControlPlane(SIX, async ({ cluster, plane }) => {
    const log = (line: string) => process.stderr.write(`bench batch-roll: ${line}\n`);
    const sequential: RollUnderLoadResult[] = [];
    const batched: RollUnderLoadResult[] = [];
    const roll = async (maxBatchSize: number, round: number | 'warm-up') => {
      const kind = maxBatchSize === 1 ? 'one' : 'batch';
      const result = await rollUnderLoad(cluster, plane, {
        uniqueName: `tidb-${kind}-${round}`,
        topic: `${kind}-${round}`,
        log,
        spec: { ...SIX, roll: { maxBatchSize } },
      });
      if (result.roll.run.status !== 'SUCCEEDED')
        throw new Error(`roll ${kind} ${round}: ${result.roll.run.error}: ${result.roll.run.cause}`);
      log(
        `${round === 'warm-up' ? 'warm-up' : `round ${round}`} ${kind}: ${result.roll.ms} ms, batches ${result.roll.batches.map((b) => `{${b.join(',')}}`).join(' ')}`,
      );
      return result;
    };
    // Not counted: the first roll of a run was 6–7 s slower than the next ones of its kind (two runs: 59.9 and
    // 59.7 s against 49.9–54.9 s), which favoured whichever kind ran first. It imports (and tsx compiles) each
    // roll handler on first use (cli/local-sfn.ts) and restarts each broker for the first time since it started.
    await roll(3, 'warm-up');
    for (let round = 1; round <= ROUNDS; round++)
      for (const maxBatchSize of order(round))
        (maxBatchSize === 1 ? sequential : batched).push(await roll(maxBatchSize, round));
    const total = (results: RollUnderLoadResult[]) => results.reduce((sum, r) => sum + r.roll.ms, 0);
    const sum = (results: RollUnderLoadResult[], count: (r: RollUnderLoadResult) => number) =>
      results.reduce((n, r) => n + count(r), 0);
    const figures: Record<string, number> = {
      roll_sequential_6_brokers_seconds: seconds(total(sequential) / ROUNDS),
      roll_batch_6_brokers_seconds: seconds(total(batched) / ROUNDS),
      roll_batch_ratio: ratio(total(batched), total(sequential)),
      roll_batch_batches: Math.max(...batched.map((r) => r.roll.batches.length)),
      roll_batch_lost_acked_messages: sum(batched, (r) => r.load.lost.length),
      roll_batch_failed_sends: sum(batched, (r) => r.load.failed.length),
      roll_batch_under_min_isr_seen: sum(batched, (r) => r.isr.underMinIsr.length),
      roll_sequential_lost_acked_messages: sum(sequential, (r) => r.load.lost.length),
      roll_sequential_failed_sends: sum(sequential, (r) => r.load.failed.length),
      roll_sequential_stop_seconds_mean: seconds(mean(sequential.flatMap((r) => [...stopMs(r).values()]))),
      roll_batch_slowest_stop_seconds_mean: seconds(
        mean(
          batched.flatMap((r) => {
            const stops = stopMs(r);
            return r.roll.batches.map((batch) => Math.max(...batch.map((id) => stops.get(id) ?? Number.NaN)));
          }),
        ),
      ),
    };
    for (let i = 0; i < ROUNDS; i++)
      figures[`roll_batch_ratio_round${i + 1}`] = ratio(
        batched[i]?.roll.ms ?? Number.NaN,
        sequential[i]?.roll.ms ?? Number.NaN,
      );
    return figures;
  });
}
