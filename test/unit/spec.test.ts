import { describe, expect, it } from 'vitest';
import { SpecValidationError } from '../../functions/lib/errors';
import { type ClusterSpecInput, parseClusterSpec, principalAccount } from '../../functions/lib/spec';
import { seedSpec } from '../fixtures/specs';

function issuesOf(input: unknown) {
  try {
    parseClusterSpec(input);
  } catch (error) {
    if (error instanceof SpecValidationError) return error.issues;
    throw error;
  }
  return [];
}

const consumer = seedSpec().consumer;
const withPorts = (ports: Record<string, unknown>) => seedSpec({ ports } as Partial<ClusterSpecInput>);

/** [description, spec, field path the error must name] */
const INVALID: [string, unknown, string][] = [
  ['not an object', [], '(spec)'],
  ['null', null, '(spec)'],
  ['missing clusterName', { ...seedSpec(), clusterName: undefined }, 'clusterName'],
  ['clusterName upper case', seedSpec({ clusterName: 'Seed' }), 'clusterName'],
  ['clusterName starts with a digit', seedSpec({ clusterName: '1seed' }), 'clusterName'],
  ['clusterName too long', seedSpec({ clusterName: `a${'b'.repeat(32)}` }), 'clusterName'],
  ['clusterName with a shell metacharacter', seedSpec({ clusterName: 'a;reboot' }), 'clusterName'],
  ['clusterName ends with a hyphen', seedSpec({ clusterName: 'seed-' }), 'clusterName'],
  ['clusterName empty', seedSpec({ clusterName: '' }), 'clusterName'],
  [
    'clusterName begins with internal- (an NLB name AWS refuses)',
    seedSpec({ clusterName: 'internal-kafka' }),
    'clusterName',
  ],
  ['missing region', { ...seedSpec(), region: undefined }, 'region'],
  ['region not a code', seedSpec({ region: 'oregon' }), 'region'],
  ['region with an unknown direction', seedSpec({ region: 'us-up-1', azIds: ['usu1-az1'] }), 'region'],
  ['region is a number', seedSpec({ region: 2 as unknown as string }), 'region'],
  ['azIds missing', { ...seedSpec(), azIds: undefined }, 'azIds'],
  ['azIds empty', seedSpec({ azIds: [] }), 'azIds'],
  ['azIds more than six', seedSpec({ azIds: [1, 2, 3, 4, 5, 6, 7].map((n) => `usw2-az${n}`) }), 'azIds'],
  ['azIds a string', seedSpec({ azIds: 'usw2-az1' as unknown as string[] }), 'azIds'],
  ['azId is an AZ name', seedSpec({ azIds: ['us-west-2a'] }), 'azIds[0]'],
  ['azId of another region', seedSpec({ azIds: ['usw2-az1', 'use1-az2'] }), 'azIds[1]'],
  ['azId duplicated', seedSpec({ azIds: ['usw2-az1', 'usw2-az2', 'usw2-az1'] }), 'azIds[2]'],
  ['vpcCidr malformed', seedSpec({ vpcCidr: '10.0.0/16' }), 'vpcCidr'],
  ['vpcCidr octet out of range', seedSpec({ vpcCidr: '10.0.300.0/16' }), 'vpcCidr'],
  ['vpcCidr with host bits', seedSpec({ vpcCidr: '10.0.0.1/16' }), 'vpcCidr'],
  ['vpcCidr larger than /16', seedSpec({ vpcCidr: '10.0.0.0/8' }), 'vpcCidr'],
  ['vpcCidr too small for the subnets', seedSpec({ vpcCidr: '10.0.0.0/28' }), 'vpcCidr'],
  ['vpcCidr too small for the brokers', seedSpec({ vpcCidr: '10.0.0.0/26', brokersPerAz: 4 }), 'vpcCidr'],
  ['vpcCidr IPv6', seedSpec({ vpcCidr: 'fd00::/56' }), 'vpcCidr'],
  ['brokersPerAz zero', seedSpec({ brokersPerAz: 0 }), 'brokersPerAz'],
  ['brokersPerAz fractional', seedSpec({ brokersPerAz: 1.5 }), 'brokersPerAz'],
  ['brokersPerAz a string', seedSpec({ brokersPerAz: '2' as unknown as number }), 'brokersPerAz'],
  ['too many brokers', seedSpec({ brokersPerAz: 17 }), 'brokersPerAz'],
  ['roll.maxBatchSize zero', seedSpec({ roll: { maxBatchSize: 0 } }), 'roll.maxBatchSize'],
  ['roll.maxBatchSize over 49', seedSpec({ roll: { maxBatchSize: 50 } }), 'roll.maxBatchSize'],
  ['roll.maxBatchSize fractional', seedSpec({ roll: { maxBatchSize: 2.5 } }), 'roll.maxBatchSize'],
  ['roll with an unknown key', seedSpec({ roll: { batch: 2 } as never }), 'roll.batch'],
  ['instanceType without size', seedSpec({ instanceType: 't3' }), 'instanceType'],
  ['instanceType with a space', seedSpec({ instanceType: 't3.large; id' }), 'instanceType'],
  ['kafkaVersion not x.y.z', seedSpec({ kafkaVersion: '3.7' }), 'kafkaVersion'],
  ['kafkaVersion with a suffix', seedSpec({ kafkaVersion: '3.7.1-rc1' }), 'kafkaVersion'],
  [
    'kafkaVersion 4.0 (log4j2: the scripts configure log4j 1)',
    seedSpec({ kafkaVersion: '4.0.0' }),
    'kafkaVersion',
  ],
  ['kafkaVersion before 3.7 (untested)', seedSpec({ kafkaVersion: '3.6.2' }), 'kafkaVersion'],
  [
    'principal of another partition than the region (aws in cn-north-1)',
    seedSpec({ region: 'cn-north-1', azIds: ['cnn1-az1', 'cnn1-az2', 'cnn1-az4'] }),
    'consumer.principals[0]',
  ],
  [
    'principal of another partition than the region (aws-cn in us-west-2)',
    seedSpec({ consumer: { ...consumer, principals: ['arn:aws-cn:iam::123456789012:root'] } }),
    'consumer.principals[0]',
  ],
  ['port zero', withPorts({ bootstrap: 0 }), 'ports.bootstrap'],
  ['port above 65535', withPorts({ external: 70000 }), 'ports.external'],
  ['port fractional', withPorts({ internal: 9092.5 }), 'ports.internal'],
  ['port a string', withPorts({ controller: '29092' }), 'ports.controller'],
  ['bootstrap inside the broker port range', withPorts({ bootstrap: 9094 }), 'ports.bootstrap'],
  ['broker ports past 65535', withPorts({ brokerBase: 65534 }), 'ports.brokerBase'],
  ['internal equals external', withPorts({ internal: 39092 }), 'ports.external'],
  ['controller equals internal', withPorts({ controller: 9092 }), 'ports.controller'],
  ['unknown port key', withPorts({ admin: 1 }), 'ports.admin'],
  ['consumer missing', { ...seedSpec(), consumer: undefined }, 'consumer'],
  ['no principals', seedSpec({ consumer: { ...consumer, principals: [] } }), 'consumer.principals'],
  [
    'principal not an ARN',
    seedSpec({ consumer: { ...consumer, principals: ['123456789012'] } }),
    'consumer.principals[0]',
  ],
  [
    'principal with a short account',
    seedSpec({ consumer: { ...consumer, principals: ['arn:aws:iam::1234:root'] } }),
    'consumer.principals[0]',
  ],
  [
    'principal of another service',
    seedSpec({ consumer: { ...consumer, principals: ['arn:aws:s3:::bucket'] } }),
    'consumer.principals[0]',
  ],
  [
    'principal listed twice',
    seedSpec({
      consumer: { ...consumer, principals: [consumer.principals[0], consumer.principals[0]] as string[] },
    }),
    'consumer.principals[1]',
  ],
  ['no consumer cidrs', seedSpec({ consumer: { ...consumer, cidrs: [] } }), 'consumer.cidrs'],
  [
    'consumer cidr malformed',
    seedSpec({ consumer: { ...consumer, cidrs: ['10.1.0.0'] } }),
    'consumer.cidrs[0]',
  ],
  [
    'consumer cidrs overlap',
    seedSpec({ consumer: { ...consumer, cidrs: ['10.1.0.0/16', '10.1.2.0/24'] } }),
    'consumer.cidrs[1]',
  ],
  ['advertisedDomain single label', seedSpec({ advertisedDomain: 'localhost' }), 'advertisedDomain'],
  ['advertisedDomain upper case', seedSpec({ advertisedDomain: 'AWS.example.com' }), 'advertisedDomain'],
  [
    'advertisedDomain with $(...)',
    seedSpec({ advertisedDomain: '$(reboot).example.com' }),
    'advertisedDomain',
  ],
  [
    'advertisedDomain label too long',
    seedSpec({ advertisedDomain: `${'a'.repeat(64)}.com` }),
    'advertisedDomain',
  ],
  ['uniqueName with underscore', seedSpec({ uniqueName: 'my_name' }), 'uniqueName'],
  ['uniqueName with a quote', seedSpec({ uniqueName: "x'y" }), 'uniqueName'],
  ['uniqueName too long', seedSpec({ uniqueName: 'a'.repeat(64) }), 'uniqueName'],
  ['uniqueName starts with a hyphen', seedSpec({ uniqueName: '-abc' }), 'uniqueName'],
  ['unknown top-level field', { ...seedSpec(), brokerPerAz: 2 }, 'brokerPerAz'],
  [
    'existing broker with a bad instance ID',
    seedSpec({ existing: { vpcId: 'vpc-0123456789abcdef0', brokers: [{ instanceId: 'i-xyz', nodeId: 1 }] } }),
    'existing.brokers[0].instanceId',
  ],
  [
    'existing brokers with one node ID twice',
    seedSpec({
      existing: {
        vpcId: 'vpc-0123456789abcdef0',
        brokers: [
          { instanceId: 'i-0123456789abcdef0', nodeId: 1 },
          { instanceId: 'i-0123456789abcdef1', nodeId: 1 },
        ],
      },
    }),
    'existing.brokers[1].nodeId',
  ],
  [
    'existing config path with a space',
    seedSpec({
      existing: {
        vpcId: 'vpc-0123456789abcdef0',
        brokers: [
          { instanceId: 'i-0123456789abcdef0', nodeId: 1, configPath: '/opt/my kafka/server.properties' },
        ],
      },
    }),
    'existing.brokers[0].configPath',
  ],
];

describe('cluster spec validation', () => {
  it('has at least 40 invalid cases', () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(40);
  });

  it.each(INVALID)('rejects %s, naming the field', (_name, input, path) => {
    // Act
    const issues = issuesOf(input);
    // Assess
    expect(issues.map((i) => i.path)).toContain(path);
    const issue = issues.find((i) => i.path === path);
    expect(issue?.message.length).toBeGreaterThan(5);
  });

  it('reports the bad value with the field', () => {
    const issues = issuesOf(seedSpec({ azIds: ['usw2-az1', 'use1-az2'] }));
    expect(issues).toEqual([
      {
        path: 'azIds[1]',
        value: 'use1-az2',
        message: 'is not an AZ ID of region us-west-2 (expected usw2-az<N>)',
      },
    ]);
  });

  it('reports every problem at once, one per field', () => {
    const issues = issuesOf(seedSpec({ clusterName: 'X', uniqueName: 'a b', ports: { internal: 0 } }));
    expect(issues.map((i) => i.path).sort()).toEqual(['clusterName', 'ports.internal', 'uniqueName']);
  });

  it('applies the seed defaults', () => {
    // Act
    const spec = parseClusterSpec(seedSpec());
    // Assess
    expect(spec).toMatchObject({
      vpcCidr: '10.0.0.0/16',
      brokersPerAz: 1,
      instanceType: 't3.large',
      kafkaVersion: '3.7.1',
      ports: { bootstrap: 9092, brokerBase: 9093, internal: 9092, controller: 29092, external: 39092 },
      advertisedDomain: 'aws.plc.tidbcloud.com',
      uniqueName: 'unique_name',
    });
  });

  it('fills missing ports with defaults when some are given', () => {
    expect(parseClusterSpec(withPorts({ bootstrap: 8000 })).ports).toEqual({
      bootstrap: 8000,
      brokerBase: 9093,
      internal: 9092,
      controller: 29092,
      external: 39092,
    });
  });

  it.each([
    [
      'six AZs with 8 brokers each',
      seedSpec({ azIds: [1, 2, 3, 4, 5, 6].map((n) => `usw2-az${n}`), brokersPerAz: 8 }),
    ],
    ['a real unique name', seedSpec({ uniqueName: 'abc-123' })],
    [
      'a role principal',
      seedSpec({ consumer: { ...consumer, principals: ['arn:aws:iam::123456789012:role/tidb'] } }),
    ],
    [
      'GovCloud (principals of its partition)',
      seedSpec({
        region: 'us-gov-west-1',
        azIds: ['usgw1-az1'],
        consumer: { ...consumer, principals: ['arn:aws-us-gov:iam::123456789012:root'] },
      }),
    ],
    ['Tokyo', seedSpec({ region: 'ap-northeast-1', azIds: ['apne1-az1', 'apne1-az4'] })],
    ['a /24 VPC', seedSpec({ vpcCidr: '192.168.10.0/24' })],
    ['49 brokers in one AZ', seedSpec({ azIds: ['usw2-az1'], brokersPerAz: 49 })],
  ])('accepts %s', (_name, input) => {
    expect(() => parseClusterSpec(input)).not.toThrow();
  });

  it('accepts each supported Kafka release line and a partition-matched principal', () => {
    for (const kafkaVersion of ['3.7.0', '3.7.1', '3.8.1', '3.9.0'])
      expect(parseClusterSpec(seedSpec({ kafkaVersion })).kafkaVersion).toBe(kafkaVersion);
    const china = parseClusterSpec(
      seedSpec({
        region: 'cn-north-1',
        azIds: ['cnn1-az1', 'cnn1-az2', 'cnn1-az4'],
        consumer: { ...consumer, principals: ['arn:aws-cn:iam::123456789012:root'] },
      }),
    );
    expect(china.region).toBe('cn-north-1');
  });

  it('extracts the account of a principal', () => {
    expect(principalAccount('arn:aws:iam::123456789012:role/x')).toBe('123456789012');
    expect(principalAccount('nope')).toBeUndefined();
  });
});
