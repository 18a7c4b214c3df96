import { describe, expect, it } from 'vitest';
import { humanLogLine } from '../../../cli/human-logs';
import { planCluster } from '../../../functions/lib/domain/plan';
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
