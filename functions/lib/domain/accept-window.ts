/**
 * Accept windows: auto-accept trusts an allow-listed owner only while the user expects a connection.
 *
 * The allow-listed principal is TiDB Cloud's AWS account, which creates endpoints for many customers: an
 * owner check alone would accept anyone who learns the service name. So a pending connection from an
 * allowed owner is accepted only through a window — opened by provisioning (once per cluster) or by
 * `kafka-plc accept-window` — that admits at most `count` connections before it closes, and only until it
 * expires. Each acceptance is claimed atomically (the window's `remaining` decremented and the
 * connection's record written in one DynamoDB transaction) so the SNS path and the sweep, deciding the
 * same connection at the same time, use one slot between them and never more than `count` in total.
 *
 * Everything here is pure; the table lives in functions/lib/aws/accept-records.ts.
 */
import { z } from '../zod';

/** A week: long enough for TiDB Cloud's side to be set up by another team, short enough to be forgotten. */
export const ACCEPT_WINDOW_MAX_MINUTES = 7 * 24 * 60;
export const ACCEPT_WINDOW_MAX_COUNT = 20;
/** Provisioning's window: a day for one connection (the consumer's one endpoint). */
export const DEFAULT_ACCEPT_WINDOW = { minutes: 24 * 60, count: 1 } as const;

export const acceptWindowSettingsSchema = z.strictObject({
  minutes: z._default(
    z
      .number()
      .check(
        z.multipleOf(1, 'must be a whole number of minutes'),
        z.minimum(1, `must be 1..${ACCEPT_WINDOW_MAX_MINUTES} minutes`),
        z.maximum(ACCEPT_WINDOW_MAX_MINUTES, `must be 1..${ACCEPT_WINDOW_MAX_MINUTES} minutes`),
      ),
    DEFAULT_ACCEPT_WINDOW.minutes,
  ),
  count: z._default(
    z
      .number()
      .check(
        z.multipleOf(1, 'must be a whole number'),
        z.minimum(1, `must be 1..${ACCEPT_WINDOW_MAX_COUNT}`),
        z.maximum(ACCEPT_WINDOW_MAX_COUNT, `must be 1..${ACCEPT_WINDOW_MAX_COUNT}`),
      ),
    DEFAULT_ACCEPT_WINDOW.count,
  ),
});
export type AcceptWindowSettings = z.input<typeof acceptWindowSettingsSchema>;

export interface AcceptWindow {
  /** Names the window in audit lines and records: `window-<opened, UTC, compact ISO 8601>`. */
  id: string;
  /** Epoch milliseconds. */
  openedAt: number;
  closesAt: number;
  count: number;
  remaining: number;
  /** Who opened it: "provisioning (<execution>)" or "kafka-plc accept-window". */
  openedBy: string;
}

/** Why a connection was accepted or rejected, kept for `kafka-plc connections`. */
export interface AcceptRecord {
  vpcEndpointId: string;
  decision: 'accept' | 'reject';
  /** Epoch milliseconds. */
  at: number;
  /** The window ID, or the command ("kafka-plc accept"), or "policy" (rejections). */
  by: string;
  reason: string;
}

export type WindowStatus =
  | { open: true; id: string; remaining: number; closesAt: number }
  | { open: false; reason: string };

const iso = (ms: number) => new Date(ms).toISOString();

export function windowId(openedAt: number): string {
  return `window-${iso(openedAt).replace(/[-:]/g, '').replace('.', '')}`;
}

export function openWindow(settings: AcceptWindowSettings, now: number, openedBy: string): AcceptWindow {
  const { minutes, count } = acceptWindowSettingsSchema.parse(settings);
  return {
    id: windowId(now),
    openedAt: now,
    closesAt: now + minutes * 60_000,
    count,
    remaining: count,
    openedBy,
  };
}

export function windowStatus(window: AcceptWindow | undefined, now: number): WindowStatus {
  if (!window)
    return { open: false, reason: 'no accept window has been opened (kafka-plc accept-window opens one)' };
  if (now >= window.closesAt)
    return { open: false, reason: `${window.id} expired at ${iso(window.closesAt)}` };
  if (window.remaining <= 0)
    return {
      open: false,
      reason: `${window.id} closed: its ${window.count} acceptance${window.count === 1 ? ' is' : 's are'} used`,
    };
  return { open: true, id: window.id, remaining: window.remaining, closesAt: window.closesAt };
}

/** One line for a person: "window-… open until …, 1 of 1 left" or why none is open. */
export function describeWindow(window: AcceptWindow | undefined, now: number): string {
  const status = windowStatus(window, now);
  return status.open
    ? `${status.id} open until ${iso(status.closesAt)}, ${status.remaining} of ${window?.count} acceptance(s) left`
    : status.reason;
}
