/**
 * The topology as an SVG a person can open: consumer → endpoint service → NLB listeners → brokers, one
 * column per AZ ID. Pure; generated from the plan, so the picture is the port map the NLB gets.
 */
import type { Plan } from './plan';

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function box(b: Box, lines: string[], fill: string): string {
  const text = lines
    .map(
      (line, i) =>
        `<text x="${b.x + b.w / 2}" y="${b.y + 18 + i * 15}" text-anchor="middle" font-size="${i === 0 ? 13 : 11}"${i === 0 ? ' font-weight="bold"' : ''}>${esc(line)}</text>`,
    )
    .join('');
  return `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="${fill}" stroke="#333"/>${text}`;
}

function arrow(x1: number, y1: number, x2: number, y2: number, label?: string): string {
  const mid = label
    ? `<text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 4}" font-size="10" text-anchor="middle" fill="#555">${esc(label)}</text>`
    : '';
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#666" marker-end="url(#arrow)"/>${mid}`;
}

export function topologySvg(plan: Plan, extra: { endpointServiceName?: string } = {}): string {
  const rowH = 26;
  const listeners = plan.loadBalancer.listeners;
  const azs = plan.subnets.filter((s) => !s.public);
  // A line per consumer's listener under the broker's name.
  const brokerH = 29 + 15 * plan.consumers.length;
  const several = plan.consumers.length > 1;
  const azX = 790;
  const azW = 440;
  const nlbH = 44 + listeners.length * rowH;
  const parts: string[] = [];
  const consumer = { x: 20, y: 80, w: 240, h: 72 };
  const service = { x: 290, y: 80, w: 270, h: 72 };
  const nlb = { x: 590, y: 40, w: 170, h: nlbH };
  parts.push(
    box(
      consumer,
      several
        ? [
            'Consumers (TiDB Cloud)',
            ...plan.consumers.slice(0, 3).map((c) => `${c.name} · ${c.listenerName}`),
          ]
        : ['Consumer (TiDB Cloud)', ...plan.endpointService.allowedPrincipals.slice(0, 2)],
      '#e8f0fe',
    ),
  );
  parts.push(
    box(
      service,
      [
        'VPC endpoint service',
        'acceptance required',
        extra.endpointServiceName ?? '(name after provisioning)',
      ],
      '#fef7e0',
    ),
  );
  parts.push(arrow(consumer.x + consumer.w, consumer.y + 36, service.x, service.y + 36, 'PrivateLink'));
  parts.push(arrow(service.x + service.w, service.y + 36, nlb.x, service.y + 36));
  parts.push(
    `<rect x="${nlb.x}" y="${nlb.y}" width="${nlb.w}" height="${nlb.h}" rx="6" fill="#e6f4ea" stroke="#333"/>` +
      `<text x="${nlb.x + nlb.w / 2}" y="${nlb.y + 18}" text-anchor="middle" font-size="13" font-weight="bold">${esc(`NLB ${plan.loadBalancer.name}`)}</text>` +
      `<text x="${nlb.x + nlb.w / 2}" y="${nlb.y + 32}" text-anchor="middle" font-size="10">internal · cross-zone off</text>`,
  );
  const listenerY = new Map<number, number>();
  listeners.forEach((l, i) => {
    const y = nlb.y + 40 + i * rowH;
    listenerY.set(l.port, y + rowH / 2);
    const label =
      (several ? `${l.consumer} ` : '') +
      (l.role === 'bootstrap' ? `:${l.port} bootstrap → all` : `:${l.port} → b${l.brokerNodeIds[0]}`);
    parts.push(
      `<rect x="${nlb.x + 10}" y="${y + 2}" width="${nlb.w - 20}" height="${rowH - 6}" rx="3" fill="#fff" stroke="#8a8"/>` +
        `<text x="${nlb.x + nlb.w / 2}" y="${y + 17}" text-anchor="middle" font-size="11">${esc(label)}</text>`,
    );
  });
  const brokerPos = new Map<number, { x: number; y: number }>();
  let azY = 40;
  for (const subnet of azs) {
    const brokers = plan.brokers.filter((b) => b.subnetName === subnet.name);
    const h = 30 + brokers.length * (brokerH + 8);
    parts.push(
      `<rect x="${azX}" y="${azY}" width="${azW}" height="${h}" rx="8" fill="#f8f9fa" stroke="#999" stroke-dasharray="4 3"/>` +
        `<text x="${azX + 12}" y="${azY + 19}" font-size="12" font-weight="bold">${esc(`${subnet.azId} · ${subnet.name} · ${subnet.cidr}`)}</text>`,
    );
    brokers.forEach((b, j) => {
      const y = azY + 28 + j * (brokerH + 8);
      brokerPos.set(b.nodeId, { x: azX + 10, y: y + brokerH / 2 });
      parts.push(
        box(
          { x: azX + 10, y, w: azW - 20, h: brokerH },
          [
            `${b.name} · ${b.privateIp} · ${b.processRoles.join('+')}`,
            ...b.externalListeners.map((e) => `${e.name} ${e.host}:${e.port}`),
          ],
          '#fff',
        ),
      );
    });
    azY += h + 12;
  }
  for (const l of listeners) {
    for (const nodeId of l.brokerNodeIds) {
      const to = brokerPos.get(nodeId);
      const fromY = listenerY.get(l.port);
      if (to && fromY !== undefined) {
        const dedicated = l.role !== 'bootstrap';
        parts.push(
          `<line x1="${nlb.x + nlb.w - 10}" y1="${fromY}" x2="${to.x}" y2="${to.y}" stroke="${dedicated ? '#1a73e8' : '#bbb'}" stroke-width="${dedicated ? 1.5 : 1}" marker-end="url(#arrow)"/>`,
        );
      }
    }
  }
  const width = azX + azW + 20;
  const height = Math.max(nlb.y + nlbH, azY, consumer.y + consumer.h) + 40;
  const title = `kafka-plc · ${plan.clusterName} · ${plan.region} · VPC ${plan.vpc.cidr} · NLB targets on :${[...new Set(plan.consumers.map((c) => c.targetPort))].join(', :')}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="20" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
