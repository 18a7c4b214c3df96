import { describe, expect, it } from 'vitest';
import {
  awaitsUniqueName,
  essentialPattern,
  patternProblem,
  renderPatternHost,
} from '../../../functions/lib/domain/listener-pattern';
import { SpecValidationError } from '../../../functions/lib/errors';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

/** The patterns of TiDB Cloud's docs: Dedicated ("Set Up Self-Hosted Kafka Private Link Service in AWS"). */
const DEDICATED = (az: string) => `<broker_id>.${az}.abc.us-west-2.aws.3199015.tidbcloud.com:<port>`;
const context = { azId: 'usw2-az1', region: 'us-west-2', maxNodeId: 3 };

describe('renderPatternHost', () => {
  it('fills <broker_id> with b<node.id> as the seed does (step 2.2)', () => {
    // Act
    const host = renderPatternHost(DEDICATED('usw2-az1'), 1, 'ignored');
    // Assess
    expect(host).toBe('b1.usw2-az1.abc.us-west-2.aws.3199015.tidbcloud.com');
  });

  it('fills the unique_name label of the Essential pattern, and leaves it until the name is known', () => {
    // Prepare
    const pattern = essentialPattern('usw2-az2', 'aws.plc.tidbcloud.com');
    // Act / Assess
    expect(pattern).toBe('<broker_id>.usw2-az2.unique_name.aws.plc.tidbcloud.com:<port>');
    expect(renderPatternHost(pattern, 2, 'dvs6nl5jgveztmla3pxkxgh76i')).toBe(
      'b2.usw2-az2.dvs6nl5jgveztmla3pxkxgh76i.aws.plc.tidbcloud.com',
    );
    expect(renderPatternHost(pattern, 2, 'unique_name')).toBe(
      'b2.usw2-az2.unique_name.aws.plc.tidbcloud.com',
    );
  });

  it('takes <broker_id> inside a label of a custom domain', () => {
    expect(renderPatternHost('kafka-<broker_id>.az1.example.com:<port>', 12, 'x')).toBe(
      'kafka-b12.az1.example.com',
    );
  });
});

describe('awaitsUniqueName', () => {
  it('is true only for a pattern holding the unique_name label', () => {
    expect(awaitsUniqueName(essentialPattern('usw2-az1', 'aws.plc.tidbcloud.com'))).toBe(true);
    expect(awaitsUniqueName(DEDICATED('usw2-az1'))).toBe(false);
    expect(awaitsUniqueName('<broker_id>.my-unique_name-x.example.com:<port>')).toBe(false);
  });
});

describe('patternProblem accepts what TiDB Cloud shows', () => {
  it.each([
    ['Dedicated', DEDICATED('usw2-az1')],
    ['Essential', '<broker_id>.usw2-az1.unique_name.aws.plc.tidbcloud.com:<port>'],
    ['a custom domain', '<broker_id>.kafka.example.com:<port>'],
    ['a custom domain with a per-AZ subdomain', '<broker_id>.usw2-az1.kafka.example.com:<port>'],
    ['broker id inside a label', 'kafka-<broker_id>.example.com:<port>'],
  ])('%s', (_, pattern) => {
    expect(patternProblem(pattern, context)).toBeUndefined();
  });
});

/** [what goes wrong, pattern, words the message must hold] — each copy-paste mistake seen or foreseeable. */
const BAD: [string, string, string][] = [
  ['empty', '', 'is empty'],
  ['a trailing space', `${DEDICATED('usw2-az1')} `, 'white space'],
  ['a space inside', '<broker_id>.usw2-az1.abc .tidbcloud.com:<port>', 'white space'],
  [
    'HTML escapes from the docs page',
    '&lt;broker_id&gt;.usw2-az1.abc.tidbcloud.com:&lt;port&gt;',
    'HTML escapes',
  ],
  ['the listener name pasted along', `EXTERNAL://${DEDICATED('usw2-az1')}`, 'listener name'],
  ['a fixed port', '<broker_id>.usw2-az1.abc.us-west-2.aws.3199015.tidbcloud.com:9093', 'fixed port'],
  ['no port at all', '<broker_id>.usw2-az1.abc.us-west-2.aws.3199015.tidbcloud.com', 'must end with :<port>'],
  ['a port without its colon', '<broker_id>.usw2-az1.abc.tidbcloud.com<port>', 'must end with :<port>'],
  ['<port> inside the host', '<broker_id>.<port>.abc.tidbcloud.com:<port>', 'inside the host name'],
  ['two colons', '<broker_id>.usw2-az1.abc.com:90:<port>', 'inside the host name'],
  ['upper case', '<broker_id>.USW2-AZ1.abc.us-west-2.aws.3199015.tidbcloud.com:<port>', 'lower case'],
  [
    'an unknown placeholder',
    '<broker_id>.usw2-az1.<unique_name>.tidbcloud.com:<port>',
    'unknown placeholder <unique_name>',
  ],
  [
    '<node_id> instead of <broker_id>',
    '<node_id>.usw2-az1.abc.tidbcloud.com:<port>',
    'unknown placeholder <node_id>',
  ],
  [
    'no <broker_id>',
    'b1.usw2-az1.abc.us-west-2.aws.3199015.tidbcloud.com:<port>',
    'must contain <broker_id>',
  ],
  ['<broker_id> twice', '<broker_id>.<broker_id>.abc.tidbcloud.com:<port>', 'more than once'],
  ['a double dot', '<broker_id>..usw2-az1.abc.tidbcloud.com:<port>', 'empty label'],
  ['a leading dot', '.<broker_id>.usw2-az1.abc.tidbcloud.com:<port>', 'empty label'],
  ['a trailing dot', '<broker_id>.usw2-az1.abc.tidbcloud.com.:<port>', 'empty label'],
  ['too few labels', '<broker_id>.com:<port>', 'at least three labels'],
  ['an underscore label', '<broker_id>.usw2_az1.abc.tidbcloud.com:<port>', 'not a DNS label'],
  ['a label ending in a hyphen', '<broker_id>.usw2-az1.abc-.tidbcloud.com:<port>', 'not a DNS label'],
  ['a label of 64 characters', `<broker_id>.${'a'.repeat(64)}.example.com:<port>`, 'not a DNS label'],
  ['unique_name twice', '<broker_id>.unique_name.unique_name.aws.plc.tidbcloud.com:<port>', 'more than once'],
  ['a numeric top-level domain', '<broker_id>.usw2-az1.10.0.1:<port>', 'top-level domain'],
  ['another AZ’s line', DEDICATED('usw2-az2'), 'names AZ ID usw2-az2 but is given for usw2-az1'],
  [
    'a tidbcloud.com pattern without the AZ ID',
    '<broker_id>.abc.us-west-2.aws.3199015.tidbcloud.com:<port>',
    'without the AZ ID usw2-az1',
  ],
  [
    'another region',
    '<broker_id>.usw2-az1.abc.us-east-1.aws.3199015.tidbcloud.com:<port>',
    'names region us-east-1',
  ],
  [
    'names too long',
    `<broker_id>.${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com:<port>`,
    'at most 253',
  ],
  ['a semicolon (shell)', '<broker_id>.usw2-az1.abc;reboot.tidbcloud.com:<port>', 'not a DNS label'],
];

describe('patternProblem refuses', () => {
  it.each(BAD)('%s', (_, pattern, words) => {
    // Act
    const problem = patternProblem(pattern, context);
    // Assess
    expect(problem).toContain(words);
  });

  it('counts at least twenty distinct mistakes', () => {
    expect(new Set(BAD.map(([what]) => what)).size).toBeGreaterThanOrEqual(20);
  });
});

describe('advertisedListenerPatterns in the spec', () => {
  const patterns = (azIds: string[]) => Object.fromEntries(azIds.map((az) => [az, DEDICATED(az)]));
  const withPatterns = (advertisedListenerPatterns: Record<string, string>) =>
    seedSpec({ consumer: { ...seedSpec().consumer, advertisedListenerPatterns } });
  const issuesOf = (input: unknown) => {
    try {
      parseClusterSpec(input);
      return [];
    } catch (error) {
      if (error instanceof SpecValidationError) return error.issues;
      throw error;
    }
  };

  it('names the field and the value of a bad pattern', () => {
    // Prepare
    const given = patterns(['usw2-az1', 'usw2-az2', 'usw2-az3']);
    given['usw2-az3'] = DEDICATED('usw2-az1');
    // Act
    const issues = issuesOf(withPatterns(given));
    // Assess
    expect(issues).toEqual([
      {
        path: 'consumer.advertisedListenerPatterns.usw2-az3',
        value: DEDICATED('usw2-az1'),
        message: expect.stringContaining('names AZ ID usw2-az1 but is given for usw2-az3'),
      },
    ]);
  });

  it('wants exactly one pattern per spec AZ ID', () => {
    // Prepare
    const given = { ...patterns(['usw2-az1', 'usw2-az2']), 'usw2-az4': DEDICATED('usw2-az4') };
    // Act
    const issues = issuesOf(withPatterns(given));
    // Assess
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['consumer.advertisedListenerPatterns.usw2-az4', 'is not one of azIds (usw2-az1, usw2-az2, usw2-az3)'],
      [
        'consumer.advertisedListenerPatterns',
        'has no pattern for usw2-az3 (one per AZ ID in azIds, as TiDB Cloud shows them)',
      ],
    ]);
  });

  it('refuses a key that is not an AZ ID', () => {
    const issues = issuesOf(
      withPatterns({ ...patterns(['usw2-az1', 'usw2-az2', 'usw2-az3']), 'us-west-2a': 'x' }),
    );
    expect(issues[0]).toMatchObject({ path: 'consumer.advertisedListenerPatterns.us-west-2a' });
  });

  it('checks the longest name the cluster will advertise (its largest node ID)', () => {
    // Prepare: b9.usw2-az1.<63>.<63>.<63>.<45>.com is 253 characters; b10 … b12 would be 254
    const long = (az: string) =>
      `<broker_id>.${az}.${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(45)}.com:<port>`;
    const given = Object.fromEntries(['usw2-az1', 'usw2-az2', 'usw2-az3'].map((az) => [az, long(az)]));
    // Act
    const nine = issuesOf({ ...withPatterns(given), brokersPerAz: 3 });
    const twelve = issuesOf({ ...withPatterns(given), brokersPerAz: 4 });
    // Assess
    expect(nine).toEqual([]);
    expect(twelve.map((i) => i.message)).toEqual([
      'gives names of 254 characters; DNS names have at most 253',
      'gives names of 254 characters; DNS names have at most 253',
      'gives names of 254 characters; DNS names have at most 253',
    ]);
  });
});
