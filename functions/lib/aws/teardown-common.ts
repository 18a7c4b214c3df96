/**
 * Shared by the teardown adapters: a delete whose target is already gone is a no-op (teardown is safe to
 * re-run), and a delete blocked by something still attached (ENIs released late, a group still
 * referenced) is "not yet", reported to the polling loop rather than thrown.
 */
import { ResourceNotReadyError } from '../errors';
import { call, hasCode } from './errors';

/** What one delete attempt found: done now, already gone, or blocked for now (with AWS's reason). */
export type DeleteOutcome =
  | { result: 'deleted' }
  | { result: 'gone' }
  | { result: 'blocked'; reason: string };

export const BLOCKED_CODES = ['DependencyViolation', 'IncorrectState', 'ResourceInUse', 'InvalidState'];

export async function deleteIfPresent(
  operation: string,
  fn: () => Promise<unknown>,
  notFoundCodes: string[],
): Promise<DeleteOutcome> {
  try {
    await call(operation, fn);
    return { result: 'deleted' };
  } catch (error) {
    if (hasCode(error, ...notFoundCodes)) return { result: 'gone' };
    // errors.ts maps ResourceInUse/IncorrectState to ResourceNotReadyError: for a delete, that is "not yet".
    if (error instanceof ResourceNotReadyError || hasCode(error, ...BLOCKED_CODES)) {
      return { result: 'blocked', reason: error instanceof Error ? error.message : String(error) };
    }
    throw error;
  }
}
