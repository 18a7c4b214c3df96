/**
 * SDK errors grouped by meaning, translated into our typed errors so the state machine can Retry or
 * Catch by name: throttling/transient → AwsThrottledError (retried with backoff), "not ready" states →
 * ResourceNotReadyError (retried), an emulator's missing API → ApiNotImplementedError, anything else →
 * AwsCallError with the code (fatal; the message says what was attempted).
 */
import {
  ApiNotImplementedError,
  AwsCallError,
  AwsThrottledError,
  KafkaPlcError,
  ResourceNotReadyError,
} from '../errors';

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

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * An endpoint that answered a 500 HTML page (moto's "not implemented") instead of an AWS error: the SDK
 * reports it as an XML or JSON parse failure, depending on the protocol.
 */
export function isNotImplemented(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  const response = (error as { $response?: { statusCode?: number; headers?: Record<string, string> } })
    ?.$response;
  const htmlPage =
    response?.statusCode === 500 && /text\/html/.test(response.headers?.['content-type'] ?? '');
  return (
    code === 'NotImplemented' ||
    code === 'NotImplementedError' ||
    htmlPage ||
    /mismatched tag|<html|<!doctype|not yet implemented|has not been implemented/i.test(message) ||
    statusOf(error) === 501
  );
}

export function translateAwsError(operation: string, error: unknown): Error {
  if (error instanceof KafkaPlcError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (isNotImplemented(error)) return new ApiNotImplementedError(operation, { cause: error });
  if (THROTTLING.has(code))
    return new AwsThrottledError(`${operation}: ${code}: ${message}`, { cause: error });
  if (NOT_READY.has(code))
    return new ResourceNotReadyError(`${operation}: ${code}: ${message}`, { cause: error });
  return new AwsCallError(`${operation} failed: ${code}: ${message}`, code, { cause: error });
}

/** Runs one SDK call and translates its failure. */
export async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateAwsError(operation, error);
  }
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  const cause = error instanceof AwsCallError ? error.code : errorCode(error);
  return codes.includes(cause);
}
