import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listenerActions, staleLoadBalancerParts } from '../../../functions/lib/domain/converge';
import { planCluster } from '../../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../../functions/lib/spec';

const shared = JSON.parse(
  readFileSync(new URL('../../../examples/two-consumers-usw2.json', import.meta.url), 'utf8'),
);
const firstOnly = planCluster(parseClusterSpec({ ...shared, consumers: shared.consumers.slice(0, 1) }));
const both = planCluster(parseClusterSpec(shared));

/** The NLB as provisioning left it for both consumers: listener port → its target group. */
function provisioned(ours = true) {
  const listeners = both.loadBalancer.listeners.map((l) => ({
    arn: `listener-${l.port}`,
    port: l.port,
    targetGroupArn: `tg-${l.targetGroupName}`,
    ours,
  }));
  const targetGroups = both.loadBalancer.listeners.map((l) => ({
    arn: `tg-${l.targetGroupName}`,
    name: l.targetGroupName,
    ours,
  }));
  return { listeners, targetGroups };
}

describe('staleLoadBalancerParts (a consumer removed)', () => {
  it("removes exactly the removed consumer's listeners and target groups", () => {
    // Prepare
    const { listeners, targetGroups } = provisioned();
    // Act
    const stale = staleLoadBalancerParts(firstOnly, listeners, targetGroups);
    // Assess
    expect(stale.listeners.map((l) => l.port)).toEqual([9192, 9193, 9194, 9195]);
    expect(stale.targetGroups.map((g) => g.name)).toEqual([
      'shared-usw2-tidb-b-bootstrap',
      'shared-usw2-tidb-b-b1',
      'shared-usw2-tidb-b-b2',
      'shared-usw2-tidb-b-b3',
    ]);
    expect(stale.foreign).toEqual([]);
  });

  it('removes nothing when the plan has everything', () => {
    const { listeners, targetGroups } = provisioned();
    expect(staleLoadBalancerParts(both, listeners, targetGroups)).toEqual({
      listeners: [],
      targetGroups: [],
      foreign: [],
    });
  });

  it('keeps and reports a listener kafka-plc did not create, and the target group it still uses', () => {
    // Prepare: the same ports, but nothing tagged as the cluster's
    const { listeners, targetGroups } = provisioned(false);
    // Act
    const stale = staleLoadBalancerParts(firstOnly, listeners, targetGroups);
    // Assess
    expect(stale.listeners).toEqual([]);
    expect(stale.targetGroups).toEqual([]);
    expect(stale.foreign).toEqual([9192, 9193, 9194, 9195]);
  });

  it("keeps a cluster target group that someone's listener still forwards to", () => {
    // Prepare: the user pointed their own listener (port 9300) at tidb-b's bootstrap group
    const { listeners, targetGroups } = provisioned();
    listeners.push({
      arn: 'listener-9300',
      port: 9300,
      targetGroupArn: 'tg-shared-usw2-tidb-b-bootstrap',
      ours: false,
    });
    // Act
    const stale = staleLoadBalancerParts(firstOnly, listeners, targetGroups);
    // Assess
    expect(stale.targetGroups.map((g) => g.name)).not.toContain('shared-usw2-tidb-b-bootstrap');
    expect(stale.targetGroups).toHaveLength(3);
    expect(stale.foreign).toEqual([9300]);
  });
});

describe('listenerActions (a consumer added)', () => {
  it("creates only the new consumer's listeners", () => {
    // Prepare
    const existing = firstOnly.loadBalancer.listeners.map((l) => ({
      arn: `listener-${l.port}`,
      port: l.port,
      targetGroupArn: `tg-${l.targetGroupName}`,
    }));
    const arns = Object.fromEntries(
      both.loadBalancer.listeners.map((l) => [l.targetGroupName, `tg-${l.targetGroupName}`]),
    );
    // Act
    const actions = listenerActions(both, arns, existing);
    // Assess
    expect(actions.create.map((c) => c.port)).toEqual([9192, 9193, 9194, 9195]);
    expect(actions.repoint).toEqual([]);
  });
});
