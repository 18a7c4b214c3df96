/** The end of a real `kafka-plc provision`: the console link per partition, elapsed time, the summary. */
import { describe, expect, it } from 'vitest';
import { elapsed, executionConsoleUrl, provisionSummary } from '../../cli/summary';
import { planCluster } from '../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../functions/lib/spec';
import { SEED } from '../helpers/emulator';

describe('provision summary', () => {
  it("links the execution's console page in its own partition", () => {
    expect(
      executionConsoleUrl('arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-provision:x'),
    ).toBe(
      'https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-provision:x',
    );
    expect(executionConsoleUrl('arn:aws-cn:states:cn-north-1:123456789012:execution:m:x')).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/states\//,
    );
    expect(executionConsoleUrl('arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:m:x')).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\/states\//,
    );
  });

  it('says what was built, where, how long it took and what to do next', () => {
    // Prepare
    const spec = parseClusterSpec(SEED);
    const output = {
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      brokerInstanceIds: ['i-0aaaaaaaaaaaaaaa1'],
      loadBalancerDnsName: 'seed-usw2-nlb-1.elb.us-west-2.amazonaws.com',
      endpointServiceId: 'vpce-svc-0123456789abcdef0',
      endpointServiceName: 'com.amazonaws.vpce.us-west-2.vpce-svc-0123456789abcdef0',
      acceptWindow: 'open until 2026-12-01T23:00:00Z',
      monitoring: {
        alarms: 10,
        dashboard: 'kafka-plc-seed-usw2',
        alarmTopicArn: 'arn:aws:sns:us-west-2:1:t',
      },
      verification: { inSync: false, differences: ['DRIFT x'] },
    };
    // Act
    const text = provisionSummary(spec, planCluster(spec), output, {
      what: 'Provisioning',
      took: 754_000,
      executionArn: 'arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-provision:x',
    });
    // Assess
    expect(text).toContain('Provisioning of seed-usw2 in us-west-2 succeeded in 12 min 34 s.');
    expect(text).toContain('Execution: https://us-west-2.console.aws.amazon.com/states/');
    expect(text).toContain(
      'Endpoint service name: com.amazonaws.vpce.us-west-2.vpce-svc-0123456789abcdef0 (vpce-svc-0123456789abcdef0)',
    );
    expect(text).toContain(
      'Monitoring: 10 alarm(s) → arn:aws:sns:us-west-2:1:t, dashboard kafka-plc-seed-usw2',
    );
    expect(text).toContain('Verification: 1 difference(s) from the plan');
    expect(text).toContain('TiDB Cloud');
    expect(elapsed(9_400)).toBe('9 s');
  });
});
