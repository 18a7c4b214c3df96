import { parseArgs } from 'node:util';
import { UsageError } from '../../functions/lib/errors';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export type Command = (args: string[], io: Io) => Promise<void>;

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

export function parse<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required`);
  return value;
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
