import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../../functions/lib/domain/kafka-config';
import { architectureOf, planCluster } from '../../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const seedPlan = () => planCluster(parseClusterSpec(seedSpec()));

/** The seed's three server.properties, with {broker-nodeN-ip} replaced by the plan's IPs. */
function seedProperties(ips: string[]): Map<string, string>[] {
  const text = readFileSync(new URL('../../fixtures/seed-server-properties.txt', import.meta.url), 'utf8');
  const filled = ips.reduce((t, ip, i) => t.replaceAll(`{broker-node${i + 1}-ip}`, ip), text);
  return filled
    .split(/^(?=process\.roles=)/m)
    .slice(1)
    .map(parseProperties);
}

describe('plan of the seed example (golden)', () => {
  it('lays out the seed subnets', () => {
    expect(seedPlan().subnets).toEqual([
      { name: 'broker-usw2-az1', azId: 'usw2-az1', cidr: '10.0.0.0/18', public: false },
      { name: 'broker-usw2-az2', azId: 'usw2-az2', cidr: '10.0.64.0/18', public: false },
      { name: 'broker-usw2-az3', azId: 'usw2-az3', cidr: '10.0.128.0/18', public: false },
      { name: 'public', azId: null, cidr: '10.0.192.0/18', public: true },
    ]);
  });

  it('reproduces the seed listener map: 9092 → all brokers, 9093..9095 → one each, targets on 39092', () => {
    expect(
      seedPlan().loadBalancer.listeners.map(({ port, brokerNodeIds, targetPort }) => ({
        port,
        brokerNodeIds,
        targetPort,
      })),
    ).toEqual([
      { port: 9092, brokerNodeIds: [1, 2, 3], targetPort: 39092 },
      { port: 9093, brokerNodeIds: [1], targetPort: 39092 },
      { port: 9094, brokerNodeIds: [2], targetPort: 39092 },
      { port: 9095, brokerNodeIds: [3], targetPort: 39092 },
    ]);
  });

  it('places b1..b3 one per AZ ID with deterministic IPs and the seed advertised names', () => {
    expect(
      seedPlan().brokers.map(({ nodeId, azId, privateIp, nlbPort, advertisedListeners }) => ({
        nodeId,
        azId,
        privateIp,
        nlbPort,
        advertisedListeners,
      })),
    ).toEqual([
      {
        nodeId: 1,
        azId: 'usw2-az1',
        privateIp: '10.0.0.10',
        nlbPort: 9093,
        advertisedListeners:
          'INTERNAL://10.0.0.10:9092,EXTERNAL://b1.usw2-az1.unique_name.aws.plc.tidbcloud.com:9093',
      },
      {
        nodeId: 2,
        azId: 'usw2-az2',
        privateIp: '10.0.64.10',
        nlbPort: 9094,
        advertisedListeners:
          'INTERNAL://10.0.64.10:9092,EXTERNAL://b2.usw2-az2.unique_name.aws.plc.tidbcloud.com:9094',
      },
      {
        nodeId: 3,
        azId: 'usw2-az3',
        privateIp: '10.0.128.10',
        nlbPort: 9095,
        advertisedListeners:
          'INTERNAL://10.0.128.10:9092,EXTERNAL://b3.usw2-az3.unique_name.aws.plc.tidbcloud.com:9095',
      },
    ]);
  });

  it('renders every seed server.properties key with the seed value (log.dirs moved off ./data on purpose)', () => {
    // Prepare
    const plan = seedPlan();
    const expected = seedProperties(plan.brokers.map((b) => b.privateIp));
    expect(expected).toHaveLength(3);
    // Act / Assess
    plan.brokers.forEach((broker, index) => {
      const ours = parseProperties(broker.serverProperties);
      for (const [key, value] of expected[index] ?? []) {
        if (key === 'log.dirs') {
          expect(value).toBe('./data');
          expect(ours.get(key)).toBe('/var/lib/kafka/data');
        } else {
          expect({ key, value: ours.get(key) }).toEqual({ key, value });
        }
      }
    });
  });

  it('adds production defaults for three brokers', () => {
    const props = parseProperties(seedPlan().brokers[0]?.serverProperties ?? '');
    expect(Object.fromEntries(props)).toMatchObject({
      'min.insync.replicas': '2',
      'default.replication.factor': '3',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'unclean.leader.election.enable': 'false',
      'broker.rack': 'usw2-az1',
    });
  });

  it('offers the endpoint service to the consumer principal with acceptance required', () => {
    expect(seedPlan().endpointService).toEqual({
      acceptanceRequired: true,
      privateDns: false,
      allowedPrincipals: ['arn:aws:iam::123456789012:root'],
      allowedAccounts: ['123456789012'],
    });
  });

  it('is deterministic: the same spec gives the same plan', () => {
    expect(JSON.stringify(seedPlan())).toBe(JSON.stringify(seedPlan()));
  });

  it('matches the committed plan JSON', async () => {
    await expect(`${JSON.stringify(seedPlan(), null, 2)}\n`).toMatchFileSnapshot(
      '../../fixtures/seed-usw2.plan.json',
    );
  });
});

describe('KRaft roles', () => {
  it('makes brokers 1..3 voters and the rest broker-only when scaled out', () => {
    // Act
    const plan = planCluster(parseClusterSpec(seedSpec({ brokersPerAz: 2 })));
    // Assess
    expect(plan.kafka.voterNodeIds).toEqual([1, 2, 3]);
    expect(plan.brokers.map((b) => b.processRoles.join(','))).toEqual([
      'broker,controller',
      'broker,controller',
      'broker,controller',
      'broker',
      'broker',
      'broker',
    ]);
    const b4 = parseProperties(plan.brokers[3]?.serverProperties ?? '');
    expect(b4.get('listeners')).toBe('INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:39092');
    expect(b4.get('controller.quorum.voters')).toBe(
      '1@10.0.0.10:29092,2@10.0.64.10:29092,3@10.0.128.10:29092',
    );
    expect(plan.brokers[3]).toMatchObject({ azId: 'usw2-az1', privateIp: '10.0.0.11', nlbPort: 9096 });
  });

  it('scale-out from three brokers leaves the first three configs byte-identical', () => {
    const three = planCluster(parseClusterSpec(seedSpec()));
    const six = planCluster(parseClusterSpec(seedSpec({ brokersPerAz: 2 })));
    expect(six.brokers.slice(0, 3).map((b) => b.serverProperties)).toEqual(
      three.brokers.map((b) => b.serverProperties),
    );
  });

  it('uses broker 1 alone as the voter below three brokers, with replication the cluster can hold', () => {
    const plan = planCluster(parseClusterSpec(seedSpec({ azIds: ['usw2-az1', 'usw2-az2'] })));
    expect(plan.kafka.controllerQuorumVoters).toBe('1@10.0.0.10:29092');
    expect(plan.brokers.map((b) => b.processRoles.join(','))).toEqual(['broker,controller', 'broker']);
    const props = parseProperties(plan.brokers[1]?.serverProperties ?? '');
    expect(props.get('default.replication.factor')).toBe('2');
    expect(props.get('min.insync.replicas')).toBe('1');
  });
});

describe('plan options', () => {
  it('binds listeners to overridden private IPs and a custom log dir (the local Kafka harness)', () => {
    const plan = planCluster(parseClusterSpec(seedSpec()), {
      privateIps: { 1: '127.0.1.1', 2: '127.0.1.2', 3: '127.0.1.3' },
      listenAddress: 'private-ip',
      logDirs: '/tmp/k/b1',
    });
    const props = parseProperties(plan.brokers[1]?.serverProperties ?? '');
    expect(props.get('listeners')).toBe(
      'INTERNAL://127.0.1.2:9092,CONTROLLER://127.0.1.2:29092,EXTERNAL://127.0.1.2:39092',
    );
    expect(props.get('controller.quorum.voters')).toBe(
      '1@127.0.1.1:29092,2@127.0.1.2:29092,3@127.0.1.3:29092',
    );
    expect(props.get('log.dirs')).toBe('/tmp/k/b1');
  });

  it.each([
    ['t3.large', 'x86_64'],
    ['m7g.xlarge', 'arm64'],
    ['c6gn.large', 'arm64'],
    ['im4gn.large', 'arm64'],
    ['a1.medium', 'arm64'],
    ['m6i.large', 'x86_64'],
    ['r5dn.large', 'x86_64'],
  ])('picks the AMI architecture of %s: %s', (type, arch) => {
    expect(architectureOf(type)).toBe(arch);
    const plan = planCluster(parseClusterSpec(seedSpec({ instanceType: type })));
    expect(plan.instances.amiParameter).toBe(
      `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`,
    );
  });

  it('keeps ELB names within 32 characters and distinct for long cluster names', () => {
    const plan = planCluster(
      parseClusterSpec(seedSpec({ clusterName: 'a-very-long-cluster-name-of-32ch', brokersPerAz: 16 })),
    );
    const names = [plan.loadBalancer.name, ...plan.loadBalancer.listeners.map((l) => l.targetGroupName)];
    for (const name of names) expect(name).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('plans of the three TiDB Cloud flavours (golden, from examples/)', () => {
  const planOf = (name: string) =>
    planCluster(
      parseClusterSpec(
        JSON.parse(readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), 'utf8')),
      ),
    );

  it.each(['dedicated-usw2', 'custom-domain-usw2', 'two-consumers-usw2'])(
    '%s matches its committed plan JSON',
    async (name) => {
      await expect(`${JSON.stringify(planOf(name), null, 2)}\n`).toMatchFileSnapshot(
        `../../fixtures/${name}.plan.json`,
      );
    },
  );

  it('Dedicated: brokers advertise the pasted pattern from the first start, no unique name awaited', () => {
    // Act
    const plan = planOf('dedicated-usw2');
    // Assess
    expect(plan.awaitsUniqueName).toBe(false);
    expect(plan.brokers.map((b) => parseProperties(b.serverProperties).get('advertised.listeners'))).toEqual([
      'INTERNAL://10.0.0.10:9092,EXTERNAL://b1.usw2-az1.abc.us-west-2.aws.3199015.tidbcloud.com:9093',
      'INTERNAL://10.0.64.10:9092,EXTERNAL://b2.usw2-az2.abc.us-west-2.aws.3199015.tidbcloud.com:9094',
      'INTERNAL://10.0.128.10:9092,EXTERNAL://b3.usw2-az3.abc.us-west-2.aws.3199015.tidbcloud.com:9095',
    ]);
  });

  it('two consumers: a listener group each, own ports, target groups, CIDRs; principals united', () => {
    // Act
    const plan = planOf('two-consumers-usw2');
    const b2 = parseProperties(plan.brokers[1]?.serverProperties ?? '');
    // Assess
    expect(b2.get('listeners')).toBe(
      'INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092,EXTERNAL://0.0.0.0:39092,EXTERNAL2://0.0.0.0:39192',
    );
    expect(b2.get('advertised.listeners')).toBe(
      'INTERNAL://10.0.64.10:9092,EXTERNAL://b2.usw2-az2.unique_name.aws.plc.tidbcloud.com:9094,' +
        'EXTERNAL2://b2.usw2-az2.xyz.us-west-2.aws.3199015.tidbcloud.com:9194',
    );
    expect(b2.get('listener.security.protocol.map')).toContain('EXTERNAL:PLAINTEXT,EXTERNAL2:PLAINTEXT,');
    expect(
      plan.loadBalancer.listeners.map((l) => [l.consumer, l.port, l.targetPort, l.targetGroupName]),
    ).toEqual([
      ['tidb-a', 9092, 39092, 'shared-usw2-bootstrap'],
      ['tidb-a', 9093, 39092, 'shared-usw2-b1'],
      ['tidb-a', 9094, 39092, 'shared-usw2-b2'],
      ['tidb-a', 9095, 39092, 'shared-usw2-b3'],
      ['tidb-b', 9192, 39192, 'shared-usw2-tidb-b-bootstrap'],
      ['tidb-b', 9193, 39192, 'shared-usw2-tidb-b-b1'],
      ['tidb-b', 9194, 39192, 'shared-usw2-tidb-b-b2'],
      ['tidb-b', 9195, 39192, 'shared-usw2-tidb-b-b3'],
    ]);
    expect(plan.endpointService.allowedAccounts).toEqual(['123456789012', '210987654321']);
    expect(plan.consumers.map((c) => [c.name, c.awaitsUniqueName])).toEqual([
      ['tidb-a', true],
      ['tidb-b', false],
    ]);
  });

  it('the first consumer of a one-consumer spec renders exactly as before (no roll for existing clusters)', () => {
    // Prepare: the seed in the list form, with the shorthand's ports
    const seed = seedSpec();
    const listed = {
      ...seed,
      ports: { internal: 9092, controller: 29092 },
      consumer: undefined,
      consumers: [
        { ...seed.consumer, name: 'tidb', ports: { bootstrap: 9092, brokerBase: 9093, external: 39092 } },
      ],
    };
    // Act
    const before = seedPlan();
    const after = planCluster(parseClusterSpec(listed));
    // Assess
    expect(after.brokers.map((b) => b.serverProperties)).toEqual(
      before.brokers.map((b) => b.serverProperties),
    );
    expect(after.loadBalancer.listeners.map((l) => l.targetGroupName)).toEqual(
      before.loadBalancer.listeners.map((l) => l.targetGroupName),
    );
  });
});
