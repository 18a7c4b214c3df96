/**
 * What the emulator's fidelity costs (test/aws-model): the same provision on moto with the AWS behaviour
 * model and IAM enforcement on, and with both off; median of 3 runs each, measured in this run.
 * aws_model_overhead_ratio = on ÷ off. Also: requests judged and model refusals per provision.
 */
import { runLocal } from '../cli/local-sfn';
import { ensurePackagedTemplate } from '../test/aws-model/template';
import { type Emulator, FAST, SEED, startEmulator } from '../test/helpers/emulator';

export const name = 'aws-model';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function provisionSeconds(emulator: Emulator, on: boolean): Promise<number> {
  await emulator.fresh();
  emulator.model.enabled = on;
  emulator.iam.enabled = on;
  const started = performance.now();
  const result = await runLocal('provision', SEED, FAST);
  if (result.status !== 'SUCCEEDED') throw new Error(`provision failed: ${result.error}: ${result.cause}`);
  return (performance.now() - started) / 1000;
}

export async function run(): Promise<Record<string, number>> {
  await ensurePackagedTemplate();
  const emulator = await startEmulator();
  try {
    await provisionSeconds(emulator, true); // warm-up: evaluator tables, handler modules
    const on: number[] = [];
    const off: number[] = [];
    let judged = 0;
    let refused = 0;
    for (let i = 0; i < 3; i += 1) {
      on.push(await provisionSeconds(emulator, true));
      judged = emulator.iam.judged.length;
      refused = [...emulator.model.fired.values()].reduce((a, b) => a + b, 0);
      off.push(await provisionSeconds(emulator, false));
    }
    emulator.model.enabled = true;
    emulator.iam.enabled = true;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      aws_model_provision_seconds_on: round(median(on)),
      aws_model_provision_seconds_off: round(median(off)),
      aws_model_overhead_ratio: round(median(on) / median(off)),
      aws_model_requests_judged_per_provision: judged,
      aws_model_refusals_per_provision: refused,
    };
  } finally {
    await emulator.stop();
  }
}
