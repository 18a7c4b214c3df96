/**
 * Every Run Command kafka-plc sends goes through here: the instance is read first and must belong to the
 * cluster (mayCommand: the cluster tag's *value*, which IAM cannot check for a stack that serves every
 * cluster), then the shell script is sent.
 */
import * as instances from '../aws/ec2-instances';
import * as ssm from '../aws/ssm';
import { invocationOutcome } from '../domain/commands';
import { mayCommand } from '../domain/tags';
import { ResourceConflictError } from '../errors';

export async function sendToClusterInstance(
  region: string,
  clusterName: string,
  input: { instanceId: string; script: string; comment: string; timeoutSeconds: number },
): Promise<string> {
  const [instance] = await instances.instancesById(region, [input.instanceId]);
  const verdict = mayCommand(input.instanceId, instance?.tags, clusterName);
  if (!verdict.ok) throw new ResourceConflictError(`no command sent: ${verdict.reason}`);
  return ssm.sendShellScript(region, input);
}

/**
 * Polls one command invocation until it is no longer pending or `deadline` (epoch ms) has passed, pausing
 * `firstPauseMs`, doubling up to `maxPauseMs`; returns the last answer (still pending when time ran out).
 */
export async function awaitInvocation(
  region: string,
  commandId: string,
  instanceId: string,
  options: { deadline: number; firstPauseMs: number; maxPauseMs: number },
): Promise<ssm.Invocation> {
  let pause = options.firstPauseMs;
  for (;;) {
    const invocation = await ssm.commandInvocation(region, commandId, instanceId);
    if (invocationOutcome(invocation.status) !== 'pending' || Date.now() >= options.deadline)
      return invocation;
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(options.maxPauseMs, pause * 2);
  }
}
