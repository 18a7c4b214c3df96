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
