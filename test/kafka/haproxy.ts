/**
 * haproxy as the NLB stand-in, generated from the same plan that drives the real NLB: one TCP frontend
 * per planned listener, one backend per target group (bootstrap → every broker, broker port → that broker
 * only), each target on the broker's EXTERNAL port with a TCP health check like the target groups'.
 * Pure: renderHaproxyConfig and parseStat only turn values into text and back.
 */
import type { Plan } from '../../functions/lib/domain/plan';

export interface HaproxyOptions {
  /** Where the frontends listen (the NLB's address); also the source address of backend connections. */
  bindAddress: string;
  /** Where broker N's targets are reached (its private IP on AWS, a loopback address here). */
  brokerAddress: (nodeId: number) => string;
  /** Unix socket for `show stat` (per-server session counters). */
  statsSocket: string;
}

export function frontendName(port: number): string {
  return `nlb-${port}`;
}

export function serverName(nodeId: number): string {
  return `b${nodeId}`;
}

export function renderHaproxyConfig(plan: Plan, options: HaproxyOptions): string {
  const lines = [
    `# Generated from the kafka-plc plan of cluster ${plan.clusterName}: the NLB ${plan.loadBalancer.name}.`,
    'global',
    '  maxconn 2048',
    `  stats socket ${options.statsSocket} mode 600 level operator`,
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 10m',
    '  timeout server 10m',
    // TCP health checks like the target groups'; quick so the harness sees every target UP soon.
    '  default-server inter 1s fastinter 500ms rise 1 fall 2',
  ];
  for (const listener of plan.loadBalancer.listeners) {
    lines.push(
      '',
      `frontend ${frontendName(listener.port)}`,
      `  bind ${options.bindAddress}:${listener.port}`,
      `  default_backend ${listener.targetGroupName}`,
      '',
      `backend ${listener.targetGroupName}`,
      '  balance roundrobin',
      `  source ${options.bindAddress}`,
      ...listener.brokerNodeIds.map(
        (nodeId) =>
          `  server ${serverName(nodeId)} ${options.brokerAddress(nodeId)}:${listener.targetPort} check`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One row of haproxy's `show stat` CSV: a frontend, a backend summary, or one server of a backend. */
export interface StatRow {
  proxy: string;
  server: string;
  /** Sessions since start (stot). */
  totalSessions: number;
  /** Sessions now (scur). */
  currentSessions: number;
  /** UP, DOWN, OPEN … */
  status: string;
  /** Last health check result, e.g. L4OK, L4CON; empty for frontends and backends. */
  checkStatus: string;
  /** The server's address as haproxy uses it (addr), e.g. 127.0.1.2:39092. */
  address: string;
}

export function parseStat(csv: string): StatRow[] {
  const [header, ...rows] = csv.split('\n').filter((line) => line.trim() !== '');
  if (!header?.startsWith('# ')) throw new Error(`not a 'show stat' answer: ${csv.slice(0, 200)}`);
  const columns = header.slice(2).split(',');
  const at = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? '';
  return rows.map((row) => {
    const cells = row.split(',');
    return {
      proxy: at(cells, 'pxname'),
      server: at(cells, 'svname'),
      totalSessions: Number(at(cells, 'stot') || 0),
      currentSessions: Number(at(cells, 'scur') || 0),
      status: at(cells, 'status'),
      checkStatus: at(cells, 'check_status'),
      address: at(cells, 'addr'),
    };
  });
}

/** Only the rows of backend servers (not FRONTEND / BACKEND summaries). */
export function serverRows(rows: StatRow[]): StatRow[] {
  return rows.filter((r) => r.server !== 'FRONTEND' && r.server !== 'BACKEND');
}
