/** Step Functions adapter: start a deployed state machine and follow it. */
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { sfnClient } from './clients/sfn';
import { call, hasCode } from './errors';

const sfn = (region: string) => sfnClient(region);

/** Every state machine of the region, by name. */
export async function stateMachines(region: string): Promise<Map<string, string>> {
  const machines = new Map<string, string>();
  let token: string | undefined;
  do {
    const out = await call('ListStateMachines', () =>
      sfn(region).send(new ListStateMachinesCommand({ nextToken: token })),
    );
    for (const m of out.stateMachines ?? [])
      if (m.name && m.stateMachineArn) machines.set(m.name, m.stateMachineArn);
    token = out.nextToken;
  } while (token);
  return machines;
}

export async function findStateMachine(region: string, name: string): Promise<string | undefined> {
  return (await stateMachines(region)).get(name);
}

/** The ARN an execution of `stateMachineArn` named `name` has (or would have). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * Starts an execution. Names are unique per state machine (for 90 days): an execution of the same name
 * already started is reported (`alreadyStarted`), not started twice.
 */
export async function startExecution(
  region: string,
  input: { stateMachineArn: string; name: string; input: unknown },
): Promise<{ executionArn: string; alreadyStarted: boolean }> {
  try {
    const out = await call('StartExecution', () =>
      sfn(region).send(
        new StartExecutionCommand({
          stateMachineArn: input.stateMachineArn,
          name: input.name,
          input: JSON.stringify(input.input),
        }),
      ),
    );
    return { executionArn: out.executionArn ?? '', alreadyStarted: false };
  } catch (error) {
    if (hasCode(error, 'ExecutionAlreadyExists')) {
      return { executionArn: executionArnOf(input.stateMachineArn, input.name), alreadyStarted: true };
    }
    throw error;
  }
}

export interface ExecutionState {
  status: ExecutionStatus | string;
  output?: string;
  error?: string;
  cause?: string;
}

export async function describeExecution(region: string, executionArn: string): Promise<ExecutionState> {
  const out = await call('DescribeExecution', () =>
    sfn(region).send(new DescribeExecutionCommand({ executionArn })),
  );
  return { status: out.status ?? 'UNKNOWN', output: out.output, error: out.error, cause: out.cause };
}

/** History events after `afterId` (oldest first). */
export async function historySince(
  region: string,
  executionArn: string,
  afterId: number,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const out = await call('GetExecutionHistory', () =>
      sfn(region).send(new GetExecutionHistoryCommand({ executionArn, nextToken: token, maxResults: 200 })),
    );
    events.push(...(out.events ?? []).filter((e) => (e.id ?? 0) > afterId));
    token = out.nextToken;
  } while (token);
  return events;
}

/** An execution's status, or NOT_FOUND when the account has no such execution (ExecutionDoesNotExist). */
export async function executionStatus(region: string, executionArn: string): Promise<string> {
  try {
    return (await describeExecution(region, executionArn)).status;
  } catch (error) {
    if (hasCode(error, 'ExecutionDoesNotExist')) return 'NOT_FOUND';
    throw error;
  }
}
