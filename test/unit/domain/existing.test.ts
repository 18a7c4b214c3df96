/** Planning an existing cluster from discovered facts, and the spec fields discovery fills in. */
import { describe, expect, it } from 'vitest';
import { discoverExisting, loadBalancerSubnetIds } from '../../../functions/lib/domain/existing';
import { planCluster } from '../../../functions/lib/domain/plan';
import { SpecValidationError } from '../../../functions/lib/errors';
import { type ClusterSpecInput, parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const VPC = 'vpc-0123456789abcdef0';
type BrokerInput = NonNullable<ClusterSpecInput['existing']>['brokers'][number];

/** Broker n in `azId`, discovered (subnet per AZ unless given). */
function discovered(nodeId: number, azId: string, extra: Partial<BrokerInput> = {}): BrokerInput {
  return {
    instanceId: `i-0123456789abcde${String(nodeId).padStart(2, '0')}`,
    nodeId,
    azId,
    subnetId: `subnet-000000000000000${azId.slice(-1)}a`,
    privateIp: `10.20.${nodeId}.25`,
    ...extra,
  };
}

const existing = (brokers: BrokerInput[], overrides: Partial<ClusterSpecInput> = {}) =>
  parseClusterSpec(seedSpec({ existing: { vpcId: VPC, brokers }, ...overrides }));

describe('plan of an existing cluster', () => {
  it('places every broker where EC2 found it and maps NLB ports by node ID', () => {
    // Prepare
    const spec = existing([
      discovered(1, 'usw2-az1'),
      discovered(2, 'usw2-az2'),
      discovered(3, 'usw2-az3'),
      discovered(4, 'usw2-az1', { subnetId: 'subnet-0000000000000001b' }),
    ]);
    // Act
    const plan = planCluster(spec);
    // Assess
    expect(plan.brokers.map((b) => [b.nodeId, b.azId, b.subnetName, b.privateIp, b.nlbPort])).toEqual([
      [1, 'usw2-az1', 'subnet-0000000000000001a', '10.20.1.25', 9093],
      [2, 'usw2-az2', 'subnet-0000000000000002a', '10.20.2.25', 9094],
      [3, 'usw2-az3', 'subnet-0000000000000003a', '10.20.3.25', 9095],
      [4, 'usw2-az1', 'subnet-0000000000000001b', '10.20.4.25', 9096],
    ]);
    expect(plan.brokers[3]?.advertisedListeners).toBe(
      'INTERNAL://10.20.4.25:9092,EXTERNAL://b4.usw2-az1.unique_name.aws.plc.tidbcloud.com:9096',
    );
    expect(plan.loadBalancer.listeners.map((l) => [l.port, l.brokerNodeIds, l.targetPort])).toEqual([
      [9092, [1, 2, 3, 4], 39092],
      [9093, [1], 39092],
      [9094, [2], 39092],
      [9095, [3], 39092],
      [9096, [4], 39092],
    ]);
    expect(plan.subnets.map((s) => [s.name, s.azId, s.public])).toEqual([
      ['subnet-0000000000000001a', 'usw2-az1', false],
      ['subnet-0000000000000001b', 'usw2-az1', false],
      ['subnet-0000000000000002a', 'usw2-az2', false],
      ['subnet-0000000000000003a', 'usw2-az3', false],
    ]);
    // The NLB takes one subnet per AZ: that of the lowest node ID there.
    expect(loadBalancerSubnetIds(plan, spec.azIds)).toEqual([
      'subnet-0000000000000001a',
      'subnet-0000000000000002a',
      'subnet-0000000000000003a',
    ]);
  });

  it('refuses to plan brokers that were not discovered yet', () => {
    const spec = existing([discovered(1, 'usw2-az1'), { instanceId: 'i-0123456789abcdef2', nodeId: 2 }]);
    expect(() => planCluster(spec)).toThrow(
      /existing brokers b2 have no discovered azId\/subnetId\/privateIp/,
    );
  });

  it('a new cluster plans exactly as before (no existing section)', () => {
    expect(planCluster(parseClusterSpec(seedSpec())).brokers.map((b) => b.privateIp)).toEqual([
      '10.0.0.10',
      '10.0.64.10',
      '10.0.128.10',
    ]);
  });
});

describe('discovered fields of spec.existing', () => {
  it('defaults the systemd unit to kafka.service and keeps the discovered fields optional', () => {
    const spec = existing([{ instanceId: 'i-0123456789abcdef1', nodeId: 1 }]);
    expect(spec.existing?.brokers[0]).toEqual({
      instanceId: 'i-0123456789abcdef1',
      nodeId: 1,
      configPath: '/opt/kafka/config/kraft/server.properties',
      serviceName: 'kafka.service',
    });
  });

  it.each([
    ['serviceName', { serviceName: 'kafka; reboot' }],
    ['serviceName', { serviceName: 'kafka.socket' }],
    ['azId', { azId: 'us-west-2a' }],
    ['subnetId', { subnetId: 'subnet-xyz' }],
    ['privateIp', { privateIp: '10.0.0.300' }],
    ['privateIp', { privateIp: '$(reboot)' }],
  ] as [string, Partial<BrokerInput>][])('rejects a bad %s, naming the field', (field, extra) => {
    const parse = () => existing([{ instanceId: 'i-0123456789abcdef1', nodeId: 1, ...extra }]);
    expect(parse).toThrow(SpecValidationError);
    expect(parse).toThrow(`existing.brokers[0].${field}`);
  });

  it('checks NLB ports against the highest node ID, not brokersPerAz', () => {
    const parse = () =>
      existing([discovered(1, 'usw2-az1'), discovered(5, 'usw2-az2')], { ports: { bootstrap: 9097 } });
    expect(parse).toThrow('ports.bootstrap: collides with the broker NLB ports 9093..9097');
  });
});

describe('discoverExisting', () => {
  it('fills the optional fields from EC2 facts', () => {
    const spec = existing([{ instanceId: 'i-0123456789abcdef1', nodeId: 1 }]);
    const result = discoverExisting(
      spec,
      [
        {
          instanceId: 'i-0123456789abcdef1',
          state: 'running',
          vpcId: VPC,
          subnetId: 'subnet-0123456789abcdef1',
          privateIp: '10.20.0.25',
        },
      ],
      [{ subnetId: 'subnet-0123456789abcdef1', azId: 'usw2-az2' }],
    );
    expect(result.problems).toEqual([]);
    expect(result.brokers[0]).toMatchObject({
      azId: 'usw2-az2',
      subnetId: 'subnet-0123456789abcdef1',
      privateIp: '10.20.0.25',
    });
    expect(result.notes).toHaveLength(2);
  });

  it('reports a terminated instance once, without follow-on noise', () => {
    const spec = existing([{ instanceId: 'i-0123456789abcdef1', nodeId: 1 }]);
    const result = discoverExisting(
      spec,
      [{ instanceId: 'i-0123456789abcdef1', state: 'terminated', vpcId: '', subnetId: '', privateIp: '' }],
      [],
    );
    expect(result.problems).toEqual(['b1 (i-0123456789abcdef1): is terminated, not running']);
  });
});
