/**
 * The kernel's view of TCP connections (/proc/net/tcp and tcp6): an observation independent of haproxy's
 * configuration and counters, used to see which broker really accepted a connection.
 */
import { readFileSync } from 'node:fs';

const ESTABLISHED = '01';
const V4_MAPPED_PREFIX = '0000000000000000FFFF0000';

/** /proc/net/tcp* address `0201007F:9A5C` (host byte order) → { ip: '127.0.1.2', port: 39516 }. */
export function parseProcAddress(text: string): { ip: string; port: number } | undefined {
  const [hex, portHex] = text.split(':');
  if (!hex || !portHex) return undefined;
  const v4 = hex.length === 8 ? hex : hex.startsWith(V4_MAPPED_PREFIX) ? hex.slice(-8) : undefined;
  if (!v4) return undefined;
  const bytes = (v4.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).reverse();
  return { ip: bytes.join('.'), port: Number.parseInt(portHex, 16) };
}

export interface TcpConnection {
  local: { ip: string; port: number };
  remote: { ip: string; port: number };
}

export function parseProcNetTcp(text: string): TcpConnection[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells[3] === ESTABLISHED)
    .flatMap((cells) => {
      const local = parseProcAddress(cells[1] ?? '');
      const remote = parseProcAddress(cells[2] ?? '');
      return local && remote ? [{ local, remote }] : [];
    });
}

export function establishedConnections(): TcpConnection[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => {
    try {
      return parseProcNetTcp(readFileSync(file, 'utf8'));
    } catch {
      return [];
    }
  });
}

/** How many established connections `ip:port` has accepted from `fromIp`. */
export function acceptedFrom(connections: TcpConnection[], ip: string, port: number, fromIp: string): number {
  return connections.filter((c) => c.local.ip === ip && c.local.port === port && c.remote.ip === fromIp)
    .length;
}
