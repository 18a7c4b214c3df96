/** The local-run → AWS history event count the history bench uses (test/helpers/history-events.ts). */
import { describe, expect, it } from 'vitest';
import type { LocalEvent } from '../../cli/local-sfn';
import { historyEvents } from '../helpers/history-events';

describe('historyEvents', () => {
  it('counts a Lambda Task as 5, each retried attempt as 3 more, Pass/Choice/Wait/Succeed as 2, the execution as 2', () => {
    // Prepare: Pass → Task (one retry) → Choice → Wait → Task → Succeed
    const entered = (state: string, stateType: string): LocalEvent => ({
      type: 'StateEntered',
      state,
      stateType,
    });
    const events: LocalEvent[] = [
      { type: 'ExecutionStarted' },
      entered('Init', 'Pass'),
      entered('Check', 'Task'),
      { type: 'StateRetried', state: 'Check' },
      entered('Ready', 'Choice'),
      entered('Pause', 'Wait'),
      entered('Check', 'Task'),
      entered('Done', 'Succeed'),
      { type: 'StateExited', state: 'Done' },
      { type: 'ExecutionSucceeded' },
    ];
    // Act + Assess: 1 + 2 + (5 + 3) + 2 + 2 + 5 + 2 + 1
    expect(historyEvents(events)).toBe(23);
  });

  it('counts a Map state as 4 and each iteration as 2 around its own states', () => {
    // Prepare: a Map of two iterations, each one Task
    const events: LocalEvent[] = [
      { type: 'ExecutionStarted' },
      { type: 'StateEntered', state: 'RestartBatch', stateType: 'Map' },
      ...[0, 1].flatMap((index): LocalEvent[] => [
        { type: 'MapIterationStarted', state: 'RestartBatch', index },
        { type: 'StateEntered', state: 'ReconfigureBroker', stateType: 'Task', index },
        { type: 'MapIterationSucceeded', state: 'RestartBatch', index },
      ]),
      { type: 'ExecutionSucceeded' },
    ];
    // Act + Assess: 1 + 4 + 2 × (1 + 5 + 1) + 1
    expect(historyEvents(events)).toBe(20);
  });

  it('counts a Fail state as one event before ExecutionFailed', () => {
    expect(
      historyEvents([
        { type: 'ExecutionStarted' },
        { type: 'StateEntered', state: 'RollFailed', stateType: 'Fail' },
        { type: 'ExecutionFailed' },
      ]),
    ).toBe(3);
  });
});
