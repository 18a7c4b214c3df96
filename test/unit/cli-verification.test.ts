import { describe, expect, it } from 'vitest';
import { reportVerification } from '../../cli/commands/common';

function told(output: unknown): string {
  const err: string[] = [];
  reportVerification(output, 'examples/seed-usw2.json', {
    stdout: () => undefined,
    stderr: (t) => err.push(t),
  });
  return err.join('');
}

describe('reportVerification (provision and roll print what VerifyCluster found)', () => {
  it('lists each difference and points at kafka-plc status', () => {
    // Act
    const text = told({
      verification: {
        inSync: false,
        differences: ['DRIFT  listener 9094: exists: planned → seed-usw2-b2, live missing'],
        notes: [],
      },
    });
    // Assess
    expect(text).toBe(
      '\nverification: 1 difference(s) from the plan:\n' +
        '  DRIFT  listener 9094: exists: planned → seed-usw2-b2, live missing\n' +
        "kafka-plc status --spec examples/seed-usw2.json prints the whole report, Kafka's health included.\n",
    );
  });

  it('says when the verification itself could not run (the execution caught its error)', () => {
    expect(
      told({ verification: { Error: 'AwsCallError', Cause: 'DescribeVpcs failed: AccessDenied' } }),
    ).toBe(
      '\nverification could not run (AwsCallError: DescribeVpcs failed: AccessDenied); ' +
        'kafka-plc status --spec examples/seed-usw2.json reads the same report.\n',
    );
  });

  it('says nothing when in sync or absent', () => {
    expect(told({ verification: { inSync: true, differences: [], notes: [] } })).toBe('');
    expect(told({ clusterName: 'seed-usw2' })).toBe('');
    expect(told(null)).toBe('');
  });
});
