import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { humanLogLine } from '../../../cli/human-logs';
import { planCluster } from '../../../functions/lib/domain/plan';
import { planMermaid, planTable } from '../../../functions/lib/domain/plan-views';
import { topologySvg } from '../../../functions/lib/domain/topology-svg';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

describe('topology SVG', () => {
  it('draws every listener, every broker in its AZ, and one line per listener target', () => {
    // Prepare
    const plan = planCluster(parseClusterSpec(seedSpec({ brokersPerAz: 2 })));
    // Act
    const svg = topologySvg(plan, { endpointServiceName: 'com.amazonaws.vpce.us-west-2.vpce-svc-1' });
    // Assess
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain(':9092 bootstrap → all');
    for (const b of plan.brokers) {
      expect(svg).toContain(`:${b.nlbPort} → b${b.nodeId}`);
      expect(svg).toContain(`EXTERNAL ${b.externalHost}:${b.nlbPort}`);
    }
    const lines = svg.match(/<line x1="\d+" y1="[\d.]+" x2="800"/g) ?? [];
    expect(lines).toHaveLength(plan.loadBalancer.listeners.reduce((n, l) => n + l.brokerNodeIds.length, 0));
    expect(svg).toContain('vpce-svc-1');
    expect(svg).not.toMatch(/<(?!\/?(svg|defs|marker|path|rect|text|line)\b)/);
  });

  it('escapes text', () => {
    const plan = planCluster(parseClusterSpec(seedSpec()));
    expect(topologySvg(plan, { endpointServiceName: '<x&y>' })).toContain('&lt;x&amp;y&gt;');
  });
});

describe('human log lines', () => {
  it('turns a Powertools JSON record into one readable line and leaves other text alone', () => {
    const line = JSON.stringify({
      level: 'WARN',
      message: 'emulator gap',
      timestamp: 't',
      service: 's',
      operation: 'X',
    });
    expect(humanLogLine(line)).toBe('          ⚠ emulator gap (operation=X)');
    expect(humanLogLine('plain text')).toBeUndefined();
  });
});

describe('views of a two-consumer plan: each listener group shown', () => {
  const shared = planCluster(
    parseClusterSpec(
      JSON.parse(readFileSync(new URL('../../../examples/two-consumers-usw2.json', import.meta.url), 'utf8')),
    ),
  );

  it('the SVG labels each consumer listener and each broker line per group', () => {
    // Act
    const svg = topologySvg(shared);
    // Assess
    expect(svg).toContain('tidb-a :9092 bootstrap → all');
    expect(svg).toContain('tidb-b :9192 bootstrap → all');
    expect(svg).toContain('tidb-b :9195 → b3');
    expect(svg).toContain('EXTERNAL2 b1.usw2-az1.xyz.us-west-2.aws.3199015.tidbcloud.com:9193');
    expect(svg).toContain('NLB targets on :39092, :39192');
  });

  it('Mermaid draws one consumer node per consumer, both into the one service', () => {
    const mermaid = planMermaid(shared);
    expect(mermaid).toContain('consumer["tidb-a · EXTERNAL<br/>arn:aws:iam::123456789012:root"]');
    expect(mermaid).toContain('consumer2["tidb-b · EXTERNAL2<br/>arn:aws:iam::210987654321:root"]');
    expect(mermaid).toContain('consumer2 -->|PrivateLink| service');
    expect(mermaid).toContain('L9192[":9192 bootstrap"]');
  });

  it('the table has a CONSUMER column naming each group', () => {
    const table = planTable(shared);
    expect(table).toContain('CONSUMER            NLB PORT');
    expect(table).toMatch(/tidb-b \(EXTERNAL2\)\s+9193\s+b1\s+39192\s+b1\.usw2-az1\.xyz/);
    expect(table).toContain('Unique name: unique_name for consumer tidb-a');
  });
});
