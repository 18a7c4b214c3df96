import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { humanLogLine } from '../../../cli/human-logs';
import { type Plan, planCluster } from '../../../functions/lib/domain/plan';
import { planMermaid, planTable } from '../../../functions/lib/domain/plan-views';
import { textWidth, topologySvg } from '../../../functions/lib/domain/topology-svg';
import { type ClusterSpecInput, parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';

/** A real-length endpoint service name: `vpce-svc-` and 17 hex digits. */
const SERVICE_NAME = 'com.amazonaws.vpce.us-west-2.vpce-svc-0123456789abcdef0';

const example = (name: string): ClusterSpecInput =>
  JSON.parse(readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), 'utf8'));
const planOf = (spec: ClusterSpecInput) => planCluster(parseClusterSpec(spec));

/** What `npm start` draws by default: examples/seed-usw2.json. */
const seedPlan = planOf(example('seed-usw2'));

/**
 * Names as long as the spec allows (cluster 32 characters, consumers 16), role ARNs, two CIDRs and a long
 * custom domain; then renamed past the spec's limits (a 48-character cluster, 35-character consumers) to see
 * that the picture does not rely on them.
 */
function longNamesPlan(): Plan {
  const pattern = (az: string) =>
    `<broker_id>.${az}.privatelink-kafka.analytics-reporting.internal.example-corp.com:<port>`;
  const plan = planOf({
    clusterName: 'analytics-production-usw2-kafka1',
    region: 'us-west-2',
    azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
    vpcCidr: '10.0.0.0/16',
    ports: { internal: 9092, controller: 29092 },
    consumers: [
      {
        name: 'tidb-analytics-a',
        principals: ['arn:aws:iam::123456789012:role/tidb-cloud/privatelink/analytics-production-consumer'],
        cidrs: ['10.100.0.0/16', '172.31.128.0/20'],
        ports: { bootstrap: 9092, brokerBase: 9093, external: 39092 },
      },
      {
        name: 'tidb-reporting-b',
        principals: ['arn:aws:iam::210987654321:role/tidb-cloud/privatelink/reporting-consumer-role'],
        cidrs: ['10.200.0.0/16'],
        ports: { bootstrap: 9192, brokerBase: 9193, external: 39192 },
        advertisedListenerPatterns: {
          'usw2-az1': pattern('usw2-az1'),
          'usw2-az2': pattern('usw2-az2'),
          'usw2-az3': pattern('usw2-az3'),
        },
      },
    ],
  } as ClusterSpecInput);
  const rename = (name: string) => `${name}-of-the-data-platform-team`;
  return {
    ...plan,
    clusterName: 'analytics-production-us-west-2-kafka-for-tidb-cdc',
    consumers: plan.consumers.map((c) => ({ ...c, name: rename(c.name) })),
    loadBalancer: {
      ...plan.loadBalancer,
      listeners: plan.loadBalancer.listeners.map((l) => ({ ...l, consumer: rename(l.consumer) })),
    },
    brokers: plan.brokers.map((b) => ({
      ...b,
      externalListeners: b.externalListeners.map((e) => ({ ...e, consumer: rename(e.consumer) })),
    })),
  };
}

/** An existing cluster (expose-existing): brokers where EC2 found them, no public subnet, no NAT gateway. */
function existingPlan(): Plan {
  const broker = (nodeId: number, az: string, subnet: string) => ({
    instanceId: `i-0123456789abcde${String(nodeId).padStart(2, '0')}`,
    nodeId,
    azId: az,
    subnetId: subnet,
    privateIp: `10.20.${nodeId}.25`,
  });
  return planOf(
    seedSpec({
      existing: {
        vpcId: 'vpc-0123456789abcdef0',
        brokers: [
          broker(1, 'usw2-az1', 'subnet-0000000000000001a'),
          broker(2, 'usw2-az2', 'subnet-0000000000000002a'),
          broker(3, 'usw2-az3', 'subnet-0000000000000003a'),
          broker(4, 'usw2-az1', 'subnet-0000000000000001b'),
        ],
      },
    }),
  );
}

/** The plans the geometry must hold for. */
const PLANS: [string, () => Plan][] = [
  ['the seed example', () => seedPlan],
  ['40+ character cluster and consumer names, role ARNs, two CIDRs', longNamesPlan],
  ['9 brokers (3 AZ IDs × 3)', () => planOf({ ...example('seed-usw2'), brokersPerAz: 3 })],
  [
    '12 brokers (3 AZ IDs × 4), two consumers',
    () => planOf({ ...example('two-consumers-usw2'), brokersPerAz: 4 }),
  ],
  [
    '12 brokers (4 AZ IDs × 3)',
    () => planOf(seedSpec({ azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3', 'usw2-az4'], brokersPerAz: 3 })),
  ],
  ['an existing cluster (no public subnet)', existingPlan],
];

interface Box {
  cls: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Text {
  content: string;
  /** The anchor point. */
  x: number;
  y: number;
  /** The estimated extent, by the renderer's own width estimate. */
  box: Box;
}

const attr = (attrs: string, name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];
const num = (attrs: string, name: string) => Number(attr(attrs, name) ?? 0);
const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/**
 * The SVG's rects, texts and lines. A text's extent: its estimated width (from its font size and weight, as
 * the renderer estimates it) left of, around or right of x by its text-anchor, and 0.9 × font size above
 * the baseline to 0.3 × below (ascenders and descenders of the sans-serif fonts, generously).
 */
function parseSvg(svg: string) {
  const viewBox = (/viewBox="0 0 (\d+) (\d+)"/.exec(svg) ?? []).slice(1).map(Number);
  const rects: Box[] = [...svg.matchAll(/<rect ([^>]*)\/>/g)].map(([, a = '']) => ({
    cls: attr(a, 'class') ?? '',
    x: num(a, 'x'),
    y: num(a, 'y'),
    w: num(a, 'width'),
    h: num(a, 'height'),
  }));
  const texts: Text[] = [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map(([, a = '', raw = '']) => {
    const content = unescapeXml(raw);
    const size = num(a, 'font-size');
    const w = textWidth(content, size, attr(a, 'font-weight') === 'bold');
    const x = num(a, 'x');
    const y = num(a, 'y');
    const anchor = attr(a, 'text-anchor') ?? 'start';
    const left = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
    return { content, x, y, box: { cls: 'text', x: left, y: y - 0.9 * size, w, h: 1.2 * size } };
  });
  const lines = [...svg.matchAll(/<line ([^>]*)\/>/g)].map(([, a = '']) => ({
    cls: attr(a, 'class') ?? '',
    x1: num(a, 'x1'),
    y1: num(a, 'y1'),
    x2: num(a, 'x2'),
    y2: num(a, 'y2'),
  }));
  return { width: viewBox[0] ?? 0, height: viewBox[1] ?? 0, rects, texts, lines };
}

const containsPoint = (r: Box, x: number, y: number) =>
  x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
const inside = (a: Box, b: Box) =>
  a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
const disjoint = (a: Box, b: Box) =>
  a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
const area = (r: Box) => r.w * r.h;
const show = (r: Box) => `${r.cls} [${r.x}, ${r.y}, ${r.w} × ${r.h}]`;

/** Every way a text or box of the picture breaks out of where it belongs, as readable lines. */
function layoutProblems(svg: string): string[] {
  const { width, height, rects, texts } = parseSvg(svg);
  const problems: string[] = texts.length < 20 || rects.length < 10 ? ['too few texts or rects parsed'] : [];
  const view: Box = { cls: 'viewBox', x: 0, y: 0, w: width, h: height };
  for (const t of texts) {
    if (!inside(t.box, view)) problems.push(`"${t.content}" leaves the viewBox`);
    // The rect that holds the text: the smallest one containing its anchor point.
    const holder = rects.filter((r) => containsPoint(r, t.x, t.y)).sort((a, b) => area(a) - area(b))[0];
    if (!holder) problems.push(`"${t.content}" is in no rect`);
    else if (!inside(t.box, holder)) problems.push(`"${t.content}" sticks out of ${show(holder)}`);
    // And no other box's edge runs through it.
    for (const r of rects) {
      if (!containsPoint(r, t.x, t.y) && !disjoint(t.box, r))
        problems.push(`"${t.content}" overlaps ${show(r)}`);
    }
  }
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1)) {
      if (!disjoint(a.box, b.box)) problems.push(`"${a.content}" overlaps "${b.content}"`);
    }
  });
  rects.forEach((a, i) => {
    if (!inside(a, view)) problems.push(`${show(a)} leaves the viewBox`);
    for (const b of rects.slice(i + 1)) {
      if (!inside(a, b) && !inside(b, a) && !disjoint(a, b)) problems.push(`${show(a)} overlaps ${show(b)}`);
    }
  });
  return problems;
}

describe('topology SVG', () => {
  it('draws every listener, every broker in its AZ, and one line per listener target', () => {
    // Prepare
    const plan = planCluster(parseClusterSpec(seedSpec({ brokersPerAz: 2 })));
    // Act
    const svg = topologySvg(plan, { endpointServiceName: SERVICE_NAME });
    // Assess
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain(':9092 bootstrap → all');
    for (const b of plan.brokers) {
      expect(svg).toContain(`:${b.nlbPort} → b${b.nodeId}`);
      expect(svg).toContain(`EXTERNAL ${b.externalHost}:${b.nlbPort}`);
    }
    const lines = svg.match(/<line class="(bootstrap|dedicated)"/g) ?? [];
    expect(lines).toHaveLength(plan.loadBalancer.listeners.reduce((n, l) => n + l.brokerNodeIds.length, 0));
    expect(svg).toContain(SERVICE_NAME);
    expect(svg).not.toMatch(/<(?!\/?(svg|title|defs|marker|path|rect|text|line)\b)/);
  });

  it("each broker's own listener line runs from inside the NLB to that broker's box", () => {
    // Prepare
    const plan = planOf({ ...example('two-consumers-usw2'), brokersPerAz: 2 });
    // Act
    const { rects, texts, lines } = parseSvg(topologySvg(plan));
    // Assess
    const nlb = rects.find((r) => r.cls === 'nlb');
    const brokerBox = (nodeId: number) => {
      const label = texts.find((t) => t.content.startsWith(`b${nodeId} · `));
      return rects.find((r) => r.cls === 'broker' && label && containsPoint(r, label.x, label.y));
    };
    const dedicated = lines.filter((l) => l.cls === 'dedicated');
    expect(dedicated).toHaveLength(plan.consumers.length * plan.brokers.length);
    for (const listener of plan.loadBalancer.listeners.filter((l) => l.role === 'broker')) {
      const row = texts.find(
        (t) => t.content === `${listener.consumer} :${listener.port} → b${listener.brokerNodeIds[0]}`,
      );
      const target = brokerBox(listener.brokerNodeIds[0] ?? 0);
      expect(row && target && nlb).toBeTruthy();
      const line = dedicated.find(
        (l) => row && Math.abs(l.y1 - (row.y - 4)) <= 8 && target && containsPoint(target, l.x2, l.y2),
      );
      expect(line, `line of ${listener.consumer} :${listener.port}`).toBeDefined();
      expect(nlb && line && containsPoint(nlb, line.x1, line.y1)).toBe(true);
    }
  });

  it('escapes text', () => {
    const plan = planCluster(parseClusterSpec(seedSpec()));
    expect(topologySvg(plan, { endpointServiceName: '<x&y>' })).toContain('&lt;x&amp;y&gt;');
  });

  it('matches the golden SVG of the seed example (test/fixtures/topology-svg/seed.svg)', () => {
    // Prepare
    // After an intended change of the picture: UPDATE_GOLDEN=1 npx vitest run test/unit/domain/topology-svg.test.ts
    // rewrites the file; look at it (and at a PNG of it) before committing.
    const golden = new URL('../../fixtures/topology-svg/seed.svg', import.meta.url);
    // Act
    const svg = topologySvg(seedPlan, { endpointServiceName: SERVICE_NAME });
    // Assess
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, svg);
    expect(svg).toBe(readFileSync(golden, 'utf8'));
  });

  it('is deterministic: the same plan gives the same bytes', () => {
    expect(topologySvg(longNamesPlan(), { endpointServiceName: SERVICE_NAME })).toBe(
      topologySvg(longNamesPlan(), { endpointServiceName: SERVICE_NAME }),
    );
  });

  it('shows the legend, each consumer and its CIDRs, the allowed principals and both security groups', () => {
    // Prepare
    const plan = longNamesPlan();
    // Act
    const svg = topologySvg(plan, { endpointServiceName: SERVICE_NAME });
    // Assess
    const texts = parseSvg(svg).texts.map((t) => t.content);
    expect(texts).toContain('Legend');
    for (const entry of [
      'consumer (TiDB Cloud',
      'VPC endpoint service',
      'internal NLB',
      'Kafka broker',
      'security group: ',
      'public subnet: ',
    ]) {
      expect(texts.some((t) => t.startsWith(entry))).toBe(true);
    }
    for (const c of plan.consumers) {
      expect(texts).toContain(`Consumer ${c.name} (TiDB Cloud)`);
      for (const cidr of c.cidrs) {
        expect(texts).toContain(`allowed CIDR ${cidr}`);
        expect(texts.some((t) => t.startsWith('in: TCP ') && t.includes(` from ${cidr} (${c.name})`))).toBe(
          true,
        );
      }
    }
    for (const principal of plan.endpointService.allowedPrincipals) {
      expect(texts).toContain(`allowed principal ${principal}`);
    }
    expect(texts).toContain(`security group ${plan.clusterName}-nlb`);
    expect(texts).toContain(`security group ${plan.clusterName}-brokers`);
    expect(texts).toContain(`in: TCP 39092 (EXTERNAL) from ${plan.clusterName}-nlb only`);
    expect(texts).toContain(`in: TCP 39192 (EXTERNAL2) from ${plan.clusterName}-nlb only`);
    expect(texts).toContain('in: TCP 9092 (INTERNAL), 29092 (CONTROLLER) from VPC 10.0.0.0/16');
  });

  it('the seed: its CIDR on the NLB group, the port ranges, and the planned public subnet with the NAT gateway', () => {
    // Act
    const svg = topologySvg(seedPlan, { endpointServiceName: SERVICE_NAME });
    // Assess
    const texts = parseSvg(svg).texts.map((t) => t.content);
    expect(texts).toContain('Consumer (TiDB Cloud)');
    expect(texts).toContain('allowed CIDR 10.100.0.0/16');
    expect(texts).toContain('in: TCP 9092–9095 from 10.100.0.0/16');
    expect(texts).toContain('security group seed-usw2-nlb');
    expect(texts).toContain('security group seed-usw2-brokers');
    expect(texts).toContain('public subnet · 10.0.192.0/18');
    expect(texts).toContain('NAT gateway');
    expect(svg).toContain('<rect class="public-subnet"');
    expect(svg).toContain('<line class="egress"');
  });

  it('an existing cluster: no NAT gateway nor public subnet, its brokers get <cluster>-broker-external', () => {
    // Act
    const svg = topologySvg(existingPlan());
    // Assess
    const texts = parseSvg(svg).texts.map((t) => t.content);
    expect(texts).not.toContain('NAT gateway');
    expect(texts.some((t) => t.startsWith('public subnet'))).toBe(false);
    expect(svg).not.toContain('class="egress"');
    expect(texts).toContain('security group seed-usw2-broker-external');
    expect(texts).toContain('existing VPC · us-west-2');
    expect(texts[0]).toBe('kafka-plc · seed-usw2 · us-west-2 · existing VPC · NLB targets on :39092');
    expect(texts).toContain('usw2-az1 · subnet-0000000000000001b');
  });

  it.each(PLANS)(
    '%s: every text inside its box and the viewBox, no boxes or texts overlapping',
    (_, plan) => {
      // Act
      const svg = topologySvg(plan(), { endpointServiceName: SERVICE_NAME });
      // Assess
      expect(layoutProblems(svg)).toEqual([]);
      const { rects } = parseSvg(svg);
      const brokers = rects.filter((r) => r.cls === 'broker');
      expect(brokers).toHaveLength(plan().brokers.length);
      brokers.forEach((a, i) => {
        for (const b of brokers.slice(i + 1)) expect(disjoint(a, b), `${show(a)} and ${show(b)}`).toBe(true);
      });
    },
  );

  it('the layout check finds a box too narrow for its text', () => {
    // Prepare: the seed, with the endpoint service box 40 px narrower than drawn
    const svg = topologySvg(seedPlan, { endpointServiceName: SERVICE_NAME }).replace(
      /(<rect class="service" x="\d+" y="\d+" width=")(\d+)/,
      (_, head: string, w: string) => `${head}${Number(w) - 40}`,
    );
    // Act
    const problems = layoutProblems(svg);
    // Assess
    expect(problems.some((p) => p.startsWith(`"${SERVICE_NAME}" sticks out of service`))).toBe(true);
  });

  it('estimates text widths on the wide side: the 17-hex service name, capitals, bold', () => {
    // Helvetica's widest lower-case letters and digits are 0.556 em, DejaVu Sans' 0.636 em.
    expect(textWidth(SERVICE_NAME, 11)).toBeGreaterThan(SERVICE_NAME.length * 0.56 * 11);
    expect(textWidth('EXTERNAL', 11)).toBeGreaterThan(textWidth('external', 11));
    expect(textWidth('b1 · 10.0.0.10', 13, true)).toBeGreaterThan(textWidth('b1 · 10.0.0.10', 13));
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
