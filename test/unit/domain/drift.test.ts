import { describe, expect, it } from 'vitest';
import {
  diffCluster,
  type Finding,
  findingLine,
  kafkaFindings,
  type LiveCluster,
  statusExitCode,
} from '../../../functions/lib/domain/drift';
import { type Plan, planCluster } from '../../../functions/lib/domain/plan';
import { brokerIngress, nlbIngress } from '../../../functions/lib/domain/security-rules';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const plan = planCluster(parseClusterSpec(seedSpec({ uniqueName: 'tidb-abc' })));
const HASHES = { 1: '1111111111111111', 2: '2222222222222222', 3: '3333333333333333' };
const NLB_GROUP = 'sg-0nlb';

/** The account exactly as the plan says: the diff of this is empty. */
function inSync(p: Plan = plan): LiveCluster {
  const instanceId = (nodeId: number) => `i-000000000000000${nodeId}`;
  return {
    vpc: { vpcId: 'vpc-01', cidr: p.vpc.cidr },
    subnets: p.subnets.map((s, i) => ({
      subnetId: `subnet-0${i}`,
      cidr: s.cidr,
      azId: s.azId ?? 'usw2-az1',
      name: s.name,
    })),
    securityGroups: [
      { name: `${p.clusterName}-nlb`, groupId: NLB_GROUP, rules: nlbIngress(p) },
      { name: `${p.clusterName}-brokers`, groupId: 'sg-0brokers', rules: brokerIngress(p, NLB_GROUP) },
    ],
    brokers: p.brokers.map((b) => ({
      nodeId: b.nodeId,
      instanceId: instanceId(b.nodeId),
      privateIp: b.privateIp,
      state: 'running',
      instanceType: p.instances.type,
      managed: true,
      appliedConfig: HASHES[b.nodeId as 1 | 2 | 3],
    })),
    loadBalancer: { name: p.loadBalancer.name, state: 'active' },
    listeners: p.loadBalancer.listeners.map((l) => ({ port: l.port, targetGroup: l.targetGroupName })),
    targetGroups: p.loadBalancer.listeners.map((l) => ({
      name: l.targetGroupName,
      port: l.targetPort,
      targets: l.brokerNodeIds.map((id) => ({
        instanceId: instanceId(id),
        port: l.targetPort,
        health: 'healthy',
      })),
    })),
    endpointService: {
      serviceId: 'vpce-svc-01',
      state: 'Available',
      acceptanceRequired: true,
      principals: [...p.endpointService.allowedPrincipals],
    },
    connections: [{ endpointId: 'vpce-0a', owner: '123456789012', state: 'available' }],
    uniqueName: { parameter: 'tidb-abc', applied: 'tidb-abc' },
  };
}

const diff = (live: LiveCluster) => diffCluster(plan, live, { configHashes: HASHES });

/** [what changed behind kafka-plc's back, the change, the one finding it must give] */
const CASES: [string, (live: LiveCluster) => void, Partial<Finding>][] = [
  [
    'the VPC deleted',
    (l) => (l.vpc = null),
    { kind: 'drift', resource: 'vpc', field: 'exists', live: 'missing' },
  ],
  [
    'the VPC with another CIDR',
    (l) => (l.vpc = { vpcId: 'vpc-01', cidr: '10.9.0.0/16' }),
    { field: 'cidr', live: '10.9.0.0/16' },
  ],
  ['a subnet gone', (l) => l.subnets.splice(1, 1), { resource: 'subnet broker-usw2-az2', field: 'exists' }],
  [
    'a broker resized behind its back',
    (l) => ((l.brokers[1] as { instanceType: string }).instanceType = 'm5.large'),
    { kind: 'drift', field: 'instanceType', planned: 't3.large', live: 'm5.large' },
  ],
  [
    'a subnet in another AZ',
    (l) => ((l.subnets[0] as { azId: string }).azId = 'usw2-az4'),
    { resource: 'subnet broker-usw2-az1', field: 'azId', planned: 'usw2-az1', live: 'usw2-az4' },
  ],
  [
    'a rule added to the NLB group',
    (l) => l.securityGroups[0]?.rules.push({ fromPort: 22, toPort: 22, source: { cidr: '0.0.0.0/0' } }),
    {
      resource: 'security group seed-usw2-nlb',
      field: 'ingress',
      planned: 'absent',
      live: 'tcp 22 from 0.0.0.0/0',
    },
  ],
  [
    "the consumer's rule removed",
    (l) => ((l.securityGroups[0] as { rules: unknown[] }).rules = []),
    {
      resource: 'security group seed-usw2-nlb',
      planned: 'tcp 9092-9095 from 10.100.0.0/16',
      live: 'missing',
    },
  ],
  [
    "the brokers' EXTERNAL rule removed",
    (l) => l.securityGroups[1]?.rules.pop(),
    { resource: 'security group seed-usw2-brokers', planned: 'tcp 39092 from group seed-usw2-nlb' },
  ],
  [
    'the brokers group deleted',
    (l) => l.securityGroups.pop(),
    { resource: 'security group seed-usw2-brokers', field: 'exists' },
  ],
  [
    'a broker stopped',
    (l) => ((l.brokers[1] as { state: string }).state = 'stopped'),
    { kind: 'health', field: 'state', live: 'stopped' },
  ],
  [
    'a broker SSM cannot reach',
    (l) => ((l.brokers[0] as { managed: boolean }).managed = false),
    { kind: 'health', field: 'ssm' },
  ],
  [
    'a broker terminated',
    (l) => l.brokers.splice(2, 1),
    { resource: 'broker b3', field: 'instance', live: 'missing' },
  ],
  [
    'a broker running another configuration',
    (l) => ((l.brokers[0] as { appliedConfig: string }).appliedConfig = 'ffffffffffffffff'),
    {
      resource: 'broker b1 (i-0000000000000001)',
      field: 'configuration',
      planned: HASHES[1],
      live: 'ffffffffffffffff',
    },
  ],
  [
    'the NLB deleted',
    (l) => (l.loadBalancer = null),
    { resource: 'load balancer seed-usw2-nlb', field: 'exists' },
  ],
  [
    'a listener deleted',
    (l) => l.listeners.splice(2, 1),
    { resource: 'listener 9094', field: 'exists', live: 'missing' },
  ],
  [
    'a listener pointed elsewhere',
    (l) => ((l.listeners[1] as { targetGroup: string }).targetGroup = 'seed-usw2-b2'),
    { resource: 'listener 9093', field: 'target group', planned: 'seed-usw2-b1', live: 'seed-usw2-b2' },
  ],
  [
    'a listener someone added',
    (l) => l.listeners.push({ port: 9999, targetGroup: 'theirs' }),
    { resource: 'listener 9999', planned: 'absent', live: '→ theirs' },
  ],
  [
    'a target deregistered',
    (l) => ((l.targetGroups[3] as { targets: unknown[] }).targets = []),
    { resource: 'target group seed-usw2-b3', field: 'target', live: 'missing' },
  ],
  [
    'a target unhealthy',
    (l) => ((l.targetGroups[1]?.targets[0] as { health: string }).health = 'unhealthy'),
    { kind: 'health', resource: 'target group seed-usw2-b1', field: 'target b1', live: 'unhealthy' },
  ],
  [
    'an allowed principal removed',
    (l) => ((l.endpointService as { principals: string[] }).principals = []),
    {
      resource: 'endpoint service vpce-svc-01',
      field: 'allowed principal',
      planned: 'arn:aws:iam::123456789012:root',
    },
  ],
  [
    'a principal someone allowed',
    (l) => l.endpointService?.principals.push('arn:aws:iam::999999999999:root'),
    { field: 'allowed principal', planned: 'absent', live: 'arn:aws:iam::999999999999:root' },
  ],
  [
    'acceptance turned off',
    (l) => ((l.endpointService as { acceptanceRequired: boolean }).acceptanceRequired = false),
    { field: 'acceptanceRequired', planned: 'true', live: 'false' },
  ],
  [
    'a connection left pending',
    (l) => l.connections.push({ endpointId: 'vpce-0b', owner: '123456789012', state: 'pendingAcceptance' }),
    { kind: 'health', resource: 'connection vpce-0b (123456789012)', live: 'pendingAcceptance' },
  ],
  [
    'a unique name written but not rolled',
    (l) => (l.uniqueName = { parameter: 'tidb-new', applied: 'tidb-abc' }),
    {
      resource: 'parameter /kafka-plc/seed-usw2/unique-name',
      field: 'brokers advertise',
      planned: 'tidb-new',
      live: 'tidb-abc',
    },
  ],
];

describe('diffCluster (planned vs live)', () => {
  it('finds nothing when the account is as planned; exit 0', () => {
    expect(diff(inSync())).toEqual([]);
    expect(statusExitCode([])).toBe(0);
  });

  it.each(CASES)('%s: exactly one finding naming it; exit 3', (_, change, expected) => {
    // Prepare
    const live = inSync();
    change(live);
    // Act
    const findings = diff(live);
    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject(expected);
    expect(statusExitCode(findings)).toBe(3);
  });

  it('a complete-pattern cluster has no unique-name parameter to compare', () => {
    // Prepare
    const spec = seedSpec();
    const dedicated = planCluster(
      parseClusterSpec({
        ...spec,
        consumer: {
          ...spec.consumer,
          advertisedListenerPatterns: Object.fromEntries(
            ['usw2-az1', 'usw2-az2', 'usw2-az3'].map((az) => [
              az,
              `<broker_id>.${az}.abc.us-west-2.aws.1.tidbcloud.com:<port>`,
            ]),
          ),
        },
      }),
    );
    const live = { ...inSync(dedicated), uniqueName: { parameter: null, applied: null } };
    // Act / Assess
    expect(diffCluster(dedicated, live, { configHashes: HASHES })).toEqual([]);
  });

  it('prints a finding as one line: kind, resource, field, planned and live', () => {
    expect(
      findingLine({
        kind: 'drift',
        resource: 'listener 9094',
        field: 'exists',
        planned: '→ seed-usw2-b2',
        live: 'missing',
      }),
    ).toBe('DRIFT  listener 9094: exists: planned → seed-usw2-b2, live missing');
  });
});

describe('kafkaFindings (what Kafka itself says)', () => {
  const healthy = {
    RegisteredBrokers: 3,
    ActiveControllerPresent: 1 as const,
    UnderReplicatedPartitions: 0,
    UnderMinIsrPartitions: 0,
    OfflinePartitions: 0,
    PendingConnections: 0,
  };

  it('nothing when every planned broker is registered and every partition whole', () => {
    expect(kafkaFindings(plan, healthy, [1, 2, 3])).toEqual([]);
  });

  it('one broker down: names it, and the partitions it leaves under-replicated', () => {
    // Act
    const findings = kafkaFindings(
      plan,
      { ...healthy, RegisteredBrokers: 2, UnderReplicatedPartitions: 5 },
      [1, 3],
    );
    // Assess
    expect(findings.map(findingLine)).toEqual([
      'HEALTH kafka: registered brokers: planned 3, live 2 (not registered: b2)',
      'HEALTH kafka: under-replicated partitions: planned 0, live 5',
    ]);
  });

  it('no controller, partitions under min ISR and offline: each a line', () => {
    const findings = kafkaFindings(
      plan,
      { ...healthy, ActiveControllerPresent: 0, UnderMinIsrPartitions: 2, OfflinePartitions: 1 },
      [1, 2, 3],
    );
    expect(findings.map((f) => f.field)).toEqual([
      'active controller',
      'partitions under min ISR',
      'offline partitions',
    ]);
    expect(findings.every((f) => f.kind === 'health')).toBe(true);
  });
});
