/**
 * One SDK client per service and region, built once per process (module scope) and shared by every
 * adapter. Each service has its own module (clients/<service>.ts), so a Lambda bundle carries only the
 * SDK clients its adapters import. `AWS_ENDPOINT_URL` (the SDK's own variable) points them at an
 * emulator; tests and benchmarks attach middleware (call counting, faults) with `onClient`.
 * This module imports no SDK.
 */

export interface SdkClient {
  middlewareStack: unknown;
  send(command: unknown): Promise<unknown>;
}

const byKey = new Map<string, SdkClient>();
const listeners: ((service: string, client: SdkClient) => void)[] = [];

function maxAttempts(): number | undefined {
  const value = Number(process.env.KAFKA_PLC_SDK_MAX_ATTEMPTS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

export interface ClientConfig {
  region: string;
  maxAttempts?: number;
}

export function clientFor<T extends SdkClient>(
  service: string,
  region: string,
  make: (config: ClientConfig) => T,
): T {
  const key = `${service}|${region}`;
  let client = byKey.get(key) as T | undefined;
  if (!client) {
    client = make({ region, maxAttempts: maxAttempts() });
    byKey.set(key, client);
    for (const listener of listeners) listener(service, client);
  }
  return client;
}

/** Calls `fn` for every client, now and when one is created later (middleware in tests/benchmarks). */
export function onClient(fn: (service: string, client: SdkClient) => void): void {
  listeners.push(fn);
  for (const [key, client] of byKey) fn(key.split('|')[0] ?? key, client);
}

/**
 * Forgets the clients so the next call builds them from the current environment (endpoint, max
 * attempts); registered listeners are kept unless `forgetListeners`.
 */
export function resetClients(forgetListeners = false): void {
  byKey.clear();
  if (forgetListeners) listeners.length = 0;
}
