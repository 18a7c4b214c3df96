import { runLocal } from '../cli/local-sfn';
import { type Emulator, SEED, startEmulator } from '../test/helpers/emulator';
import {
  criticalPathSeconds,
  DELAYS_SECONDS,
  type Delays,
  installLatencyModel,
  JITTER_DELAYS_SECONDS,
} from './latency-model';

export const name = 'provision';

const seed = SEED;

async function timedRun(emulator: Emulator, scale: number): Promise<number> {
  await emulator.fresh();
  const started = Date.now();
  const result = await runLocal('provision', seed, { waitScale: scale, retryPauseMs: 0 });
  if (result.status !== 'SUCCEEDED') throw new Error(`provision failed: ${result.error}: ${result.cause}`);
  return (Date.now() - started) / 1000;
}

export async function run(): Promise<Record<string, number>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const emulator = await startEmulator();
  // The workflow's own calls, comparable run to run: without the AWS model's refusals (bench/aws-model.bench.ts
  // measures those) and without IAM judging (no handler runs as a judged function here).
  emulator.model.enabled = false;
  try {
    // Call counts (no latency model).
    await emulator.fresh();
    await runLocal('provision', seed, { waitScale: 0, retryPauseMs: 0 });
    const mutating = emulator.recorder.mutating().length;
    const reads = emulator.recorder.reads().length;
    emulator.recorder.clear();
    await runLocal('provision', seed, { waitScale: 0, retryPauseMs: 0 });
    const rerunMutating = emulator.recorder.mutating().length;
    const rerunReads = emulator.recorder.reads().length;
    const overhead = await timedRun(emulator, 0);

    let delays: Delays = DELAYS_SECONDS;
    const model = installLatencyModel(
      () => scale,
      () => delays,
    );
    let scale = 0.01;
    const chain = criticalPathSeconds();
    model.reset();
    const wall100 = await timedRun(emulator, scale);
    // The same at ×10: the emulator's and handlers' own time weighs ten times less against the delays.
    scale = 0.1;
    model.reset();
    const wall10 = await timedRun(emulator, scale);
    // Delays that are no multiple of the polling intervals, at ×10 and ×100.
    delays = JITTER_DELAYS_SECONDS;
    const jitterChain = criticalPathSeconds(JITTER_DELAYS_SECONDS);
    model.reset();
    const jitter10 = await timedRun(emulator, scale);
    scale = 0.01;
    model.reset();
    const jitter100 = await timedRun(emulator, scale);
    const ratio = (wall: number, chainSeconds: number, at: number) =>
      Math.round((wall / (chainSeconds * at)) * 1000) / 1000;
    return {
      provision_mutating_calls: mutating,
      provision_read_calls: reads,
      rerun_mutating_calls: rerunMutating,
      rerun_read_calls: rerunReads,
      provision_overhead_seconds: overhead,
      provision_critical_path_seconds_scaled: chain * 0.01,
      provision_wall_seconds_scaled: wall100,
      provision_critical_path_ratio: Math.round((wall100 / (chain * 0.01)) * 1000) / 1000,
      provision_critical_path_ratio_x10: Math.round((wall10 / (chain * 0.1)) * 1000) / 1000,
      provision_critical_path_seconds_jitter: jitterChain,
      provision_critical_path_ratio_jitter_x10: ratio(jitter10, jitterChain, 0.1),
      provision_critical_path_ratio_jitter_x100: ratio(jitter100, jitterChain, 0.01),
    };
  } finally {
    await emulator.stop();
  }
}
