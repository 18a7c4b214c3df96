/**
 * Opening accept windows (domain/accept-window.ts): provisioning opens the cluster's first one
 * (OpenAcceptWindow, the last state of provision and expose-existing) and never another — a re-run must not
 * let one more stranger's endpoint in; `kafka-plc accept-window` opens a new one, replacing the last.
 */
import * as records from '../aws/accept-records';
import {
  type AcceptWindow,
  type AcceptWindowSettings,
  describeWindow,
  openWindow,
} from '../domain/accept-window';
import { moduleLogger } from '../logger';
import { type ClusterSpec, consumersOf } from '../spec';

const log = moduleLogger('accept-window');

export interface WindowOutcome {
  opened: boolean;
  window: AcceptWindow | null;
  /** What the window is (stable across re-runs): "<id>: up to N connection(s) until <ISO> (opened by …)". */
  summary: string;
}

export function windowSummary(window: AcceptWindow | undefined): string {
  if (!window) return 'no accept window';
  return `${window.id}: up to ${window.count} connection(s) until ${new Date(window.closesAt).toISOString()} (opened by ${window.openedBy})`;
}

/**
 * The window provisioning opens: one consumer's acceptWindow; with several consumers, room for each one's
 * connections (counts added) for the longest of their durations.
 */
export function provisioningWindow(spec: ClusterSpec): { minutes: number; count: number } {
  const settings = consumersOf(spec).map((consumer) => consumer.acceptWindow);
  return {
    minutes: Math.max(...settings.map((s) => s.minutes)),
    count: settings.reduce((sum, s) => sum + s.count, 0),
  };
}

/**
 * Provisioning's window: read first (a re-run makes no write and reports the same window), created only
 * when the cluster never had one — conditionally, so two provisioning runs racing open one.
 */
export async function openFirstWindow(
  spec: ClusterSpec,
  execution: string,
  table: string,
  now = Date.now(),
): Promise<WindowOutcome> {
  const read = async () => (await records.readAcceptState(spec.region, table, spec.clusterName)).window;
  let existing = await read();
  if (!existing) {
    const window = openWindow(provisioningWindow(spec), now, `provisioning (${execution})`);
    if (await records.putWindow(spec.region, table, spec.clusterName, window, { firstOnly: true })) {
      log.info('accept window opened', { cluster: spec.clusterName, ...window });
      return { opened: true, window, summary: windowSummary(window) };
    }
    existing = await read();
  }
  log.info('accept window kept (provisioning opens only the first; kafka-plc accept-window opens another)', {
    cluster: spec.clusterName,
    now: describeWindow(existing, now),
  });
  return { opened: false, window: existing ?? null, summary: windowSummary(existing) };
}

export async function openWindowNow(
  spec: ClusterSpec,
  settings: AcceptWindowSettings,
  openedBy: string,
  table: string,
  now = Date.now(),
): Promise<WindowOutcome> {
  const window = openWindow(settings, now, openedBy);
  await records.putWindow(spec.region, table, spec.clusterName, window, { firstOnly: false });
  return { opened: true, window, summary: describeWindow(window, now) };
}
