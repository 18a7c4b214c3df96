/**
 * SDK middleware on our shared clients: records every call (service, operation, input) and can inject
 * faults. Mutating = anything that is not a Describe/Get/List/Query/Scan read.
 */
import { onEveryCall } from './middleware';

export interface RecordedCall {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  mutating: boolean;
  /** The error's name when the call failed (AWS, the AWS model or IAM refused it, or a fault). */
  error?: string;
}

export type Fault = (
  call: RecordedCall,
  index: { all: number; mutating: number },
) => 'before' | 'after' | undefined;

export function isMutating(operation: string): boolean {
  return !/^(Describe|Get|List|Query|Scan)/.test(operation);
}

export interface Recorder {
  calls: RecordedCall[];
  fault: Fault | undefined;
  /** The Nth mutating call that succeeds fails right after AWS carried it out (counted from clear()). */
  failAfterSuccess: number | undefined;
  /** The call failAfterSuccess failed. */
  injected: RecordedCall | undefined;
  clear(): void;
  mutating(): RecordedCall[];
  /** Mutating calls AWS carried out (none of the refused ones). */
  carriedOut(): RecordedCall[];
  reads(): RecordedCall[];
}

export class InjectedFault extends Error {
  constructor(operation: string, when: string) {
    super(`injected fault ${when} ${operation}`);
    this.name = 'InjectedFault';
  }
}

/** A throttling error as AWS sends it (the SDK's retry strategy recognizes it). */
export function throttlingError(operation: string): Error {
  return Object.assign(new Error(`Rate exceeded (${operation})`), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    $retryable: { throttling: true },
  });
}

export function recordCalls(): Recorder {
  const recorder: Recorder = {
    calls: [],
    fault: undefined,
    failAfterSuccess: undefined,
    injected: undefined,
    clear() {
      recorder.calls.length = 0;
      recorder.fault = undefined;
      recorder.failAfterSuccess = undefined;
      recorder.injected = undefined;
      succeeded = 0;
    },
    mutating: () => recorder.calls.filter((c) => c.mutating),
    carriedOut: () => recorder.calls.filter((c) => c.mutating && !c.error),
    reads: () => recorder.calls.filter((c) => !c.mutating),
  };
  let mutatingCount = 0;
  let succeeded = 0;
  // Inside the SDK's retry loop, so an injected throttling error is retried as a real one would be; outside
  // the AWS model and IAM layers (added after it), so calls they refuse are recorded as made.
  onEveryCall('kafkaPlcRecorder', async ({ service, operation, input }, next) => {
    const call: RecordedCall = { service, operation, input, mutating: isMutating(operation) };
    recorder.calls.push(call);
    if (call.mutating) mutatingCount = recorder.mutating().length;
    const when = recorder.fault?.(call, { all: recorder.calls.length, mutating: mutatingCount });
    if (when === 'before') {
      call.error = 'InjectedFault';
      throw new InjectedFault(operation, 'before');
    }
    let result: unknown;
    try {
      result = await next();
    } catch (error) {
      call.error = (error as Error).name;
      throw error;
    }
    if (call.mutating) succeeded += 1;
    const nth = call.mutating && recorder.failAfterSuccess === succeeded && !recorder.injected;
    if (when === 'after' || nth) {
      if (nth) recorder.injected = call;
      call.error = 'InjectedFault';
      throw new InjectedFault(operation, 'after');
    }
    return result;
  });
  return recorder;
}
