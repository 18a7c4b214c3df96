/**
 * Accept windows (domain/accept-window.ts) and the window-aware plan (planConnections with an
 * AcceptContext): arithmetic, count, expiry, which connections get the slots, and what a recorded decision
 * changes. Property: a plan never claims more slots than the window has, and accepts nothing else but
 * finished claims.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AcceptContext,
  type AcceptPolicy,
  type EndpointConnection,
  lostClaim,
  planConnections,
} from '../../../functions/lib/domain/accept-policy';
import {
  ACCEPT_WINDOW_MAX_MINUTES,
  type AcceptRecord,
  type AcceptWindow,
  acceptWindowSettingsSchema,
  describeWindow,
  openWindow,
  windowId,
  windowStatus,
} from '../../../functions/lib/domain/accept-window';
import { z } from '../../../functions/lib/zod';

const TIDB = '123456789012';
const STRANGER = '999999999999';
const SERVICE = 'vpce-svc-0123456789abcdef0';
const POLICY: AcceptPolicy = { allowedAccounts: [TIDB], onUnknown: 'reject' };
const T0 = Date.parse('2026-12-01T10:00:00Z');
const MINUTE = 60_000;

const pending = (id: string, owner: string, createdMinute: number): EndpointConnection => ({
  vpcEndpointId: id,
  vpcEndpointOwner: owner,
  vpcEndpointState: 'pendingAcceptance',
  createdAt: new Date(T0 + createdMinute * MINUTE).toISOString(),
});

const context = (
  window: AcceptWindow | undefined,
  now: number,
  extra: Partial<AcceptContext> = {},
): AcceptContext => ({ window, records: new Map(), now, outsideWindow: 'leave', ...extra });

describe('accept window arithmetic', () => {
  it('opens for `minutes` with `count` slots, named after its opening instant', () => {
    // Act
    const window = openWindow({ minutes: 90, count: 2 }, T0, 'kafka-plc accept-window');
    // Assess
    expect(window).toEqual({
      id: 'window-20261201T100000000Z',
      openedAt: T0,
      closesAt: T0 + 90 * MINUTE,
      count: 2,
      remaining: 2,
      openedBy: 'kafka-plc accept-window',
    });
    expect(windowId(T0 + 1)).toBe('window-20261201T100000001Z');
  });

  it('defaults to one connection within a day', () => {
    expect(openWindow({}, T0, 'provisioning')).toMatchObject({ closesAt: T0 + 1440 * MINUTE, count: 1 });
  });

  it.each<[string, Partial<AcceptWindow> | undefined, number, string]>([
    ['no window', undefined, T0, 'no accept window has been opened'],
    ['the instant it closes', {}, T0 + 60 * MINUTE, 'expired at 2026-12-01T11:00:00.000Z'],
    ['after it closed', {}, T0 + 61 * MINUTE, 'expired at'],
    ['its count used', { remaining: 0 }, T0 + MINUTE, 'closed: its 1 acceptance is used'],
    ['three used', { count: 3, remaining: 0 }, T0 + MINUTE, 'its 3 acceptances are used'],
  ])('is closed with %s, saying why', (_name, changes, now, reason) => {
    // Prepare
    const window = changes && { ...openWindow({ minutes: 60, count: 1 }, T0, 'test'), ...changes };
    // Act
    const status = windowStatus(window, now);
    // Assess
    expect(status.open).toBe(false);
    expect(status.open ? '' : status.reason).toContain(reason);
  });

  it('is open the instant it opens and one millisecond before it closes', () => {
    const window = openWindow({ minutes: 60, count: 1 }, T0, 'test');
    expect(windowStatus(window, T0)).toEqual({
      open: true,
      id: window.id,
      remaining: 1,
      closesAt: window.closesAt,
    });
    expect(windowStatus(window, window.closesAt - 1).open).toBe(true);
    expect(describeWindow(window, T0)).toBe(
      `${window.id} open until 2026-12-01T11:00:00.000Z, 1 of 1 acceptance(s) left`,
    );
  });

  it.each([
    [{ minutes: 0 }, 'minutes', 'must be 1..10080 minutes'],
    [{ minutes: ACCEPT_WINDOW_MAX_MINUTES + 1 }, 'minutes', 'must be 1..10080 minutes'],
    [{ minutes: 1.5 }, 'minutes', 'whole number'],
    [{ count: 0 }, 'count', 'must be 1..20'],
    [{ count: 21 }, 'count', 'must be 1..20'],
  ])('refuses settings %j, naming the field', (settings, field, message) => {
    // Act
    const parsed = z.safeParse(acceptWindowSettingsSchema, settings);
    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([field]);
    expect(parsed.error?.issues[0]?.message).toContain(message);
  });
});

describe('planConnections with an accept window', () => {
  const window = openWindow({ minutes: 60, count: 1 }, T0, 'provisioning (exec)');

  it('accepts the allowed owner inside the window and claims its one slot', () => {
    // Act
    const plan = planConnections(
      SERVICE,
      [pending('vpce-a', TIDB, 5)],
      POLICY,
      context(window, T0 + 10 * MINUTE),
    );
    // Assess
    expect(plan.accept).toEqual(['vpce-a']);
    expect(plan.claims).toEqual([{ vpcEndpointId: 'vpce-a', windowId: window.id }]);
    expect(plan.audit[0]).toMatchObject({ decision: 'accept', by: window.id });
    expect(plan.audit[0]?.reason).toContain(`inside ${window.id}`);
  });

  it('gives a one-slot window to the oldest of two allowed connections and leaves the other, saying why', () => {
    // Prepare: the newer connection is listed first
    const batch = [pending('vpce-new', TIDB, 7), pending('vpce-old', TIDB, 3)];
    // Act
    const plan = planConnections(SERVICE, batch, POLICY, context(window, T0 + 10 * MINUTE));
    // Assess
    expect(plan).toMatchObject({ accept: ['vpce-old'], leave: ['vpce-new'], outsideWindow: ['vpce-new'] });
    expect(plan.audit.map((a) => a.vpcEndpointId)).toEqual(['vpce-new', 'vpce-old']);
    expect(plan.audit[0]?.reason).toContain('acceptances go to older pending connections');
  });

  it.each<[string, AcceptWindow | undefined, number, string]>([
    ['no window ever opened', undefined, T0, 'no accept window has been opened'],
    ['an expired window', window, T0 + 60 * MINUTE, 'expired at'],
    ['a used window', { ...window, remaining: 0 }, T0 + MINUTE, 'acceptance is used'],
  ])('leaves an allowed owner pending with %s, and rejects it when the stage says so', (_n, w, now, why) => {
    // Act
    const left = planConnections(SERVICE, [pending('vpce-a', TIDB, 0)], POLICY, context(w, now));
    const rejected = planConnections(
      SERVICE,
      [pending('vpce-a', TIDB, 0)],
      POLICY,
      context(w, now, { outsideWindow: 'reject' }),
    );
    // Assess
    expect(left).toMatchObject({ accept: [], leave: ['vpce-a'], outsideWindow: ['vpce-a'], claims: [] });
    expect(left.audit[0]?.reason).toContain(why);
    expect(left.audit[0]?.reason).toContain('kafka-plc accept-window or kafka-plc accept --endpoint');
    expect(rejected).toMatchObject({ accept: [], reject: ['vpce-a'], outsideWindow: ['vpce-a'] });
    expect(rejected.audit[0]?.by).toBe('onOutsideWindow');
  });

  it('never lets a stranger in through a window, and takes no slot for it', () => {
    // Act
    const plan = planConnections(
      SERVICE,
      [pending('vpce-s', STRANGER, 0), pending('vpce-a', TIDB, 1)],
      POLICY,
      context(window, T0 + MINUTE),
    );
    // Assess
    expect(plan).toMatchObject({ accept: ['vpce-a'], reject: ['vpce-s'], outsideWindow: [] });
    expect(plan.claims).toEqual([{ vpcEndpointId: 'vpce-a', windowId: window.id }]);
    expect(plan.audit[0]?.by).toBe('onUnknownOwner');
  });

  it('finishes an accept recorded earlier (its Accept call never ran) without taking another slot', () => {
    // Prepare: the window's one slot went to vpce-a, whose Accept did not happen
    const records = new Map<string, AcceptRecord>([
      ['vpce-a', { vpcEndpointId: 'vpce-a', decision: 'accept', at: T0, by: window.id, reason: 'r' }],
    ]);
    // Act
    const plan = planConnections(
      SERVICE,
      [pending('vpce-a', TIDB, 0), pending('vpce-b', TIDB, 1)],
      POLICY,
      context({ ...window, remaining: 0 }, T0 + MINUTE, { records }),
    );
    // Assess
    expect(plan).toMatchObject({ accept: ['vpce-a'], claims: [], leave: ['vpce-b'] });
    expect(plan.audit[0]).toMatchObject({ by: window.id });
    expect(plan.audit[0]?.reason).toContain(
      `accepted by ${window.id} at 2026-12-01T10:00:00.000Z (finishing it)`,
    );
  });

  it('keeps a recorded rejection of a still-pending connection, even with a window open', () => {
    const records = new Map<string, AcceptRecord>([
      [
        'vpce-a',
        { vpcEndpointId: 'vpce-a', decision: 'reject', at: T0, by: 'onOutsideWindow', reason: 'late' },
      ],
    ]);
    const plan = planConnections(
      SERVICE,
      [pending('vpce-a', TIDB, 0)],
      POLICY,
      context(window, T0 + 1, { records }),
    );
    expect(plan).toMatchObject({ accept: [], reject: ['vpce-a'], claims: [] });
    expect(plan.audit[0]?.reason).toBe('recorded as rejected: late');
  });

  it('says what happened when a planned slot was gone at claim time', () => {
    expect(lostClaim('window-x', 'leave')).toMatchObject({ decision: 'leave', outsideWindow: true });
    expect(lostClaim('window-x', 'reject')).toMatchObject({ decision: 'reject', by: 'onOutsideWindow' });
    expect(lostClaim('window-x', 'leave').reason).toContain('window-x had no slot left when claimed');
  });

  it('never claims more than the window has left, and accepts only allowed owners by claim or record', () => {
    const owner = fc.constantFrom(TIDB, STRANGER, '111111111111');
    const connection = fc.record({
      id: fc.integer({ min: 0, max: 15 }),
      owner,
      minute: fc.integer({ min: 0, max: 120 }),
      state: fc.constantFrom('pendingAcceptance', 'available', 'rejected'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(connection, { maxLength: 12, selector: (c) => c.id }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 3 }),
        (batch, remaining, nowMinute, recordedIds) => {
          // Prepare
          const w = { ...openWindow({ minutes: 60, count: 4 }, T0, 'p'), remaining };
          const records = new Map<string, AcceptRecord>(
            recordedIds.map((n) => [
              `vpce-${n}`,
              { vpcEndpointId: `vpce-${n}`, decision: 'accept', at: T0, by: w.id, reason: 'r' },
            ]),
          );
          const items = batch.map((c) => ({
            ...pending(`vpce-${c.id}`, c.owner, c.minute),
            vpcEndpointState: c.state,
          }));
          const now = T0 + nowMinute * MINUTE;
          // Act
          const plan = planConnections(SERVICE, items, POLICY, context(w, now, { records }));
          // Assess
          const open = windowStatus(w, now).open;
          expect(plan.claims.length).toBeLessThanOrEqual(open ? remaining : 0);
          for (const id of plan.accept) {
            const item = items.find((i) => i.vpcEndpointId === id);
            expect(item?.vpcEndpointOwner).toBe(TIDB);
            expect(item?.vpcEndpointState).toBe('pendingAcceptance');
            expect(plan.claims.some((c) => c.vpcEndpointId === id) || records.has(id)).toBe(true);
          }
          // Slots go to the oldest unrecorded allowed pending connections.
          const claimed = plan.claims.map((c) => items.find((i) => i.vpcEndpointId === c.vpcEndpointId));
          const waiting = items.filter((i) => plan.outsideWindow.includes(i.vpcEndpointId ?? ''));
          for (const c of claimed)
            for (const w2 of waiting) expect((c?.createdAt ?? '') <= (w2.createdAt ?? '')).toBe(true);
        },
      ),
    );
  });
});
