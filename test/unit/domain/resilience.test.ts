import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../../cli/main';
import { planCluster } from '../../../functions/lib/domain/plan';
import { topologyWarnings } from '../../../functions/lib/domain/resilience';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

const warningsOf = (spec: Parameters<typeof seedSpec>[0]) =>
  topologyWarnings(planCluster(parseClusterSpec(seedSpec(spec))));

describe('topologyWarnings (what a planned topology cannot survive)', () => {
  it('the seed (3 AZ IDs, a broker each): none', () => {
    expect(warningsOf({})).toEqual([]);
  });

  it('one AZ, one broker: the AZ, the single controller and replication factor 1', () => {
    expect(warningsOf({ azIds: ['usw2-az1'] })).toEqual([
      '1 AZ ID: an outage of that AZ stops the whole cluster; three AZ IDs survive the loss of one',
      '1 KRaft controller (broker 1): while it restarts or if it is lost, no metadata change happens (leader elections included); 3 brokers or more give a quorum of 3',
      '1 broker: replication factor 1, min.insync.replicas 1 — losing the broker loses every partition',
    ]);
  });

  it('two AZ IDs, a broker each: the AZ share, one controller, acks=all on a single copy', () => {
    const warnings = warningsOf({ azIds: ['usw2-az1', 'usw2-az2'] });
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe(
      '2 AZ IDs: an outage of one AZ takes up to 1 of the 2 brokers at once; three AZ IDs survive the loss of one',
    );
    expect(warnings[2]).toContain(
      'replication factor 2, min.insync.replicas 1 — a lost broker leaves acks=all writes on a single copy',
    );
  });

  it('two AZ IDs with two brokers each: three controllers and RF 3, only the AZ warning', () => {
    expect(warningsOf({ azIds: ['usw2-az1', 'usw2-az2'], brokersPerAz: 2 })).toEqual([
      '2 AZ IDs: an outage of one AZ takes up to 2 of the 4 brokers at once; three AZ IDs survive the loss of one',
    ]);
  });

  it('kafka-plc plan prints them on stderr and carries them in the JSON', async () => {
    // Prepare
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/kafka-plc-resilience-`);
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = `${dir}/spec.json`;
    writeFileSync(file, JSON.stringify(seedSpec({ azIds: ['usw2-az1'] })));
    const out: string[] = [];
    const err: string[] = [];
    // Act
    const code = await main(['plan', '--spec', file], {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
    });
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out.join('')).warnings).toHaveLength(3);
    expect(err.join('')).toContain('warning: 1 AZ ID: an outage of that AZ stops the whole cluster');
  });
});
