import { parseArgs } from 'node:util';
import { type CallerIdentity, callerIdentity } from '../../functions/lib/aws/sts';
import { UsageError } from '../../functions/lib/errors';
import { didYouMean } from '../../functions/lib/suggest';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Asks the person at the terminal and returns the answer; absent when there is no one to ask (no TTY on
   * stdin, a script, CI): a command that needs a confirmation then refuses instead of assuming "yes".
   */
  ask?: (question: string) => Promise<string>;
  /** When the whole command started (ms): progress lines nested under a step count from it (one clock). */
  startedAt?: number;
}

export type Command = (args: string[], io: Io) => Promise<void>;

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** parseArgs' error as one line in our words: the flag, and the nearest known one when it looks mistyped. */
function usageOf(error: Error & { code?: string }, options: OptionSpec): UsageError {
  const flags = Object.keys(options).map((name) => `--${name}`);
  const unknown = /^Unknown option '([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown)
    return new UsageError(
      `unknown option ${unknown}${didYouMean(unknown, flags)} (--help lists the options)`,
    );
  const missing = /^Option '(--[a-z-]+)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && missing)
    return new UsageError(`${missing} needs a value`);
  const positional = /^Unexpected argument '([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional)
    return new UsageError(
      `unexpected argument "${positional}": every value follows its option, as in --spec FILE`,
    );
  return new UsageError(error.message);
}

export function parse<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw Object.assign(usageOf(error as Error, options), { cause: error });
  }
}

/**
 * --local runs the state machine in this process against AWS_ENDPOINT_URL (an emulator). Without it the SDK
 * would act on the real account with the operator's own credentials, outside any stack: refused (exit 2)
 * before any AWS call.
 */
export function requireEmulatorForLocal(local: unknown): void {
  if (local !== true || process.env.AWS_ENDPOINT_URL) return;
  throw new UsageError(
    '--local needs AWS_ENDPOINT_URL (an AWS emulator such as moto): without it the state machine would run ' +
      "in this process against your real AWS account, with your own credentials and outside the stack's roles. " +
      'For a real account deploy the stack and drop --local; for a local rehearsal run "npm start".',
  );
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** An error as one line: its name and message (anything else as text). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A command whose answer is its exit code (status: 3 on drift): the report is already printed. */
export class ExitCodeError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = 'ExitCodeError';
    this.exitCode = exitCode;
  }
}

/** The step that failed, with what it said, as a non-zero exit (1) rather than a stack trace. */
export class CommandFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

/**
 * The state machine's VerifyCluster report, told on stderr when it found differences or could not run (the
 * execution itself succeeded: what was built stays built). Nothing when in sync or absent.
 */
export function reportVerification(output: unknown, specPath: string, io: Io): void {
  const verification = (
    output as {
      verification?: { inSync?: boolean; differences?: unknown; Error?: string; Cause?: string };
    } | null
  )?.verification;
  if (verification?.Error) {
    io.stderr(
      `\nverification could not run (${verification.Error}: ${verification.Cause ?? ''}); ` +
        `kafka-plc status --spec ${specPath} reads the same report.\n`,
    );
    return;
  }
  if (verification?.inSync !== false || !Array.isArray(verification.differences)) return;
  io.stderr(
    `\nverification: ${verification.differences.length} difference(s) from the plan:\n` +
      verification.differences.map((line) => `  ${String(line)}\n`).join('') +
      `kafka-plc status --spec ${specPath} prints the whole report, Kafka's health included.\n`,
  );
}

/**
 * Before a command acts, one line on stderr saying where: the account and caller (STS GetCallerIdentity, which
 * needs no permission), the region, or the emulator's endpoint, the stage whose stack it uses (when `stageOf`
 * is given: cli/commands/stage.ts), and what it is about to do.
 */
export async function announce(
  io: Io,
  region: string,
  action: string,
  stageOf?: () => Promise<string>,
): Promise<CallerIdentity & { stage: string }> {
  const identity = await callerIdentity(region);
  const where = process.env.AWS_ENDPOINT_URL
    ? `emulator ${process.env.AWS_ENDPOINT_URL} (account ${identity.account})`
    : `AWS account ${identity.account} as ${identity.arn}`;
  // After the identity (a credentials problem is told as such), before the line: it names the stack used.
  const stage = stageOf ? await stageOf() : '';
  io.stderr(`${where}, region ${region}${stage ? `, stage ${stage}` : ''}: ${action}\n`);
  return { ...identity, stage };
}
