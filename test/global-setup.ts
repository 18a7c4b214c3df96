/**
 * vitest global setup: the packaged template the emulator suites judge IAM against (test/aws-model), built
 * once per run when anything that goes into it changed.
 */
import { ensurePackagedTemplate } from './aws-model/template';

export default async function setup(): Promise<void> {
  const seconds = await ensurePackagedTemplate();
  if (seconds > 0) process.stderr.write(`global setup: packaged the stack in ${seconds.toFixed(1)} s\n`);
}
