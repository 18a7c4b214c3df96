/**
 * Following a deployed execution (SFN mocked): progress lines carry the resources each task made, the console
 * link is printed, and Ctrl-C stops following — not the execution — saying how to follow or stop it (exit 130).
 */
import { EventEmitter } from 'node:events';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExitCodeError } from '../../cli/commands/common';
import { runWorkflow } from '../../cli/commands/provision';
import { parseClusterSpec } from '../../functions/lib/spec';
import { SEED } from '../helpers/emulator';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:us-west-2:123456789012:stateMachine:kafka-plc-dev-provision';
const EXECUTION =
  'arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-provision:seed-usw2-provision-1';

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      {
        id: 7,
        type: 'TaskStateExited',
        timestamp: new Date(),
        stateExitedEventDetails: {
          name: 'EnsureNetwork',
          output: JSON.stringify({ network: { vpcId: 'vpc-0a1b2c3d4e5f60718' } }),
        },
      },
    ],
  });
  sfn
    .on(DescribeExecutionCommand)
    .resolves({ executionArn: EXECUTION, status: 'RUNNING', startDate: new Date() });
});

describe('following a deployed execution', () => {
  it('Ctrl-C stops following, leaves the execution running and says how to follow or stop it', async () => {
    // Prepare
    const err: string[] = [];
    const signals = new EventEmitter();
    // Act: Ctrl-C once the first poll has been printed
    const running = runWorkflow(
      'provision',
      parseClusterSpec(SEED),
      {
        local: false,
        region: 'us-west-2',
        stage: 'dev',
        arn: MACHINE,
        executionName: 'x',
        signals,
        pollMs: 60_000,
      },
      {
        stdout: () => {},
        stderr: (t) => {
          err.push(t);
          if (t.includes('EnsureNetwork')) setImmediate(() => signals.emit('SIGINT'));
        },
      },
    );
    const error = await running.catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ExitCodeError);
    expect((error as ExitCodeError).exitCode).toBe(130);
    expect((error as Error).message).toContain('only this command stopped; the execution goes on in AWS');
    expect((error as Error).message).toContain(
      `aws stepfunctions stop-execution --region us-west-2 --execution-arn ${EXECUTION}`,
    );
    expect(err.join('')).toContain(
      `console: https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${EXECUTION}`,
    );
    expect(err.join('')).toMatch(/✓ EnsureNetwork {2}vpc-0a1b2c3d4e5f60718\n/);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});
