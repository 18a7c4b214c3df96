/**
 * What a second consumer costs, measured on the emulator with the real ASL and handlers (AWS model and IAM
 * off, as bench/provision.bench.ts): provisioning calls for one consumer (the seed) and for two
 * (examples/two-consumers-usw2.json), the calls a unique-name roll now spends converging the NLB side (reads
 * only when nothing changed), and the calls of the roll that takes the second consumer out. Plus the
 * planner's time for 16 brokers × 2 consumers against 1 consumer.
 */
import { readFileSync } from 'node:fs';
import { runLocal } from '../cli/local-sfn';
import { planCluster } from '../functions/lib/domain/plan';
import { parseClusterSpec } from '../functions/lib/spec';
import { type Emulator, SEED, startEmulator } from '../test/helpers/emulator';

export const name = 'consumers';

const SHARED = JSON.parse(
  readFileSync(new URL('../examples/two-consumers-usw2.json', import.meta.url), 'utf8'),
);
const FAST = { waitScale: 0, retryPauseMs: 0 };

async function provisionCalls(emulator: Emulator, spec: unknown) {
  await emulator.fresh();
  emulator.recorder.clear();
  const result = await runLocal('provision', spec, FAST);
  if (result.status !== 'SUCCEEDED') throw new Error(`provision failed: ${result.error}: ${result.cause}`);
  return { mutating: emulator.recorder.mutating().length, reads: emulator.recorder.reads().length };
}

async function rollCalls(emulator: Emulator, input: unknown) {
  emulator.recorder.clear();
  const result = await runLocal('roll-brokers', input, FAST);
  if (result.status !== 'SUCCEEDED') throw new Error(`roll failed: ${result.error}: ${result.cause}`);
  const calls = emulator.recorder.calls;
  const besidesRunCommand = calls.filter(
    (c) => !['SendCommand', 'GetCommandInvocation', 'ListCommands'].includes(c.operation),
  );
  return {
    mutating: emulator.recorder.mutating().map((c) => c.operation),
    reads: emulator.recorder.reads().length,
    nlbSideCalls: besidesRunCommand.length,
  };
}

function planMs(spec: unknown, rounds: number): number {
  const parsed = parseClusterSpec(spec);
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) planCluster(parsed);
  return Number(process.hrtime.bigint() - started) / 1e6 / rounds;
}

export async function run(): Promise<Record<string, number>> {
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
  const emulator = await startEmulator();
  emulator.model.enabled = false;
  try {
    const one = await provisionCalls(emulator, SEED);
    const two = await provisionCalls(emulator, SHARED);
    const rename = await rollCalls(emulator, {
      spec: { ...SHARED, uniqueName: 'bench-a' },
      previousUniqueName: 'unique_name',
    });
    const removal = await rollCalls(emulator, {
      spec: { ...SHARED, uniqueName: 'bench-a', consumers: SHARED.consumers.slice(0, 1) },
      previousUniqueName: 'bench-a',
    });
    const sixteen = { azIds: ['usw2-az1', 'usw2-az2'], brokersPerAz: 8 };
    const twoAzs = (spec: typeof SHARED) => ({
      ...spec,
      ...sixteen,
      consumers: spec.consumers.map((c: { advertisedListenerPatterns?: Record<string, string> }) =>
        c.advertisedListenerPatterns
          ? {
              ...c,
              advertisedListenerPatterns: Object.fromEntries(
                sixteen.azIds.map((az) => [
                  az,
                  `<broker_id>.${az}.xyz.us-west-2.aws.3199015.tidbcloud.com:<port>`,
                ]),
              ),
            }
          : c,
      ),
    });
    const planOne = planMs({ ...SEED, ...sixteen }, 200);
    const planTwo = planMs(twoAzs(SHARED), 200);
    return {
      consumers_provision_mutating_one: one.mutating,
      consumers_provision_mutating_two: two.mutating,
      consumers_provision_mutating_ratio: Math.round((two.mutating / one.mutating) * 100) / 100,
      consumers_provision_reads_one: one.reads,
      consumers_provision_reads_two: two.reads,
      consumers_rename_roll_network_nlb_mutations: rename.mutating.filter(
        (op) =>
          !['SendCommand', 'PutParameter', 'PutItem', 'DeleteItem', 'UpdateItem', 'CreateTags'].includes(op),
      ).length,
      consumers_rename_roll_calls_besides_run_command: rename.nlbSideCalls,
      consumers_removal_roll_mutating_calls: removal.mutating.length,
      consumers_removal_roll_deleted_listeners: removal.mutating.filter((op) => op === 'DeleteListener')
        .length,
      consumers_removal_roll_deleted_target_groups: removal.mutating.filter(
        (op) => op === 'DeleteTargetGroup',
      ).length,
      consumers_plan_ms_16_brokers_one: Math.round(planOne * 1000) / 1000,
      consumers_plan_ms_16_brokers_two: Math.round(planTwo * 1000) / 1000,
      consumers_plan_ratio: Math.round((planTwo / planOne) * 100) / 100,
    };
  } finally {
    await emulator.stop();
  }
}
