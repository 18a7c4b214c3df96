/**
 * kafka-plc at the NLB's size (issue 15): 48 brokers over three AZs on the emulator.
 *  - provision_48_brokers_ratio: the 48-broker provision's wall time ÷ the 3-broker one's, both under the same
 *    latency model (bench/latency-model.ts) at ×10: resources take as long for 48 brokers as for 3 (they come up
 *    in parallel), so what grows is the workflow's own work per broker. ×10 is the scale at which an emulated
 *    AWS call weighs what a real one does: the unscaled 48-broker run spends ~13 ms per AWS call, moto and our
 *    handlers together (provision_48_ms_per_call, measured here), which at ×10 stands for ~130 ms of AWS time,
 *    a real API call's order. At ×100 (`_x100`, also reported) the same call stands for over a second, and the
 *    48-broker run's calls (provision_calls_48) outweigh the whole 1.8 s scaled chain;
 *  - provision_mutating_calls_per_broker_48: the 48-broker provision's mutating AWS calls ÷ 48 (the NAT gateway,
 *    VPC, NLB and service are shared, so this falls as brokers are added);
 *  - roll_48_batches: the 48 brokers rolled to a new unique name with roll.maxBatchSize 16, health emulated (the
 *    real health script here, a `java` stand-in printing a healthy 48-broker cluster with one replica per AZ:
 *    test/helpers/health-output.ts); with it the roll's mutating calls and its history events as AWS records
 *    them, beside the same roll one broker at a time (`_sequential`).
 * The AWS model's refusals are off (bench/aws-model.bench.ts measures those) and no handler is IAM-judged, as in
 * the provision bench.
 */
import { type LocalEvent, runLocal } from '../cli/local-sfn';
import { type Emulator, SEED, startEmulator } from '../test/helpers/emulator';
import { cleanUpGeneratedOutput, emulatedHealthEnv, rackAwareCluster } from '../test/helpers/health-output';
import { historyEvents } from '../test/helpers/history-events';
import { installLatencyModel } from './latency-model';

export const name = 'scale';

const BROKERS = 48;
const big = { ...SEED, clusterName: 'big-usw2', brokersPerAz: BROKERS / 3 };

async function provisionSeconds(emulator: Emulator, spec: object, scale: number): Promise<number> {
  await emulator.fresh();
  const started = Date.now();
  const result = await runLocal('provision', spec, { waitScale: scale, retryPauseMs: 0 });
  if (result.status !== 'SUCCEEDED') throw new Error(`provision failed: ${result.error}: ${result.cause}`);
  return (Date.now() - started) / 1000;
}

/** Rolls the provisioned 48 brokers; their batches, mutating calls and history events. */
async function roll(emulator: Emulator, uniqueName: string, maxBatchSize: number) {
  emulator.recorder.clear();
  const events: LocalEvent[] = [];
  const result = await runLocal(
    'roll-brokers',
    { spec: { ...big, uniqueName, roll: { maxBatchSize } }, previousUniqueName: 'unique_name' },
    { waitScale: 0, retryPauseMs: 0, onEvent: (e) => events.push(e) },
  );
  if (result.status !== 'SUCCEEDED') throw new Error(`roll failed: ${result.error}: ${result.cause}`);
  const batches = events.filter((e) => e.type === 'StateExited' && e.state === 'RestartBatch').length;
  return { batches, mutating: emulator.recorder.mutating().length, history: historyEvents(events) };
}

export async function run(): Promise<Record<string, number>> {
  const emulator = await startEmulator();
  emulator.model.enabled = false;
  const saved = { ...process.env };
  // Installed first, at ×0 (nothing pending) for the counts: it replaces any model an earlier bench left on the
  // shared clients (same middleware name), so those runs see moto as it is.
  let scale = 0;
  const model = installLatencyModel(() => scale);
  try {
    // Calls and history of the 48-broker provision (no latency model)
    await emulator.fresh();
    const events: LocalEvent[] = [];
    const unscaled = Date.now();
    const provisioned = await runLocal('provision', big, {
      waitScale: 0,
      retryPauseMs: 0,
      onEvent: (e) => events.push(e),
    });
    if (provisioned.status !== 'SUCCEEDED') throw new Error(`provision failed: ${provisioned.cause}`);
    const calls48 = emulator.recorder.calls.length;
    const msPerCall = (Date.now() - unscaled) / calls48;
    const mutating48 = emulator.recorder.mutating().length;
    // The roll, batched and one at a time, over emulated health
    Object.assign(process.env, emulatedHealthEnv(rackAwareCluster(BROKERS, { leader: 1 }), saved.PATH));
    const batched = await roll(emulator, 'bench-batch16', 16);
    const sequential = await roll(emulator, 'bench-one', 1);
    // Wall time under the latency model: 3 brokers, then 48, at ×10 and at ×100
    const walls = async (at: number) => {
      scale = at;
      model.reset();
      const three = await provisionSeconds(emulator, SEED, at);
      model.reset();
      return { three, big: await provisionSeconds(emulator, big, at) };
    };
    const x10 = await walls(0.1);
    const x100 = await walls(0.01);
    const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;
    return {
      provision_calls_48: calls48,
      provision_48_ms_per_call: round(msPerCall, 1),
      provision_48_brokers_wall_seconds_scaled: round(x10.big, 2),
      provision_3_brokers_wall_seconds_scaled: round(x10.three, 2),
      provision_48_brokers_ratio: round(x10.big / x10.three, 3),
      provision_48_brokers_ratio_x100: round(x100.big / x100.three, 3),
      provision_mutating_calls_48: mutating48,
      provision_mutating_calls_per_broker_48: Math.round((mutating48 / BROKERS) * 100) / 100,
      provision_history_events_48: historyEvents(events),
      roll_48_batches: batched.batches,
      roll_48_mutating_calls: batched.mutating,
      roll_48_history_events: batched.history,
      roll_48_batches_sequential: sequential.batches,
      roll_48_history_events_sequential: sequential.history,
    };
  } finally {
    scale = 0;
    process.env = saved;
    cleanUpGeneratedOutput();
    await emulator.stop();
  }
}
