/**
 * Step Functions history events of a local run (aws-local-stepfunctions' events), counted as a Standard
 * execution records them (HistoryEvent, AWS Step Functions API Reference — its `type` values): the
 * execution's start and end (ExecutionStarted, ExecutionSucceeded/Failed); a Task state on a Lambda ARN
 * TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded, TaskStateExited
 * (5), and per retried attempt LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionFailed (3);
 * Pass, Choice, Wait and Succeed states <Type>StateEntered and <Type>StateExited (2); a Fail state
 * FailStateEntered (1); a Map or Parallel state <Type>StateEntered, <Type>StateStarted, <Type>StateSucceeded
 * and <Type>StateExited (4), and per Map iteration MapIterationStarted and MapIterationSucceeded (or Failed)
 * (2) around its own states' events. A Standard execution holds at most 25,000 ("Step Functions service
 * quotas").
 */
import type { LocalEvent } from '../../cli/local-sfn';

export const HISTORY_LIMIT = 25_000;

export function historyEvents(events: LocalEvent[]): number {
  let count = 0;
  for (const event of events) {
    if (event.type === 'ExecutionStarted') count += 1;
    else if (event.type === 'ExecutionSucceeded' || event.type === 'ExecutionFailed') count += 1;
    else if (event.type === 'StateEntered')
      count +=
        event.stateType === 'Task'
          ? 5
          : event.stateType === 'Fail'
            ? 1
            : event.stateType === 'Map' || event.stateType === 'Parallel'
              ? 4
              : 2;
    else if (event.type.startsWith('MapIteration')) count += 1;
    else if (event.type === 'StateRetried') count += 3;
  }
  return count;
}
