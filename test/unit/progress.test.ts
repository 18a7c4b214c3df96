/** Progress lines (cli/progress.ts): checks counted per wait, whether a Choice → Wait loop or a Retry polls. */
import { describe, expect, it } from 'vitest';
import { type LocalEvent, readDefinition } from '../../cli/local-sfn';
import { progress, progressContext, resourceIds } from '../../cli/progress';

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

describe('progress with the definition (resource IDs, parallel branches)', () => {
  it('names the resources a task created (from its ResultPath) and the parallel branch it runs in', () => {
    // Prepare: provision's definition; EnsureNetwork's and LaunchBrokers' outputs as the execution has them
    const out: string[] = [];
    const p = progress(
      (text) => out.push(text.trim().replace(/^\d+\.\ds\s+/, '')),
      () => 0,
      progressContext(readDefinition('provision')),
    );
    const network = { vpcId: 'vpc-0a1b2c3d4e5f60718', brokerSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1'] };
    const brokers = {
      brokers: [1, 2, 3, 4, 5, 6].map((n) => ({ nodeId: n, instanceId: `i-0${n}${'a'.repeat(15)}` })),
    };
    // Act
    p.event({ type: 'StateExited', state: 'EnsureNetwork', output: { spec: {}, network } });
    p.event({ type: 'StateExited', state: 'LaunchBrokers', output: { spec: {}, brokers } });
    p.event({ type: 'StateExited', state: 'ValidateSpec', output: { clusterName: 'vpc-0a1b2c3d4e5f60718' } });
    // Assess
    expect(out).toEqual([
      '✓ EnsureNetwork  vpc-0a1b2c3d4e5f60718, subnet-0aaaaaaaaaaaaaaa1',
      '✓ LaunchBrokers [Brokers]  i-01aaaaaaaaaaaaaaa, i-02aaaaaaaaaaaaaaa, i-03aaaaaaaaaaaaaaa, i-04aaaaaaaaaaaaaaa, i-05aaaaaaaaaaaaaaa +1 more',
      '✓ ValidateSpec',
    ]);
  });

  it('reads load balancer and target group names out of their ARNs, each once', () => {
    expect(
      resourceIds({
        a: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/seed-usw2-nlb/50dc6c495c0c9188',
        b: [
          'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/seed-usw2-b1/73e2d6bc24d8a067',
          'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/seed-usw2-b1/73e2d6bc24d8a067',
        ],
        c: 'not-an-id',
        d: 'vpce-svc-0123456789abcdef0',
      }),
    ).toEqual(['seed-usw2-nlb', 'seed-usw2-b1', 'vpce-svc-0123456789abcdef0']);
  });
});
