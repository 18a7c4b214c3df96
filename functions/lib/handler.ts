/**
 * The thin Lambda wrapper every task uses: parse the input once (zod; a bad input is a
 * SpecValidationError naming the field), give the logger the Lambda context, make one call. Errors keep
 * their class name (Step Functions matches it in Retry/Catch) and gain the task name in the message.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { NotReadyYetError, SpecValidationError, WaitTimeoutError } from './errors';
import { logger } from './logger';
import { pathText } from './spec';
import { waitSchema } from './state';
import type { ReadyStatus } from './steps/network';
import type { z } from './zod';

export type TaskFunction = (event: unknown, context: Context) => Promise<unknown>;

export function parseInput<S extends z.ZodMiniType>(task: string, schema: S, event: unknown): z.output<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  throw new SpecValidationError(
    result.error.issues.map((issue) => ({
      path: pathText(issue.path) || '(input)',
      value: undefined,
      message: `${task}: ${issue.message}`,
    })),
  );
}

function withTaskName(task: string, error: unknown): unknown {
  if (error instanceof Error && !error.message.startsWith(`${task}: `)) {
    error.message = `${task}: ${error.message}`;
  }
  return error;
}

export function taskHandler<S extends z.ZodMiniType, O>(
  task: string,
  schema: S,
  fn: (input: z.output<S>) => Promise<O>,
): TaskFunction {
  const run = async (event: unknown): Promise<O> => {
    const input = parseInput(task, schema, event);
    logger.appendKeys({ task });
    try {
      return await fn(input);
    } catch (error) {
      throw withTaskName(task, error);
    }
  };
  return middy(run).use(injectLambdaContext(logger, { resetKeys: true })) as unknown as TaskFunction;
}

export interface WaitResult extends ReadyStatus {
  attempt: number;
  maxAttempts: number;
}

/**
 * A check inside a bounded polling loop (Task → Choice → Wait → Task): counts attempts and fails with
 * WaitTimeoutError, carrying the last status, once the bound is reached.
 */
export function waitHandler<S extends z.ZodMiniType>(
  task: string,
  schema: S,
  check: (input: z.output<S>, final: boolean) => Promise<ReadyStatus>,
): TaskFunction {
  return taskHandler(task, schema, async (input: z.output<S>): Promise<WaitResult> => {
    const wait = waitSchema.parse((input as { wait: unknown }).wait);
    const attempt = wait.attempt + 1;
    const final = attempt >= wait.maxAttempts;
    const status = await check(input, final);
    if (!status.ready && final) {
      throw new WaitTimeoutError(`gave up after ${attempt} checks: ${status.detail}`);
    }
    return { ...status, attempt, maxAttempts: wait.maxAttempts };
  });
}

/**
 * A check polled by the state machine's Retry (NotReadyYetError, a fixed interval, a bounded number of
 * attempts) instead of a Task → Choice → Wait loop: a poll costs 3 history events, not 9 (the roll repeats
 * its polls for every broker, and one Standard execution keeps 25,000 events).
 */
export function readyHandler<S extends z.ZodMiniType, R extends ReadyStatus>(
  task: string,
  schema: S,
  check: (input: z.output<S>) => Promise<R>,
): TaskFunction {
  return taskHandler(task, schema, async (input: z.output<S>): Promise<R> => {
    const status = await check(input);
    if (!status.ready) throw new NotReadyYetError(`not yet: ${status.detail}`);
    return status;
  });
}
