/**
 * The consumer side of the private link (TiDB Cloud's view): the advertised EXTERNAL names
 * `b<N>.<azId>.<unique>.<domain>` resolve to the endpoint's address (here haproxy's) and to nothing
 * else. kafkajs gets a socket factory that maps those names and refuses every other host, so a client
 * can never reach a broker's INTERNAL address; Kafka's Java tools get a hosts file
 * (-Djdk.net.hosts.file) that holds only those names.
 */
import { connect, isIP, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';
import type { Plan } from '../../functions/lib/domain/plan';

/**
 * Advertised name → the address it resolves to on the consumer side: every consumer's names, or one
 * consumer's only (another TiDB Cloud project's names do not resolve in its VPC).
 */
export function consumerNameMap(plan: Plan, endpointAddress: string, consumer?: string): Map<string, string> {
  return new Map(
    plan.brokers.flatMap((b) =>
      b.externalListeners
        .filter((listener) => consumer === undefined || listener.consumer === consumer)
        .map((listener) => [listener.host, endpointAddress] as const),
    ),
  );
}

/** A hosts file in /etc/hosts syntax for Java's `-Djdk.net.hosts.file`. */
export function renderHostsFile(names: Map<string, string>): string {
  return `${[...names].map(([name, address]) => `${address} ${name}`).join('\n')}\n`;
}

export interface SocketRecord {
  /** What the client asked for (advertised name or the bootstrap address). */
  host: string;
  port: number;
  /** Where the socket really went. */
  address: string;
}

/**
 * A kafkajs socketFactory resolving advertised names through `names`; literal IPs are allowed only when
 * they are one of `allowedAddresses` (the endpoint's). Every connection is appended to `record`.
 */
export function consumerSocketFactory(
  names: Map<string, string>,
  allowedAddresses: string[],
  record: SocketRecord[] = [],
): ISocketFactory {
  return ({ host, port, onConnect }) => {
    const address = names.get(host) ?? (isIP(host) && allowedAddresses.includes(host) ? host : undefined);
    if (address === undefined) {
      throw new Error(`consumer side: ${host} does not resolve here (only the advertised names do)`);
    }
    record.push({ host, port, address });
    const socket: Socket = connect({ host: address, port }, onConnect);
    return socket;
  };
}
