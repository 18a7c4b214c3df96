/**
 * Run Command decisions. A configure command is identified by a comment carrying the broker and a hash
 * of the exact script, so a re-run finds the command it (or a crashed earlier run) already sent instead
 * of sending it again, and a changed script is sent once.
 */
import { createHash } from 'node:crypto';

export function scriptHash(script: string): string {
  return createHash('sha256').update(script).digest('hex').slice(0, 16);
}

/** SSM comments are limited to 100 characters; cluster names are at most 32. */
export function commandComment(
  purpose: 'configure' | 'roll',
  cluster: string,
  nodeId: number,
  hash: string,
): string {
  return `kafka-plc ${purpose} ${cluster} b${nodeId} ${hash}`;
}

export type CommandDecision =
  | { action: 'skip'; commandId: string }
  | { action: 'wait'; commandId: string }
  | { action: 'send' };

const IN_FLIGHT = new Set(['Pending', 'InProgress', 'Delayed']);

/** What to do given the commands an instance already received: done, in flight, or send. */
export function decideCommand(
  history: { commandId: string; comment: string; status: string }[],
  comment: string,
): CommandDecision {
  const same = history.filter((c) => c.comment === comment);
  const done = same.find((c) => c.status === 'Success');
  if (done) return { action: 'skip', commandId: done.commandId };
  const running = same.find((c) => IN_FLIGHT.has(c.status));
  if (running) return { action: 'wait', commandId: running.commandId };
  return { action: 'send' };
}

export type InvocationOutcome = 'pending' | 'success' | 'failed';

export function invocationOutcome(status: string): InvocationOutcome {
  if (status === 'Success') return 'success';
  if (['Pending', 'InProgress', 'Delayed', 'Cancelling'].includes(status)) return 'pending';
  return 'failed';
}

/** The last `lines` lines of command output, for error reports. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
