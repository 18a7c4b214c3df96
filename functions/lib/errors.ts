/**
 * Every error the automation raises on purpose. Each class sets `name`, which is what Step Functions
 * matches in `ErrorEquals` (a contract test checks the ASL against the names exported here).
 */

export interface ErrorOptions {
  cause?: unknown;
}

export class KafkaPlcError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KafkaPlcError';
  }
}

/** One problem found in user input: the field path (e.g. `azIds[1]`), the value as given, and why. */
export interface FieldIssue {
  path: string;
  value: unknown;
  message: string;
}

/** The input (cluster spec, CLI flag, event) is wrong. Never retried: fix the input and run again. */
export class SpecValidationError extends KafkaPlcError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], options?: ErrorOptions) {
    super(formatIssues(issues), options);
    this.name = 'SpecValidationError';
    this.issues = issues;
  }
}

/** A command line that cannot be run (unknown command, missing flag). */
export class UsageError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A plan that cannot exist (a bug or an input the schema let through); never retried. */
export class PlanError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlanError';
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path || '(spec)'}: ${i.message} (got ${describeValue(i.value)})`).join('; ');
}

/** AWS asked us to slow down (or briefly failed): retried with backoff by the state machine. */
export class AwsThrottledError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsThrottledError';
  }
}

/**
 * A resource is not in a state to be used yet (a NAT gateway still pending), or AWS does not show it yet
 * (eventual consistency right after its creation): retried with backoff by the state machine, bounded.
 * `code` is AWS's error code when AWS said so (e.g. InvalidGroup.NotFound), for callers that tell codes apart.
 */
export class ResourceNotReadyError extends KafkaPlcError {
  readonly code: string | undefined;
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, options);
    this.name = 'ResourceNotReadyError';
    this.code = options?.code;
  }
}

/** An AWS call failed in a way retrying will not fix (permissions, invalid parameters, quotas). */
export class AwsCallError extends KafkaPlcError {
  readonly code: string;
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsCallError';
    this.code = code;
  }
}

/** The endpoint answered that it does not implement this API (a local emulator gap; never on AWS). */
export class ApiNotImplementedError extends KafkaPlcError {
  readonly operation: string;
  constructor(operation: string, options?: ErrorOptions) {
    super(`${operation} is not implemented by this endpoint (an emulator gap)`, options);
    this.name = 'ApiNotImplementedError';
    this.operation = operation;
  }
}

/** An AZ ID of the spec does not exist in the region (or this account cannot use it). */
export class UnknownAzIdError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnknownAzIdError';
  }
}

/** The spec's instance type cannot launch in one of its AZ IDs (or at all in the region, or lacks an image). */
export class InstanceTypeNotOfferedError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InstanceTypeNotOfferedError';
  }
}

/** A resource we need to own is held by something that is not this cluster's (name, IP, tag clash). */
export class ResourceConflictError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ResourceConflictError';
  }
}

/** A bounded wait ran out before the resource became ready. */
export class WaitTimeoutError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WaitTimeoutError';
  }
}

/** The SSM command that configures a broker ended in failure; carries the broker and output tails. */
export class BrokerConfigureFailedError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrokerConfigureFailedError';
  }
}

/** Some NLB targets did not become healthy within the bounded wait. */
export class TargetsUnhealthyError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TargetsUnhealthyError';
  }
}

/** A change the running cluster cannot take (e.g. growing a static KRaft quorum). */
export class UnsupportedChangeError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnsupportedChangeError';
  }
}

/** A required environment variable of a Lambda is missing. */
export class ConfigurationError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/**
 * Restarting this broker now would hurt availability (partitions at or under min ISR, KRaft quorum not
 * caught up, another broker down). Retryable: wait (`nextRetry`) and ask again; never forced.
 */
export class RollRefusedError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RollRefusedError';
  }
}

/** The roll cannot go on (refusals or health waits exhausted, a node that is not ours): fatal, a human looks. */
export class RollAbortedError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RollAbortedError';
  }
}

/**
 * What a polling Task waits for does not hold yet (a command still running, a broker not caught up): the
 * state machine's Retry asks again after its interval, up to its bound (then the roll fails with this).
 */
export class NotReadyYetError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotReadyYetError';
  }
}

/** Another roll of the cluster held the roll lock for longer than this execution may wait: nothing was rolled. */
export class RollInProgressError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RollInProgressError';
  }
}

/** A restarted broker is not back yet (not registered, replicas out of ISR, quorum behind). Retryable, bounded. */
export class BrokerNotHealthyError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrokerNotHealthyError';
  }
}

/**
 * Output of a Kafka command-line tool that the parser does not understand (other version, truncated, an
 * error text). Fatal: such output is never read as an empty, healthy cluster.
 */
export class KafkaToolOutputError extends KafkaPlcError {
  readonly tool: string;
  constructor(tool: string, message: string, options?: ErrorOptions) {
    super(`${tool}: ${message}`, options);
    this.name = 'KafkaToolOutputError';
    this.tool = tool;
  }
}

/** Accept/RejectVpcEndpointConnections left endpoints unhandled (`Unsuccessful[]` with a retryable or unknown code). */
export class EndpointConnectionError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EndpointConnectionError';
  }
}

/**
 * A broker of `spec.existing` cannot be exposed as given: the instance is missing or not running, lies
 * outside `existing.vpcId` or the consumer's AZ IDs, or EC2 disagrees with what the spec says about it.
 * Fatal: fix the spec (or the instance) and run again.
 */
export class ExistingBrokerError extends KafkaPlcError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExistingBrokerError';
  }
}
