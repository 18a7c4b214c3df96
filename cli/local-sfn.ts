/**
 * Runs our real ASL definitions in-process with aws-local-stepfunctions: every Task state calls our real
 * Lambda handler (by its serverless function key), the SDK inside reaches whatever endpoint it resolves
 * (AWS_ENDPOINT_URL for an emulator). Wait and retry pauses can be scaled for tests and benchmarks.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { DEFAULT_STAGE, stateMachineName, type Workflow } from '../functions/lib/domain/names';
import type { TaskFunction } from '../functions/lib/handler';

/** Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 uses. */
function polyfillWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (P.withResolvers) return;
  P.withResolvers = () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface StateDef {
  Type: string;
  Resource?: Json;
  Branches?: { States: Record<string, StateDef> }[];
  Iterator?: { States: Record<string, StateDef> };
  ItemProcessor?: { States: Record<string, StateDef> };
  [key: string]:
    | Json
    | undefined
    | { States: Record<string, StateDef> }
    | { States: Record<string, StateDef> }[];
}
export interface Definition {
  StartAt: string;
  States: Record<string, StateDef>;
  [key: string]: Json | Record<string, StateDef>;
}

export const DEFINITIONS_DIR = new URL('../state-machine/', import.meta.url);

/** The Lambda function key a Task state names with `{ "Fn::GetAtt": [key, "Arn"] }`. */
export function functionKeyOf(state: StateDef): string | undefined {
  const resource = state.Resource as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const getAtt = resource && typeof resource === 'object' ? resource['Fn::GetAtt'] : undefined;
  return Array.isArray(getAtt) ? getAtt[0] : undefined;
}

/** Every state of a definition, nested branches included, as [name, state]. */
export function allStates(definition: { States: Record<string, StateDef> }): [string, StateDef][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, StateDef],
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch)),
    ...[state.Iterator, state.ItemProcessor].filter((x) => x !== undefined).flatMap((x) => allStates(x)),
  ]);
}

export function readDefinition(name: string): Definition {
  return JSON.parse(readFileSync(new URL(`${name}.asl.json`, DEFINITIONS_DIR), 'utf8')) as Definition;
}

/** Replaces each `Fn::GetAtt` Lambda reference with a plain ARN, giving standard ASL. */
export function resolveArns(
  definition: Definition,
  region = 'us-west-2',
  account = '123456789012',
): Definition {
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') {
      const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
      if (Array.isArray(getAtt)) return `arn:aws:lambda:${region}:${account}:function:kafka-plc-${getAtt[0]}`;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
  };
  return resolve(definition) as Definition;
}

export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export async function loadHandler(functionKey: string): Promise<TaskFunction> {
  const module = (await import(`../functions/${kebab(functionKey)}/handler.ts`)) as {
    handler?: TaskFunction;
  };
  if (!module.handler) throw new Error(`functions/${kebab(functionKey)}/handler.ts exports no handler`);
  return module.handler;
}

export function fakeContext(functionName: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface LocalEvent {
  type: string;
  state?: string;
  /** The state's type (Task, Pass, Choice, Wait …). */
  stateType?: string;
  index?: number;
  error?: string;
  cause?: string;
  output?: unknown;
  /** StateRetried: the ErrorEquals of the retrier that matched. */
  retrier?: string[];
}

export interface RunOptions {
  /**
   * Multiply every fixed (`Seconds`) Wait state's duration (e.g. 0 for tests, 0.01 for a ×100 time-scaled
   * benchmark); `SecondsPath` waits are never scaled.
   */
  waitScale?: number;
  /** Retry pause per attempt in ms (default: as written, scaled by waitScale). */
  retryPauseMs?: number;
  onEvent?: (event: LocalEvent) => void;
  /** Replace a function's handler (tests: fault injection around the real one). */
  wrapHandler?: (functionKey: string, handler: TaskFunction) => TaskFunction;
  /** The execution's name ($$.Execution.Name); default: a new one per run, as StartExecution gives. */
  executionName?: string;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  failedState?: string;
}

export async function runLocal(name: string, input: unknown, options: RunOptions = {}): Promise<RunResult> {
  polyfillWithResolvers();
  const { StateMachine } = await import('aws-local-stepfunctions');
  const raw = readDefinition(name);
  const definition = resolveArns(raw);
  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  // Task handlers still running when a sibling branch fails; awaited before returning, so a local run
  // never ends (or exits the process) in the middle of an AWS call.
  const inFlight = new Set<Promise<unknown>>();
  for (const [stateName, state] of allStates(raw)) {
    const key = functionKeyOf(state);
    if (state.Type === 'Task' && key) {
      const real = await loadHandler(key);
      const handler = options.wrapHandler ? options.wrapHandler(key, real) : real;
      taskResourceLocalHandlers[stateName] = (event) => {
        const call = handler(event, fakeContext(`kafka-plc-${key}`));
        inFlight.add(call);
        call.finally(() => inFlight.delete(call)).catch(() => undefined);
        return call;
      };
      if (options.retryPauseMs !== undefined) retryIntervalOverrides[stateName] = options.retryPauseMs;
    }
    // Only fixed waits are scaled: a SecondsPath wait lasts what the execution's data says (the roll's
    // refusal backoff, which a deployment sets with ROLL_RETRY_*), as on AWS.
    if (state.Type === 'Wait' && options.waitScale !== undefined && state.Seconds !== undefined) {
      waitTimeOverrides[stateName] = Math.round(Number(state.Seconds) * 1000 * options.waitScale);
    }
  }
  const machine = new StateMachine(definition as never, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const executionName = options.executionName ?? `local-${Date.now()}-${randomUUID().slice(0, 8)}`;
  const execution = machine.run(input as never, {
    // The Context Object as Step Functions fills it (the fields our definitions read)
    context: {
      Execution: {
        // The stage's state machine (kafka-plc-<stage>-<name>): the roll's IAM names its executions by it.
        Id: `arn:aws:states:us-west-2:123456789012:execution:${stateMachineName(process.env.KAFKA_PLC_STAGE ?? DEFAULT_STAGE, name as Workflow)}:${executionName}`,
        Name: executionName,
        Input: input,
        StartTime: new Date().toISOString(),
      },
    } as never,
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      waitTimeOverrides,
      retryIntervalOverrides,
    },
  });
  let failedState: string | undefined;
  const events = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as {
        type: string;
        state?: { name: string; type?: string; output?: unknown };
        index?: number;
        Error?: string;
        Cause?: string;
        retry?: { retrier?: { ErrorEquals?: string[] } };
      };
      if (e.type === 'StateFailed' && e.state) failedState = failedState ?? e.state.name;
      options.onEvent?.({
        type: e.type,
        state: e.state?.name,
        stateType: e.state?.type,
        index: e.index,
        error: e.Error,
        cause: e.Cause,
        output: e.state?.output,
        retrier: e.retry?.retrier?.ErrorEquals,
      });
    }
  })();
  const settle = async () => {
    await events.catch(() => undefined);
    await Promise.allSettled([...inFlight]);
  };
  try {
    const output = await execution.result;
    await settle();
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    await settle();
    const e = error as { name?: string; message?: string; cause?: unknown };
    const cause = (e.cause as { message?: string; cause?: string } | undefined) ?? undefined;
    return {
      status: 'FAILED',
      error: (cause as { name?: string })?.name ?? e.name,
      cause: typeof cause?.cause === 'string' ? cause.cause : (cause?.message ?? e.message),
      failedState,
    };
  }
}
