/**
 * Step Functions history of the roll (issue 11, item 8): a Standard execution holds at most 25,000 events;
 * the goal is a 49-broker roll within half of that. The roll state machine runs locally over emulated
 * brokers (moto; the health stand-in answers at once, so every command and health poll is ready on the
 * first look) for 3 and 48 brokers kafka-plc built (48: 3 AZs × 16) and for 49 brokers of an exposed
 * existing cluster (the most one NLB serves), its events counted as AWS records them
 * (test/helpers/history-events.ts). What the emulator
 * cannot show is how long a real broker takes: each 10 s of a restart (CheckReconfigure) or of catching
 * up (CheckBrokerHealthy) adds one retried attempt of that Task (NotReadyYetError: 3 events). The model assumes
 * ASSUMED_RESTART_SECONDS and ASSUMED_CATCH_UP_SECONDS per broker (the real-Kafka roll measures ~12 s for
 * both together on this machine; EC2 brokers with data take longer).
 */
import { type LocalEvent, runLocal } from '../cli/local-sfn';
import { type ClusterSpecInput, parseClusterSpec } from '../functions/lib/spec';
import { discoverBrokers } from '../functions/lib/steps/existing';
import { SEED, startEmulator } from '../test/helpers/emulator';
import { createExistingCluster, existingSpec } from '../test/helpers/existing-cluster';
import { HISTORY_LIMIT, historyEvents } from '../test/helpers/history-events';

export const name = 'history';

const ASSUMED_RESTART_SECONDS = 120;
const ASSUMED_CATCH_UP_SECONDS = 120;
const POLL_SECONDS = 10;
/** A poll that is not ready yet is a retried attempt: LambdaFunctionScheduled, Started, Failed. */
const EVENTS_PER_POLL = 3;
const QUICK = { waitScale: 0, retryPauseMs: 0 };

/** The roll's events over emulated brokers, after the cluster was provisioned (or exposed) in moto. */
async function rollEvents(setUp: () => Promise<ClusterSpecInput>): Promise<number> {
  const emulator = await startEmulator();
  try {
    await emulator.fresh();
    const spec = await setUp();
    // (expose-existing patches the brokers one at a time, reading the health stand-in too)
    process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
    const built = await runLocal(spec.existing ? 'expose-existing' : 'provision', spec, QUICK);
    if (built.status !== 'SUCCEEDED') throw new Error(`provision failed: ${built.error}: ${built.cause}`);
    // an existing cluster's roll is planned from its discovered brokers, as `kafka-plc roll` does
    const rolled = spec.existing ? (await discoverBrokers(parseClusterSpec(spec))).spec : spec;
    const events: LocalEvent[] = [];
    const roll = await runLocal(
      'roll-brokers',
      { spec: { ...rolled, uniqueName: 'bench-history' }, previousUniqueName: 'unique_name' },
      { ...QUICK, onEvent: (e) => events.push(e) },
    );
    if (roll.status !== 'SUCCEEDED') throw new Error(`roll failed: ${roll.error}: ${roll.cause}`);
    return historyEvents(events);
  } finally {
    delete process.env.KAFKA_PLC_HEALTH_SOURCE;
    await emulator.stop();
  }
}

export async function run(): Promise<Record<string, number>> {
  const small = await rollEvents(async () => SEED);
  const large = await rollEvents(async () => ({ ...SEED, brokersPerAz: 16 }));
  // 49 brokers (the most behind one NLB) exist only as an exposed cluster: 3 AZs do not divide 49
  const at49 = await rollEvents(async () => existingSpec(await createExistingCluster(49), 'legacy-49'));
  const perBroker = (large - small) / (48 - 3);
  const pollRounds =
    Math.ceil(ASSUMED_RESTART_SECONDS / POLL_SECONDS) + Math.ceil(ASSUMED_CATCH_UP_SECONDS / POLL_SECONDS);
  const modeled = at49 + 49 * pollRounds * EVENTS_PER_POLL;
  return {
    roll_history_events_3_measured: small,
    roll_history_events_48_measured: large,
    roll_history_events_per_broker: Math.round(perBroker * 10) / 10,
    roll_history_events_49_measured: at49,
    roll_history_events_49: modeled,
    roll_history_events_49_share_of_limit: Math.round((modeled / HISTORY_LIMIT) * 1000) / 1000,
  };
}
