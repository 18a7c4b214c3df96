import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpecValidationError } from '../../functions/lib/errors';
import { consumersOf, parseClusterSpec, specAwaitsUniqueName } from '../../functions/lib/spec';
import { seedSpec } from '../fixtures/specs';

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8'));

const DEDICATED = (az: string, id = 'xyz') =>
  `<broker_id>.${az}.${id}.us-west-2.aws.3199015.tidbcloud.com:<port>`;
const THREE_AZS = ['usw2-az1', 'usw2-az2', 'usw2-az3'];
const dedicated = (id = 'xyz', azIds = THREE_AZS) =>
  Object.fromEntries(azIds.map((az) => [az, DEDICATED(az, id)]));
/** Two AZs, 8 brokers each: 16 brokers, 17 NLB listeners per consumer. */
const TWO_AZS = ['usw2-az1', 'usw2-az2'];
const sixteen = (names: string[]) =>
  listed(
    names.map((name, i) =>
      consumer(name, 9092 + 100 * i, { advertisedListenerPatterns: dedicated(name, TWO_AZS) }),
    ),
    { azIds: TWO_AZS, brokersPerAz: 8 },
  );

function consumer(name: string, bootstrap: number, extra: Record<string, unknown> = {}) {
  return {
    name,
    principals: ['arn:aws:iam::123456789012:root'],
    cidrs: ['10.100.0.0/16'],
    ports: { bootstrap, brokerBase: bootstrap + 1, external: 39000 + bootstrap },
    advertisedListenerPatterns: dedicated(name),
    ...extra,
  };
}

function listed(consumers: unknown[], overrides: Record<string, unknown> = {}) {
  const { consumer: _, ...rest } = seedSpec();
  return { ...rest, consumers, ...overrides };
}

function issuesOf(input: unknown): [string, string][] {
  try {
    parseClusterSpec(input);
  } catch (error) {
    if (error instanceof SpecValidationError) return error.issues.map((i) => [i.path, i.message]);
    throw error;
  }
  return [];
}

describe('consumers: the list form', () => {
  it('names listener groups EXTERNAL, EXTERNAL2 … in order, the shorthand `consumer` too', () => {
    // Act
    const two = consumersOf(parseClusterSpec(example('two-consumers-usw2')));
    const one = consumersOf(parseClusterSpec(seedSpec()));
    // Assess
    expect(two.map((c) => [c.name, c.listenerName, c.ports.bootstrap])).toEqual([
      ['tidb-a', 'EXTERNAL', 9092],
      ['tidb-b', 'EXTERNAL2', 9192],
    ]);
    expect(one.map((c) => [c.name, c.listenerName, c.ports])).toEqual([
      ['consumer', 'EXTERNAL', { bootstrap: 9092, brokerBase: 9093, external: 39092 }],
    ]);
  });

  it('a parsed spec parses again to itself (the applied spec and execution inputs are parsed specs)', () => {
    // Prepare
    const once = parseClusterSpec(example('two-consumers-usw2'));
    // Act
    const twice = parseClusterSpec(JSON.parse(JSON.stringify(once)));
    // Assess
    expect(twice).toEqual(once);
  });

  it('awaits the unique name only when some pattern holds unique_name', () => {
    expect(specAwaitsUniqueName(parseClusterSpec(seedSpec()))).toBe(true);
    expect(specAwaitsUniqueName(parseClusterSpec(example('dedicated-usw2')))).toBe(false);
    expect(specAwaitsUniqueName(parseClusterSpec(example('two-consumers-usw2')))).toBe(true);
  });

  /** [what, spec, expected [path, message part]] */
  const BAD: [string, unknown, [string, string]][] = [
    [
      'both forms',
      { ...seedSpec(), consumers: [consumer('a', 9092)] },
      ['consumers', 'cannot be given with consumer'],
    ],
    ['neither form', listed([]), ['consumers', 'needs 1..10 consumers']],
    [
      'no consumer at all',
      (() => {
        const { consumer: _, ...rest } = seedSpec();
        return rest;
      })(),
      ['consumer', 'is required (or consumers, for several)'],
    ],
    [
      'a top-level NLB port with consumers',
      listed([consumer('a', 9092)], { ports: { bootstrap: 9300 } }),
      ['ports.bootstrap', 'give consumers[i].ports.bootstrap instead'],
    ],
    [
      'duplicate names',
      listed([consumer('a', 9092), consumer('a', 9192, { advertisedListenerPatterns: dedicated('b') })]),
      ['consumers[1].name', 'duplicates consumers[0].name'],
    ],
    ['a name with upper case', listed([consumer('TiDB', 9092)]), ['consumers[0].name', 'must be 1..16']],
    [
      'overlapping broker port ranges',
      listed([consumer('a', 9092), consumer('b', 9094)]),
      ['consumers[1].ports.bootstrap', 'overlaps the NLB ports 9093..9095 of consumers[0].ports.brokerBase'],
    ],
    [
      'the same EXTERNAL port',
      listed([
        consumer('a', 9092),
        consumer('b', 9192, { ports: { bootstrap: 9192, brokerBase: 9193, external: 48092 } }),
      ]),
      ['consumers[1].ports.external', 'collides with consumers[0].ports.external'],
    ],
    [
      'an EXTERNAL port on INTERNAL',
      listed([consumer('a', 9192, { ports: { bootstrap: 9192, brokerBase: 9193, external: 9092 } })]),
      ['consumers[0].ports.external', 'collides with ports.internal'],
    ],
    [
      'a consumer without ports',
      listed([{ ...consumer('a', 9092), ports: undefined }]),
      ['consumers[0].ports', ''],
    ],
    [
      'two consumers waiting for the unique name',
      listed([
        consumer('a', 9092, { advertisedListenerPatterns: undefined }),
        consumer('b', 9192, { advertisedListenerPatterns: undefined }),
      ]),
      ['consumers[1].advertisedListenerPatterns', 'waits for the unique name as consumers[0] does'],
    ],
    [
      'SASL with two consumers',
      listed([consumer('a', 9092), consumer('b', 9192, { authentication: 'sasl-scram-sha-512' })]),
      ['consumers[1].authentication', 'not supported with more than one consumer yet'],
    ],
    [
      'more NLB listeners than an NLB has',
      sixteen(['a', 'b', 'c']),
      [
        'consumers',
        '3 listener groups × (16 brokers + 1 bootstrap) = 51 NLB listeners; an NLB has at most 50',
      ],
    ],
    [
      'a bad pattern of the second consumer',
      listed([
        consumer('a', 9092),
        consumer('b', 9192, {
          advertisedListenerPatterns: { ...dedicated('b'), 'usw2-az2': DEDICATED('usw2-az1') },
        }),
      ]),
      ['consumers[1].advertisedListenerPatterns.usw2-az2', 'names AZ ID usw2-az1'],
    ],
    [
      'an overlapping CIDR within a consumer',
      listed([consumer('a', 9092, { cidrs: ['10.100.0.0/16', '10.100.1.0/24'] })]),
      ['consumers[0].cidrs[1]', 'overlaps consumers[0].cidrs[0]'],
    ],
  ];

  it.each(BAD)('refuses %s, naming the field', (_, spec, [path, words]) => {
    // Act
    const issues = issuesOf(spec);
    // Assess
    expect(
      issues.some(([p, m]) => p === path && m.includes(words)),
      JSON.stringify(issues),
    ).toBe(true);
  });

  it('allows 2 consumers × (16 + 1) = 34 NLB listeners and 3 × (15 + 1) = 48, not 3 × 17 = 51', () => {
    // Prepare
    const fifteen = listed([consumer('a', 9092), consumer('b', 9192), consumer('c', 9292)], {
      brokersPerAz: 5,
    });
    // Act / Assess
    expect(issuesOf(sixteen(['a', 'b']))).toEqual([]);
    expect(issuesOf(fifteen)).toEqual([]);
    expect(issuesOf(sixteen(['a', 'b', 'c'])).map(([path]) => path)).toEqual(['consumers']);
  });
});
