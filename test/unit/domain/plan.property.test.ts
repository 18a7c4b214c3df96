import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains, isInside, overlaps, parseCidr } from '../../../functions/lib/domain/cidr';
import { parseProperties } from '../../../functions/lib/domain/kafka-config';
import { type Plan, planCluster } from '../../../functions/lib/domain/plan';
import { azIdPrefix } from '../../../functions/lib/domain/regions';
import { type ClusterSpecInput, parseClusterSpec } from '../../../functions/lib/spec';

const REGIONS = ['us-west-2', 'us-east-1', 'eu-central-1', 'ap-northeast-1', 'ap-southeast-2', 'sa-east-1'];

/** Random valid specs: any region, 1..6 AZ IDs, up to 49 brokers, any VPC /16../24, any distinct ports. */
const specArbitrary: fc.Arbitrary<ClusterSpecInput> = fc
  .record({
    region: fc.constantFrom(...REGIONS),
    azNumbers: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }),
    perAz: fc.integer({ min: 1, max: 49 }),
    vpcPrefix: fc.integer({ min: 16, max: 24 }),
    vpcBase: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
    brokerBase: fc.integer({ min: 1024, max: 60000 }),
    bootstrapOffset: fc.integer({ min: 1, max: 5000 }),
    listen: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 3, maxLength: 3 }),
    unique: fc.constantFrom('unique_name', 'abc', 'tidb-0123456789'),
  })
  .map((r) => {
    const perAz = Math.max(1, Math.min(r.perAz, Math.floor(49 / r.azNumbers.length)));
    const mask = (2 ** 32 - 2 ** (32 - r.vpcPrefix)) >>> 0;
    const base = ((10 * 2 ** 24 + r.vpcBase) & mask) >>> 0;
    const octets = [base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255];
    const prefix = azIdPrefix(r.region) as string;
    return {
      clusterName: 'prop',
      region: r.region,
      azIds: r.azNumbers.map((n) => `${prefix}-az${n}`),
      brokersPerAz: perAz,
      vpcCidr: `${octets.join('.')}/${r.vpcPrefix}`,
      ports: {
        brokerBase: r.brokerBase,
        bootstrap: r.brokerBase - r.bootstrapOffset > 0 ? r.brokerBase - r.bootstrapOffset : 1,
        internal: r.listen[0] as number,
        controller: r.listen[1] as number,
        external: r.listen[2] as number,
      },
      consumer: { principals: ['arn:aws:iam::123456789012:root'], cidrs: ['192.168.0.0/16'] },
      uniqueName: r.unique,
    };
  });

function plans(): fc.Arbitrary<Plan> {
  return specArbitrary.map((input) => planCluster(parseClusterSpec(input)));
}

const RUNS = { numRuns: 300 };

describe('planner properties over random valid specs', () => {
  it('every generated spec is valid (the generator stays honest)', () => {
    fc.assert(
      fc.property(specArbitrary, (input) => void parseClusterSpec(input)),
      RUNS,
    );
  });

  it('NLB listener ports are unique', () => {
    fc.assert(
      fc.property(plans(), (plan) => {
        const ports = plan.loadBalancer.listeners.map((l) => l.port);
        expect(new Set(ports).size).toBe(ports.length);
      }),
      RUNS,
    );
  });

  it('each broker has exactly one dedicated listener and advertises that listener port', () => {
    fc.assert(
      fc.property(plans(), (plan) => {
        const bootstrapPort = plan.kafka.ports.bootstrap;
        for (const broker of plan.brokers) {
          const dedicated = plan.loadBalancer.listeners.filter(
            (l) => l.port !== bootstrapPort && l.brokerNodeIds.includes(broker.nodeId),
          );
          expect(dedicated).toHaveLength(1);
          expect(dedicated[0]?.brokerNodeIds).toEqual([broker.nodeId]);
          const advertised = parseProperties(broker.serverProperties).get('advertised.listeners') ?? '';
          expect(advertised).toBe(broker.advertisedListeners);
          expect(advertised.endsWith(`EXTERNAL://${broker.externalHost}:${dedicated[0]?.port}`)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('the bootstrap listener lists every broker, and every target is the EXTERNAL port', () => {
    fc.assert(
      fc.property(plans(), (plan) => {
        const bootstrap = plan.loadBalancer.listeners.find((l) => l.port === plan.kafka.ports.bootstrap);
        expect(bootstrap?.brokerNodeIds).toEqual(plan.brokers.map((b) => b.nodeId));
        for (const l of plan.loadBalancer.listeners) expect(l.targetPort).toBe(plan.kafka.ports.external);
        expect(plan.loadBalancer.listeners.length).toBeLessThanOrEqual(50);
      }),
      RUNS,
    );
  });

  it('subnets are disjoint and inside the VPC', () => {
    fc.assert(
      fc.property(plans(), (plan) => {
        const vpc = parseCidr(plan.vpc.cidr);
        const blocks = plan.subnets.map((s) => parseCidr(s.cidr));
        for (const [i, block] of blocks.entries()) {
          if (!vpc || !block) throw new Error('unparsable CIDR in plan');
          expect(contains(vpc, block)).toBe(true);
          for (const other of blocks.slice(i + 1)) expect(other && overlaps(block, other)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('each broker IP is unique, usable and inside its own subnet', () => {
    fc.assert(
      fc.property(plans(), (plan) => {
        const ips = plan.brokers.map((b) => b.privateIp);
        expect(new Set(ips).size).toBe(ips.length);
        for (const broker of plan.brokers) {
          const subnet = plan.subnets.find((s) => s.name === broker.subnetName);
          expect(subnet?.azId).toBe(broker.azId);
          const block = parseCidr(subnet?.cidr ?? '');
          if (!block) throw new Error('broker without a subnet');
          expect(isInside(block, broker.privateIp)).toBe(true);
          const value = parseCidr(`${broker.privateIp}/32`)?.first ?? 0n;
          // AWS reserves the first four addresses and the last one of every subnet.
          expect(value - block.first).toBeGreaterThanOrEqual(4n);
          expect(block.last - value).toBeGreaterThanOrEqual(1n);
        }
      }),
      RUNS,
    );
  });

  it('the KRaft quorum is the same on every broker and names only voters', () => {
    fc.assert(
      fc.property(plans(), (plan) => {
        for (const broker of plan.brokers) {
          const props = parseProperties(broker.serverProperties);
          expect(props.get('controller.quorum.voters')).toBe(plan.kafka.controllerQuorumVoters);
          const isVoter = plan.kafka.voterNodeIds.includes(broker.nodeId);
          expect(props.get('process.roles')).toBe(isVoter ? 'broker,controller' : 'broker');
        }
      }),
      RUNS,
    );
  });
});
