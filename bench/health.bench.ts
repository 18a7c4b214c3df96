/**
 * The health read's size: the real health script on generated Kafka 3.7.1 tool output of a 49-broker,
 * 5,000-partition cluster (test/helpers/health-output.ts), healthy, with one broker down, and with one down while
 * every pair of brokers shares a partition (the batch roll's co-replicas section at its largest). SSM returns
 * 24,000 characters of a command's output; the goal is ≤ 20,000.
 */
import {
  bigCluster,
  cleanUpGeneratedOutput,
  everyPairCluster,
  runScript,
} from '../test/helpers/health-output';

export const name = 'health';

export async function run(): Promise<Record<string, number>> {
  try {
    const healthy = runScript(bigCluster()).stdout.length;
    const oneDown = runScript(bigCluster([7])).stdout.length;
    // every pair of brokers sharing a partition: the co-replicas section at its largest
    const everyPair = runScript(everyPairCluster([7])).stdout.length;
    return {
      health_output_chars_49x5000: Math.max(healthy, oneDown, everyPair),
      health_output_chars_49x5000_every_pair_one_down: everyPair,
      health_output_chars_49x5000_healthy: healthy,
      health_output_chars_49x5000_one_broker_down: oneDown,
    };
  } finally {
    cleanUpGeneratedOutput();
  }
}
