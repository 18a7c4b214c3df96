/**
 * The real-Kafka figures (test/kafka): the harness's start-up, the seed smoke test through the private-link
 * path, and the unique-name roll under load (test/kafka/roll-under-load.ts, the same code roll.test.ts
 * asserts on), run by the roll state machine with the real Lambdas, Run Command reaching the brokers
 * through the executor. roll_ratio = roll_seconds (the execution, start to end) ÷ the sum over brokers of
 * the time from its reconfigure command to the health reading that showed it caught up (FinishRoll's
 * per-broker `seconds`): what the roll costs beyond rolling each broker (PrepareRoll, the first health
 * read, decisions, state transitions). roll_api_calls / roll_mutating_calls count every AWS call the
 * roll's Lambdas made, health reads (SendCommand) included.
 */
import { consumerSideKafka, smokeRoundTrip } from '../test/kafka/load';
import { clientSide, rollUnderLoad } from '../test/kafka/roll-under-load';
import { withControlPlane } from './kafka-harness';

export const name = 'kafka';

const seconds = (ms: number) => Math.round(ms / 10) / 100;

export async function run(): Promise<Record<string, number>> {
  return withControlPlane(undefined, async ({ cluster, emulator, plane }) => {
    const side = clientSide(cluster);
    const smoke = await smokeRoundTrip(consumerSideKafka(side, 'kafka-plc-bench'), side, 'test-topic');
    emulator.recorder.clear();
    const result = await rollUnderLoad(cluster, plane, {
      uniqueName: 'tidb-abc123',
      topic: 'roll-topic',
      log: (line) => process.stderr.write(`bench kafka: ${line}\n`),
    });
    const calls = emulator.recorder.calls;
    const perBroker = result.roll.rolled.reduce((sum, r) => sum + r.seconds * 1000, 0);
    return {
      roll_lost_acked_messages: result.load.lost.length,
      roll_failed_sends: result.load.failed.length,
      roll_seconds: seconds(result.roll.ms),
      roll_sum_broker_reconfigure_to_caught_up_seconds: seconds(perBroker),
      roll_ratio: Math.round((result.roll.ms / perBroker) * 1000) / 1000,
      roll_health_reads: result.roll.commands.filter((c) => c.purpose === 'health').length,
      roll_api_calls: calls.length,
      roll_mutating_calls: emulator.recorder.carriedOut().length,
      roll_local_events_3_brokers: result.roll.events,
      // as AWS would record this execution; its polls come every 0.5 s here (10 s on AWS): an over-count
      roll_history_events_3_brokers_real_kafka: result.roll.historyEvents,
      smoke_produced: smoke.produced,
      smoke_consumed: smoke.consumed,
      smoke_duplicates: smoke.duplicates,
      harness_start_seconds: seconds(cluster.timings.total ?? 0),
    };
  });
}
