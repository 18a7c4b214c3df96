/**
 * The topology as an SVG a person can open (`npm start` writes out/topology.svg): consumer → endpoint
 * service → NLB listeners → brokers, grouped per AZ ID inside the brokers' security group, with the NLB's
 * security group, the public subnet's NAT gateway (when planned) and a legend. Pure and deterministic;
 * generated from the plan, so the picture is the port map the NLB gets.
 *
 * Every box is sized to its text: `textWidth` estimates a line's width from its font size, on the wide side
 * (the fallback sans-serif of a machine without Helvetica is wider than Helvetica), so names of any length
 * (a `vpce-svc-` ID of 17 hex digits, a 32-character cluster name, a role ARN) stay inside their boxes, and
 * the SVG's size follows the boxes. Brokers are stacked per AZ ID, so 12 or 49 brokers grow the picture
 * downwards; the lines from the NLB's listeners reach each broker's left edge without crossing a box.
 */
import type { Plan } from './plan';

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';

/** Bold glyphs are up to ~10% wider than regular ones (DejaVu Sans Bold, Helvetica Bold). */
export const BOLD_FACTOR = 1.12;
const NARROW = new Set([..." .,:;'|!()[]/-ijl·"]);
const WIDE = new Set([...'MWmw@%#<>=+~&']);

/**
 * An upper estimate of a line's width in px, per character in em: narrow punctuation and i/j/l 0.42,
 * M W m w and symbols 1, other capitals 0.8, other ASCII 0.64 (DejaVu Sans' lower case and digits are
 * ≤ 0.636 em, Helvetica's ≤ 0.556 em), anything else (→, –) 1; bold ×1.12.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (NARROW.has(ch)) em += 0.42;
    else if (WIDE.has(ch)) em += 1;
    else if (ch >= 'A' && ch <= 'Z') em += 0.8;
    else if (ch.charCodeAt(0) < 128) em += 0.64;
    else em += 1;
  }
  return em * fontSize * (bold ? BOLD_FACTOR : 1);
}

interface Line {
  text: string;
  size: number;
  bold?: boolean;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const heading = (text: string, size = 13): Line => ({ text, size, bold: true });
const detail = (text: string, size = 11): Line => ({ text, size });

/** A block of lines: 6 px above the first line's cap, 4 px between lines, 8 px below the last baseline. */
const PAD_TOP = 6;
const LINE_GAP = 4;
const PAD_BOTTOM = 8;
/** Room left and right of the widest line in a box. */
const PAD_X = 12;
/** The inset of a box inside the outline around it. */
const INSET = 12;

const blockHeight = (lines: Line[]) =>
  PAD_TOP + lines.reduce((h, l) => h + l.size, 0) + LINE_GAP * (lines.length - 1) + PAD_BOTTOM;

const blockWidth = (lines: Line[]) =>
  Math.ceil(Math.max(0, ...lines.map((l) => textWidth(l.text, l.size, l.bold))));

function baselines(top: number, lines: Line[]): number[] {
  let y = top + PAD_TOP;
  return lines.map((l, i) => {
    y += (i === 0 ? 0 : LINE_GAP) + l.size;
    return y;
  });
}

function text(x: number, y: number, line: Line, anchor: 'start' | 'middle', fill?: string): string {
  return (
    `<text x="${x}" y="${y}"${anchor === 'middle' ? ' text-anchor="middle"' : ''} font-size="${line.size}"` +
    `${line.bold ? ' font-weight="bold"' : ''}${fill ? ` fill="${fill}"` : ''}>${esc(line.text)}</text>`
  );
}

/** Lines stacked from `top`, centred on `cx` or starting at `x`. */
function textLines(x: number, top: number, lines: Line[], anchor: 'start' | 'middle'): string {
  const ys = baselines(top, lines);
  return lines.map((line, i) => text(x, ys[i] ?? top, line, anchor)).join('');
}

interface Style {
  fill: string;
  stroke: string;
  dash?: string;
  rx: number;
}

const STYLES = {
  consumer: { fill: '#e8f0fe', stroke: '#333', rx: 6 },
  service: { fill: '#fef7e0', stroke: '#333', rx: 6 },
  nlb: { fill: '#e6f4ea', stroke: '#333', rx: 6 },
  listener: { fill: '#fff', stroke: '#8a8', rx: 3 },
  broker: { fill: '#fff', stroke: '#333', rx: 6 },
  subnet: { fill: '#f8f9fa', stroke: '#999', dash: '4 3', rx: 8 },
  sg: { fill: 'none', stroke: '#d93025', dash: '7 4', rx: 10 },
  vpc: { fill: 'none', stroke: '#5f6368', rx: 12 },
  'public-subnet': { fill: '#f3e8fd', stroke: '#9334e6', dash: '4 3', rx: 8 },
  nat: { fill: '#fff', stroke: '#9334e6', rx: 6 },
  legend: { fill: '#fff', stroke: '#bbb', rx: 6 },
} satisfies Record<string, Style>;

type Kind = keyof typeof STYLES;

function rect(r: Rect, kind: Kind, cls: string = kind): string {
  const s: Style = STYLES[kind];
  const rx = Math.min(s.rx, r.h / 4);
  return (
    `<rect class="${cls}" x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="${rx}" fill="${s.fill}" ` +
    `stroke="${s.stroke}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`
  );
}

/** A box sized to its lines (at least `minW` wide), its lines centred. */
function box(x: number, y: number, lines: Line[], kind: Kind, minW = 0): Rect & { svg: string } {
  const r = { x, y, w: Math.max(minW, blockWidth(lines) + 2 * PAD_X), h: blockHeight(lines) };
  return { ...r, svg: rect(r, kind) + textLines(r.x + r.w / 2, r.y, lines, 'middle') };
}

interface LineStyle {
  stroke: string;
  width: number;
  dash?: string;
  marker: string;
}

const LINE_STYLES = {
  flow: { stroke: '#666', width: 1.2, marker: 'arrow' },
  bootstrap: { stroke: '#bbb', width: 1, marker: 'arrow-light' },
  dedicated: { stroke: '#1a73e8', width: 1.5, marker: 'arrow-blue' },
  egress: { stroke: '#9334e6', width: 1.2, dash: '3 3', marker: 'arrow-purple' },
} satisfies Record<string, LineStyle>;

type LineKind = keyof typeof LINE_STYLES;

function arrow(kind: LineKind, x1: number, y1: number, x2: number, y2: number, cls: string = kind): string {
  const s: LineStyle = LINE_STYLES[kind];
  return (
    `<line class="${cls}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${s.stroke}" stroke-width="${s.width}"` +
    `${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} marker-end="url(#${s.marker})"/>`
  );
}

const MARKERS = Object.values(LINE_STYLES)
  .map(
    (s) =>
      `<marker id="${s.marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${s.stroke === '#bbb' ? '#999' : s.stroke}"/></marker>`,
  )
  .join('');

/** Contiguous port ranges as text: [9092, 9093, 9094, 9100] → "9092–9094, 9100". */
function portRangesText(ports: number[]): string {
  const ranges: [number, number][] = [];
  for (const port of [...new Set(ports)].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && port === last[1] + 1) last[1] = port;
    else ranges.push([port, port]);
  }
  return ranges.map(([from, to]) => (from === to ? `${from}` : `${from}–${to}`)).join(', ');
}

const bottom = (r: Rect) => r.y + r.h;
const right = (r: Rect) => r.x + r.w;

/** Vertical room per listener row in the NLB box, and the row's white rectangle inside it. */
const ROW_H = 24;
/** Horizontal room between the NLB's and the brokers' security groups, for the listener → broker lines. */
const LINES_GAP = 110;
/** Margin around the whole picture. */
const MARGIN = 20;

export function topologySvg(plan: Plan, extra: { endpointServiceName?: string } = {}): string {
  const cluster = plan.clusterName;
  const several = plan.consumers.length > 1;
  const publicSubnet = plan.subnets.find((s) => s.public);
  // Only a new cluster's plan has the public subnet (NAT gateway); an existing cluster's brokers keep their
  // own groups and get kafka-plc's `<cluster>-broker-external` next to them (steps/existing.ts).
  const existing = publicSubnet === undefined;
  const listeners = plan.loadBalancer.listeners;
  const parts: string[] = [];

  const targetPorts = [...new Set(plan.consumers.map((c) => c.targetPort))].join(', :');
  const title = heading(
    `kafka-plc · ${cluster} · ${plan.region} · ${existing ? 'existing VPC' : `VPC ${plan.vpc.cidr}`} · NLB targets on :${targetPorts}`,
    15,
  );
  const top = 48;

  // The VPC, its two security group outlines and what is inside them: the sizes first, positions after.
  const vpcLabel = heading(
    existing ? `existing VPC · ${plan.region}` : `VPC ${plan.vpc.cidr} · ${plan.region}`,
    12,
  );
  const nlbSgLines = [
    heading(`security group ${cluster}-nlb`, 12),
    ...plan.consumers.flatMap((c) => {
      const ports = portRangesText(listeners.filter((l) => l.consumer === c.name).map((l) => l.port));
      return c.cidrs.map((cidr) => detail(`in: TCP ${ports} from ${cidr}${several ? ` (${c.name})` : ''}`));
    }),
  ];
  const brokerSgLines = [
    heading(`security group ${cluster}-${existing ? 'broker-external' : 'brokers'}`, 12),
    ...plan.consumers.map((c) =>
      detail(`in: TCP ${c.targetPort} (${c.listenerName}) from ${cluster}-nlb only`),
    ),
    existing
      ? detail("added next to the brokers' own security groups")
      : detail(
          `in: TCP ${plan.kafka.ports.internal} (INTERNAL), ${plan.kafka.ports.controller} (CONTROLLER) from VPC ${plan.vpc.cidr}`,
        ),
  ];
  const sgLabelH = Math.max(blockHeight(nlbSgLines), blockHeight(brokerSgLines));

  const nlbHeader = [heading(`NLB ${plan.loadBalancer.name}`), detail('internal · cross-zone off')];
  const listenerLabel = (l: (typeof listeners)[number]) =>
    (several ? `${l.consumer} ` : '') +
    (l.role === 'bootstrap' ? `:${l.port} bootstrap → all` : `:${l.port} → b${l.brokerNodeIds[0]}`);
  const rowLines = listeners.map((l) => detail(listenerLabel(l)));
  const nlbW = Math.max(blockWidth(nlbHeader), blockWidth(rowLines) + 2 * PAD_X) + 2 * PAD_X;
  const nlbH = blockHeight(nlbHeader) + listeners.length * ROW_H + 8;
  const nlbSgW = Math.max(nlbW, blockWidth(nlbSgLines)) + 2 * INSET;

  const brokerLines = new Map(
    plan.brokers.map((b) => [
      b.nodeId,
      [
        heading(`${b.name} · ${b.privateIp} · ${b.processRoles.join('+')}`),
        ...b.externalListeners.map((e) => detail(`${e.name} ${e.host}:${e.port}`)),
      ],
    ]),
  );
  const brokerW = Math.max(...[...brokerLines.values()].map(blockWidth)) + 2 * PAD_X;
  const brokerH = Math.max(...[...brokerLines.values()].map(blockHeight));
  const azs = plan.subnets
    .filter((s) => !s.public)
    .map((subnet) => ({
      label: heading([subnet.azId ?? 'any AZ', subnet.name, subnet.cidr].filter(Boolean).join(' · '), 12),
      brokers: plan.brokers.filter((b) => b.subnetName === subnet.name),
    }));
  const azW = Math.max(brokerW + 2 * INSET, ...azs.map((az) => blockWidth([az.label]) + 2 * INSET));
  // Labels inside the brokers' group start where the broker boxes do: the lines from the NLB end at the
  // brokers' left edges, so they never cross a label.
  const brokerSgW = Math.max(azW + 2 * INSET, 2 * INSET + blockWidth(brokerSgLines) + INSET);

  // Column 1 and 2: consumers and the endpoint service; the VPC starts right of them.
  const consumerLines = plan.consumers.map((c) => [
    heading(several ? `Consumer ${c.name} (TiDB Cloud)` : 'Consumer (TiDB Cloud)'),
    ...c.principals.map((p) => detail(`principal ${p}`)),
    ...c.cidrs.map((cidr) => detail(`allowed CIDR ${cidr}`)),
    detail(
      `listener ${c.listenerName} · NLB :${c.bootstrapPort} bootstrap, :${c.brokerPorts[0]}–${c.brokerPorts[1]} brokers`,
    ),
  ]);
  const consumerW = Math.max(...consumerLines.map(blockWidth)) + 2 * PAD_X;
  const serviceLines = [
    heading('VPC endpoint service'),
    detail(extra.endpointServiceName ?? '(name after provisioning)'),
    detail('acceptance required · private DNS off'),
    ...plan.endpointService.allowedPrincipals.map((p) => detail(`allowed principal ${p}`)),
  ];
  const privateLink = detail('PrivateLink', 10);
  const gap12 = Math.max(60, Math.ceil(textWidth(privateLink.text, privateLink.size)) + 24);
  const serviceX = MARGIN + consumerW + gap12;
  const serviceW = blockWidth(serviceLines) + 2 * PAD_X;
  const vpcX = serviceX + serviceW + 50;

  // The VPC's outlines, top-aligned; their boxes start below the taller of the two groups' labels.
  const sgY = top + 32;
  const contentY = sgY + sgLabelH + 4;
  const nlbSg = { x: vpcX + INSET, y: sgY, w: nlbSgW, h: 0 };
  const nlb = { x: nlbSg.x + INSET, y: contentY, w: nlbW, h: nlbH };
  nlbSg.h = bottom(nlb) + INSET - sgY;
  const brokerSg = { x: right(nlbSg) + LINES_GAP, y: sgY, w: brokerSgW, h: 0 };
  const brokerX = brokerSg.x + 2 * INSET;

  parts.push(rect(nlbSg, 'sg') + textLines(nlb.x, sgY, nlbSgLines, 'start'));
  parts.push(rect(nlb, 'nlb') + textLines(nlb.x + nlb.w / 2, nlb.y, nlbHeader, 'middle'));
  const listenerY = new Map<PlannedListenerKey, number>();
  listeners.forEach((l, i) => {
    const y = nlb.y + blockHeight(nlbHeader) + i * ROW_H;
    listenerY.set(key(l.consumer, l.port), y + ROW_H / 2);
    const line = rowLines[i] ?? detail('');
    parts.push(
      rect({ x: nlb.x + 10, y: y + 2, w: nlb.w - 20, h: ROW_H - 4 }, 'listener') +
        text(nlb.x + nlb.w / 2, y + 16, line, 'middle'),
    );
  });

  // Where each consumer's lines reach a broker: the middle of that consumer's listener line in its box.
  const brokerEnd = new Map<PlannedListenerKey, { x: number; y: number }>();
  const inBrokerSg: string[] = [];
  let azY = contentY;
  for (const az of azs) {
    const h = 28 + az.brokers.length * (brokerH + 8) + 4;
    inBrokerSg.push(
      rect({ x: brokerSg.x + INSET, y: azY, w: azW, h }, 'subnet') +
        text(brokerX, azY + 19, az.label, 'start'),
    );
    az.brokers.forEach((b, j) => {
      const y = azY + 28 + j * (brokerH + 8);
      const lines = brokerLines.get(b.nodeId) ?? [];
      const ys = baselines(y, lines);
      b.externalListeners.forEach((e, k) => {
        brokerEnd.set(key(e.consumer, b.nodeId), { x: brokerX, y: (ys[k + 1] ?? y) - 4 });
      });
      inBrokerSg.push(
        rect({ x: brokerX, y, w: brokerW, h: brokerH }, 'broker') +
          textLines(brokerX + brokerW / 2, y, lines, 'middle'),
      );
    });
    azY += h + 12;
  }
  const lastAzBottom = azY - 12;
  brokerSg.h = lastAzBottom + INSET - sgY;
  parts.push(rect(brokerSg, 'sg') + textLines(brokerX, sgY, brokerSgLines, 'start'), ...inBrokerSg);

  for (const l of listeners) {
    const fromY = listenerY.get(key(l.consumer, l.port));
    for (const nodeId of l.brokerNodeIds) {
      const to = brokerEnd.get(key(l.consumer, nodeId));
      if (to && fromY !== undefined) {
        parts.push(
          arrow(l.role === 'bootstrap' ? 'bootstrap' : 'dedicated', right(nlb) - 10, fromY, to.x, to.y),
        );
      }
    }
  }

  // The public subnet under the brokers' group: the NAT gateway their default route goes through.
  let vpcRight = right(brokerSg);
  let vpcBottom = Math.max(bottom(nlbSg), bottom(brokerSg));
  if (publicSubnet) {
    const pubLabel = heading(`public subnet · ${publicSubnet.cidr}`, 12);
    const natLines = [
      heading('NAT gateway'),
      detail('Elastic IP · route to the internet gateway'),
      detail("the brokers' outbound traffic only"),
    ];
    const pubY = bottom(brokerSg) + 36;
    const laneX = brokerSg.x + 2 * INSET;
    const labelX = laneX + 16;
    const nat = box(brokerSg.x + INSET, pubY + 28, natLines, 'nat');
    const pub = {
      x: brokerSg.x,
      y: pubY,
      w: Math.max(nat.w + 2 * INSET, labelX - brokerSg.x + blockWidth([pubLabel]) + INSET),
      h: 28 + nat.h + INSET,
    };
    parts.push(rect(pub, 'public-subnet') + text(labelX, pubY + 19, pubLabel, 'start') + nat.svg);
    const egress = detail('outbound (0.0.0.0/0)', 10);
    parts.push(
      arrow('egress', laneX, lastAzBottom, laneX, nat.y) +
        text(laneX + 8, bottom(brokerSg) + 22, egress, 'start', '#9334e6'),
    );
    vpcRight = Math.max(vpcRight, right(pub), laneX + 8 + Math.ceil(textWidth(egress.text, egress.size)));
    vpcBottom = Math.max(vpcBottom, bottom(pub));
  }
  const vpc = {
    x: vpcX,
    y: top,
    w: Math.max(vpcRight + INSET - vpcX, blockWidth([vpcLabel]) + 2 * INSET),
    h: vpcBottom + INSET - top,
  };
  parts.unshift(rect(vpc, 'vpc') + text(vpcX + INSET, top + 20, vpcLabel, 'start'));

  // The endpoint service level with the NLB's header, the consumers level with the service where they can.
  const arrowY = nlb.y + 20;
  const serviceH = blockHeight(serviceLines);
  const service = box(serviceX, Math.max(top, arrowY - serviceH / 2), serviceLines, 'service');
  const clampToService = (y: number) => Math.min(Math.max(y, service.y + 10), bottom(service) - 10);
  const serviceOutY = clampToService(arrowY);
  parts.push(service.svg, arrow('flow', right(service), serviceOutY, nlb.x, arrowY));
  const stackH =
    consumerLines.reduce((h, lines) => h + blockHeight(lines), 0) + 16 * (consumerLines.length - 1);
  let consumerY = Math.max(top, serviceOutY - stackH / 2);
  let columnsBottom = bottom(service);
  consumerLines.forEach((lines, i) => {
    const c = box(MARGIN, consumerY, lines, 'consumer', consumerW);
    const y1 = c.y + c.h / 2;
    const y2 = clampToService(y1);
    parts.push(c.svg, arrow('flow', right(c), y1, service.x, y2));
    if (i === 0)
      parts.push(text((right(c) + service.x) / 2, Math.min(y1, y2) - 5, privateLink, 'middle', '#555'));
    consumerY = bottom(c) + 16;
    columnsBottom = Math.max(columnsBottom, bottom(c));
  });

  // The legend: under the consumers and the service when it fits left of the VPC, else under everything.
  const legendRows: { swatch: Kind | LineKind; label: string }[] = [
    { swatch: 'consumer', label: "consumer (TiDB Cloud's side): its principal, allowed CIDRs and listener" },
    {
      swatch: 'service',
      label: 'VPC endpoint service (PrivateLink): each connection request needs acceptance',
    },
    {
      swatch: 'nlb',
      label: 'internal NLB; white rows are its listeners: NLB port → the broker(s) behind it',
    },
    {
      swatch: 'broker',
      label: 'Kafka broker: node, private IP, KRaft roles; the name and port it advertises',
    },
    {
      swatch: 'subnet',
      label: existing
        ? 'a broker subnet: its AZ ID and subnet ID, as EC2 found them'
        : 'broker subnet (private), one per AZ ID',
    },
    { swatch: 'sg', label: 'security group: the traffic it lets in' },
    { swatch: 'vpc', label: existing ? 'the existing VPC' : 'the VPC kafka-plc builds' },
    ...(publicSubnet
      ? [
          {
            swatch: 'public-subnet' as const,
            label: "public subnet: the NAT gateway for the brokers' outbound traffic",
          },
        ]
      : []),
    { swatch: 'flow', label: "the consumer's traffic (PrivateLink): its endpoint → endpoint service → NLB" },
    { swatch: 'dedicated', label: "a broker's own listener → that broker (the port it advertises)" },
    { swatch: 'bootstrap', label: 'bootstrap listener → every broker' },
    ...(publicSubnet
      ? [{ swatch: 'egress' as const, label: 'outbound only: brokers → NAT gateway → internet' }]
      : []),
  ];
  const legendTitle = heading('Legend', 12);
  const legendRowLines = legendRows.map((r) => detail(r.label));
  const legendW = Math.max(blockWidth([legendTitle]) + 2 * PAD_X, 44 + blockWidth(legendRowLines) + PAD_X);
  const legendH = 30 + legendRows.length * 20 + 6;
  const fitsLeft = MARGIN + legendW + 30 <= vpcX;
  const legend = {
    x: MARGIN,
    y: fitsLeft ? columnsBottom + 30 : Math.max(columnsBottom, bottom(vpc)) + 30,
    w: legendW,
    h: legendH,
  };
  parts.push(rect(legend, 'legend') + text(legend.x + PAD_X, legend.y + 20, legendTitle, 'start'));
  legendRows.forEach((row, i) => {
    const y = legend.y + 30 + i * 20;
    const swatch =
      row.swatch in LINE_STYLES
        ? arrow(row.swatch as LineKind, legend.x + 12, y + 10, legend.x + 34, y + 10, 'swatch')
        : rect({ x: legend.x + 12, y: y + 3, w: 22, h: 14 }, row.swatch as Kind, 'swatch');
    parts.push(swatch + text(legend.x + 44, y + 14, legendRowLines[i] ?? detail(''), 'start'));
  });

  const width = Math.ceil(
    Math.max(right(vpc), right(legend), MARGIN + textWidth(title.text, title.size, true)) + MARGIN,
  );
  const height = Math.ceil(Math.max(bottom(vpc), bottom(legend), columnsBottom) + MARGIN);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    // An accessible name (screen readers, and the tooltip of a browser tab).
    `<title>${esc(title.text)}</title>`,
    `<defs>${MARKERS}</defs>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(MARGIN, 28, title, 'start'),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

type PlannedListenerKey = string;
const key = (consumer: string, n: number): PlannedListenerKey => `${consumer}:${n}`;
