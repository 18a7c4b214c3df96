/**
 * Run Command decisions. Every command we send to a broker carries a comment naming its purpose, the
 * broker and a hash of the exact script, so the command history says what each broker was last
 * configured with: a re-run finds the command it (or a crashed earlier run) already sent instead of
 * sending it again, and a changed configuration is recognised as one.
 */
import { createHash } from 'node:crypto';
import { BrokerConfigureFailedError } from '../errors';

export type Purpose = 'configure' | 'roll' | 'health' | 'elect';

/** Purposes whose commands carry a broker's configuration (the others read or elect, and change none). */
const CONFIGURING: readonly Purpose[] = ['configure', 'roll'];

export function scriptHash(script: string): string {
  return createHash('sha256').update(script).digest('hex').slice(0, 16);
}

/** SSM comments are limited to 100 characters; cluster names are at most 32. */
export function commandComment(purpose: Purpose, cluster: string, nodeId: number, hash: string): string {
  return `kafka-plc ${purpose} ${cluster} b${nodeId} ${hash}`;
}

const COMMENT = /^kafka-plc (configure|roll|health|elect) (\S+) b(\d+) ([0-9a-f]{16})$/;

/** What commandComment wrote, read back; undefined for a comment that is not ours. */
export function parseCommandComment(
  comment: string,
): { purpose: Purpose; cluster: string; nodeId: number; hash: string } | undefined {
  const m = COMMENT.exec(comment);
  if (!m) return undefined;
  return { purpose: m[1] as Purpose, cluster: m[2] ?? '', nodeId: Number(m[3]), hash: m[4] ?? '' };
}

export interface CommandFacts {
  commandId: string;
  purpose: Purpose;
  hash: string;
  status: string;
  requestedAt: number;
}

/** The configuration commands (configure or roll) sent to one broker, newest first. */
export function brokerCommands(
  history: { commandId: string; comment: string; status: string; requestedAt: number }[],
  cluster: string,
  nodeId: number,
): CommandFacts[] {
  return history
    .flatMap((c) => {
      const parsed = parseCommandComment(c.comment);
      if (
        !parsed ||
        parsed.cluster !== cluster ||
        parsed.nodeId !== nodeId ||
        !CONFIGURING.includes(parsed.purpose)
      )
        return [];
      return [
        {
          commandId: c.commandId,
          purpose: parsed.purpose,
          hash: parsed.hash,
          status: c.status,
          requestedAt: c.requestedAt,
        },
      ];
    })
    .sort((a, b) => b.requestedAt - a.requestedAt);
}

export type CommandDecision =
  | { action: 'skip'; commandId: string }
  | { action: 'wait'; commandId: string }
  | { action: 'send'; appliedHash: string | undefined };

const IN_FLIGHT = new Set(['Pending', 'InProgress', 'Delayed']);

/**
 * Given a broker's configuration commands (newest first): the newest successful one is what it runs
 * (`appliedHash`); a command with this hash that succeeded → skip, still running → wait, else send.
 */
export function decideCommand(facts: CommandFacts[], hash: string): CommandDecision {
  const applied = facts.find((c) => c.status === 'Success');
  if (applied?.hash === hash) return { action: 'skip', commandId: applied.commandId };
  const running = facts.find((c) => c.hash === hash && IN_FLIGHT.has(c.status));
  if (running) return { action: 'wait', commandId: running.commandId };
  return { action: 'send', appliedHash: applied?.hash };
}

/** Also `recorded`: no command in the history, but the instance's applied-config tag names this hash. */
export type RecordedDecision = CommandDecision | { action: 'recorded' };

/**
 * The decision when the history may have expired (SSM keeps command history for a limited time): the
 * instance's applied-config tag (APPLIED_CONFIG_TAG, written after each configuration command succeeded)
 * stands for the newest successful command once none is left in the history. A success still in the history
 * is newer than any tag (the tag is written after it, and the oldest commands expire first), and a command
 * with this hash that failed since means the broker may not run it (the restart may not have happened):
 * send again.
 */
export function decideWithRecord(
  facts: CommandFacts[],
  hash: string,
  recorded: string | undefined,
): RecordedDecision {
  const decision = decideCommand(facts, hash);
  if (decision.action !== 'send' || decision.appliedHash !== undefined) return decision;
  if (recorded === hash && !facts.some((c) => c.hash === hash)) return { action: 'recorded' };
  return { action: 'send', appliedHash: recorded };
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

/** The error for a broker command that ended in failure: the broker, exit code and the tails of its output. */
export function commandFailedError(
  purpose: Purpose,
  command: { nodeId: number; instanceId: string; commandId: string },
  invocation: { status: string; responseCode: number; stdout: string; stderr: string },
): BrokerConfigureFailedError {
  return new BrokerConfigureFailedError(
    `broker ${command.nodeId} (${command.instanceId}) ${purpose} command ${command.commandId} ended ${invocation.status} ` +
      `with exit code ${invocation.responseCode}\n--- stdout (tail) ---\n${tail(invocation.stdout)}\n--- stderr (tail) ---\n${tail(invocation.stderr)}`,
  );
}
