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
