/** Progress lines (cli/progress.ts): checks counted per wait, whether a Choice → Wait loop or a Retry polls. */
import { describe, expect, it } from 'vitest';
import type { LocalEvent } from '../../cli/local-sfn';
import { progress } from '../../cli/progress';

function lines(events: LocalEvent[]): string[] {
  const out: string[] = [];
  const p = progress(
    (text) => out.push(text.trim().replace(/^\d+\.\ds\s+/, '')),
    () => 0,
  );
  for (const event of events) p.event(event);
  return out;
}
const at = (type: string, state: string, extra: Partial<LocalEvent> = {}): LocalEvent => ({
  type,
  state,
  ...extra,
});

describe('progress', () => {
  it('counts a Choice → Wait loop across its rounds', () => {
    // Prepare: CheckNatGateway twice, with its WaitFor state between
    const events = [
      at('StateEntered', 'CheckNatGateway'),
      at('StateExited', 'CheckNatGateway'),
      at('StateExited', 'IsNatGatewayReady'),
      at('StateExited', 'WaitForNatGateway'),
      at('StateEntered', 'CheckNatGateway'),
      at('StateExited', 'CheckNatGateway'),
    ];
    // Act + Assess
    expect(lines(events)).toEqual(['· CheckNatGateway (check 1)', '· CheckNatGateway (check 2)']);
  });

  it('counts the polls of a Retry-polled check from each fresh entry (one broker after another)', () => {
    // Prepare: broker 1's CheckReconfigure not ready once; broker 2's ready at once
    const notYet = { retrier: ['NotReadyYetError'] };
    const events = [
      at('StateExited', 'ReconfigureBroker'),
      at('StateEntered', 'CheckReconfigure'),
      at('StateFailed', 'CheckReconfigure', { error: 'NotReadyYetError' }),
      at('StateRetried', 'CheckReconfigure', notYet),
      at('StateExited', 'CheckReconfigure'),
      at('StateExited', 'ReconfigureBroker'),
      at('StateEntered', 'CheckReconfigure'),
      at('StateExited', 'CheckReconfigure'),
    ];
    // Act + Assess
    expect(lines(events)).toEqual([
      '✓ ReconfigureBroker',
      '· CheckReconfigure: not yet (check 1)',
      '· CheckReconfigure (check 2)',
      '✓ ReconfigureBroker',
      '· CheckReconfigure (check 1)',
    ]);
  });

  it('reports other failures and the errors another retrier retries', () => {
    expect(
      lines([
        at('StateFailed', 'PrepareRoll', { error: 'AwsThrottledError' }),
        at('StateRetried', 'PrepareRoll', { retrier: ['AwsThrottledError'] }),
      ]),
    ).toEqual(['✗ PrepareRoll: AwsThrottledError', '↻ PrepareRoll: retrying (AwsThrottledError)']);
  });

  it('a caught failure is one ✗ line: not also ✓ for its exit, the Format… Pass or the Fail state', () => {
    // Prepare: the events aws-local-stepfunctions emits for provision with an unknown AZ ID
    const events = [
      at('StateEntered', 'ValidateSpec'),
      at('StateExited', 'ValidateSpec'),
      at('StateEntered', 'ResolveAzs'),
      at('StateFailed', 'ResolveAzs', { error: 'UnknownAzIdError' }),
      at('StateCaught', 'ResolveAzs'),
      at('StateExited', 'ResolveAzs'),
      at('StateEntered', 'FormatFailure'),
      at('StateExited', 'FormatFailure'),
      at('StateEntered', 'ProvisionFailed'),
      at('StateFailed', 'ProvisionFailed', { error: 'UnknownAzIdError', stateType: 'Fail' }),
    ];
    // Act + Assess
    expect(lines(events)).toEqual(['✓ ValidateSpec', '✗ ResolveAzs: UnknownAzIdError']);
  });

  it('a state retried after a failure and then done is still ✓ (only a caught one is not)', () => {
    expect(
      lines([
        at('StateFailed', 'PrepareRoll', { error: 'AwsThrottledError' }),
        at('StateRetried', 'PrepareRoll', { retrier: ['AwsThrottledError'] }),
        at('StateExited', 'PrepareRoll'),
      ]),
    ).toEqual([
      '✗ PrepareRoll: AwsThrottledError',
      '↻ PrepareRoll: retrying (AwsThrottledError)',
      '✓ PrepareRoll',
    ]);
  });
});
