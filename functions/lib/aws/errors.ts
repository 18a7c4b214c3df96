/**
 * SDK errors grouped by meaning, translated into our typed errors so the state machine can Retry or
 * Catch by name: throttling/transient → AwsThrottledError (retried with backoff), "not ready" states →
 * ResourceNotReadyError (retried), a server failure (5xx, an HTML or unparsable answer) → AwsThrottledError,
 * an emulator's missing API (emulator mode only) → ApiNotImplementedError, anything else →
 * AwsCallError with the code (fatal; the message says what was attempted).
 */

import pRetry from 'p-retry';
import {
  ApiNotImplementedError,
  AwsCallError,
  AwsThrottledError,
  KafkaPlcError,
  ResourceNotReadyError,
} from '../errors';
import { emulatorMode } from '../logger';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NOT_READY = new Set([
  'IncorrectState',
  'IncorrectInstanceState',
  'ResourceInUse',
  'InvalidInstanceId',
  'InvalidTarget',
]);

export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [e.Code, e.code, e.name])
      if (typeof v === 'string' && v !== '' && v !== 'Error') return v;
  }
  return 'Unknown';
}

/**
 * "Eventual consistency in the Amazon EC2 API": right after a create, calls that name the new resource may
 * answer that it does not exist; retried with backoff (bounded by the state machine's Retry), not fatal.
 */
export const EVENTUALLY_CONSISTENT = new Set([
  'InvalidGroup.NotFound',
  'InvalidInstanceID.NotFound',
  'InvalidVpcID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidRouteTableID.NotFound',
  'InvalidAllocationID.NotFound',
  'InvalidInternetGatewayID.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
]);

/**
 * An instance profile just created is not usable by RunInstances for a while (IAM is eventually
 * consistent): EC2 answers InvalidParameterValue "Invalid IAM Instance Profile name".
 */
export function isInstanceProfilePropagation(code: string, message: string): boolean {
  return code === 'InvalidParameterValue' && /invalid iam instance profile/i.test(message);
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * An answer that is not an AWS error document: an HTML page, or a body the SDK could not parse (it reports
 * an XML or JSON parse failure, depending on the protocol).
 */
function isUnparsableAnswer(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const response = (error as { $response?: { headers?: Record<string, string> } })?.$response;
  return (
    /text\/html/.test(response?.headers?.['content-type'] ?? '') ||
    /mismatched tag|<html|<!doctype|unexpected end of (json|xml)|not well-formed/i.test(message)
  );
}

/**
 * A server-side failure on AWS: any 5xx, or an answer that is not an AWS error document (a proxy's error
 * page, a truncated response). Worth retrying.
 */
export function isServerFailure(error: unknown): boolean {
  const response = (error as { $response?: { statusCode?: number } })?.$response;
  const status = response?.statusCode ?? statusOf(error);
  return (status !== undefined && status >= 500) || isUnparsableAnswer(error);
}

/**
 * An emulator's missing API: moto answers an unimplemented call with a 500 HTML page ("not yet
 * implemented"). Only against an emulator (KAFKA_PLC_EMULATOR=1) is that read as "not implemented";
 * on AWS the same answer is a server failure (isServerFailure), retried.
 */
export function isNotImplemented(error: unknown): boolean {
  if (!emulatorMode()) return false;
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  return (
    code === 'NotImplemented' ||
    code === 'NotImplementedError' ||
    statusOf(error) === 501 ||
    /not yet implemented|has not been implemented/i.test(message) ||
    isUnparsableAnswer(error)
  );
}

export function translateAwsError(operation: string, error: unknown): Error {
  if (error instanceof KafkaPlcError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (isNotImplemented(error)) return new ApiNotImplementedError(operation, { cause: error });
  if (THROTTLING.has(code) || isServerFailure(error))
    return new AwsThrottledError(`${operation}: ${code}: ${message}`, { cause: error });
  if (NOT_READY.has(code) || EVENTUALLY_CONSISTENT.has(code) || isInstanceProfilePropagation(code, message))
    return new ResourceNotReadyError(`${operation}: ${code}: ${message}`, { cause: error, code });
  return new AwsCallError(`${operation} failed: ${code}: ${message}`, code, { cause: error });
}

/** Calls that remove or detach: for them a NotFound means "already gone", never "not visible yet". */
const REMOVING = /^(Delete|Terminate|Release|Disassociate|Detach|Revoke|Deregister|Reject)/;

/**
 * Whether a failed call is worth repeating at once, inside this Lambda: a resource just created that AWS
 * does not show yet (EVENTUALLY_CONSISTENT, except for calls that remove it), or an instance profile IAM
 * has not propagated to EC2 yet.
 */
export function retriedInPlace(operation: string, error: unknown): boolean {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (isInstanceProfilePropagation(code, message)) return true;
  return EVENTUALLY_CONSISTENT.has(code) && !REMOVING.test(operation);
}

/** In-place retries: 6 after the first try, 0.5 s doubling to at most 8 s (about 24 s in all). */
export const IN_PLACE_RETRIES = 6;

function inPlaceBaseMs(): number {
  const value = Number(process.env.KAFKA_PLC_IN_PLACE_RETRY_MS);
  return Number.isFinite(value) && value >= 0 && process.env.KAFKA_PLC_IN_PLACE_RETRY_MS !== undefined
    ? value
    : 500;
}

/**
 * Runs one SDK call: repeats it in place while retriedInPlace says so (bounded; then the state machine's
 * Retry takes over, as for every ResourceNotReadyError), and translates its failure.
 */
export async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  const base = inPlaceBaseMs();
  try {
    return await pRetry(fn, {
      retries: IN_PLACE_RETRIES,
      minTimeout: base,
      maxTimeout: base * 16,
      factor: 2,
      randomize: base > 0,
      shouldRetry: ({ error }) => retriedInPlace(operation, error),
    });
  } catch (error) {
    throw translateAwsError(operation, error);
  }
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  const cause =
    error instanceof AwsCallError || error instanceof ResourceNotReadyError
      ? (error.code ?? '')
      : errorCode(error);
  return codes.includes(cause);
}
