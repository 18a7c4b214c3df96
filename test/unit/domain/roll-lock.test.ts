/**
 * The per-cluster roll lock's decisions (domain/roll-lock.ts): who may take it, when to wait, when a
 * holder is stale, when a roll is superseded by a newer write of the unique name.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCK_WAIT,
  type LockItem,
  lockStep,
  lockWaitPolicy,
  ROLL_TIMEOUT_SECONDS,
  supersededBy,
} from '../../../functions/lib/domain/roll-lock';
import { ConfigurationError } from '../../../functions/lib/errors';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const ME = 'arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-roll-brokers:kafka-v3';
const OTHER = 'arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-roll-brokers:kafka-v2';
const held = (holder: string, startedSecondsAgo = 60): LockItem => ({
  cluster: 'kafka',
  holder,
  holderStartedAt: NOW - startedSecondsAgo * 1000,
  uniqueName: 'tidb-abc',
});

describe('lockStep', () => {
  it('creates a free lock, and finds its own lock held (a retried acquire)', () => {
    expect(lockStep(undefined, ME, undefined, NOW)).toEqual({ action: 'create' });
    expect(lockStep(held(ME), ME, undefined, NOW)).toEqual({ action: 'held' });
  });

  it('waits for a running (or redriving) holder, naming it', () => {
    for (const status of ['RUNNING', 'PENDING_REDRIVE']) {
      expect(lockStep(held(OTHER), ME, status, NOW)).toEqual({
        action: 'wait',
        reason: `a roll of kafka to "tidb-abc" (${OTHER}) is running`,
      });
    }
  });

  it('takes over from a holder that ended without giving the lock back, on that very holder', () => {
    for (const status of ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']) {
      expect(lockStep(held(OTHER), ME, status, NOW)).toEqual({
        action: 'take-over',
        stale: OTHER,
        reason: `a roll of kafka to "tidb-abc" (${OTHER}) ended ${status}`,
      });
    }
  });

  it('a holder the account cannot describe counts as running until the roll timeout has passed since its start', () => {
    expect(lockStep(held(OTHER, ROLL_TIMEOUT_SECONDS - 1), ME, 'NOT_FOUND', NOW)).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining(`started ${ROLL_TIMEOUT_SECONDS - 1}s ago`),
    });
    expect(lockStep(held(OTHER, ROLL_TIMEOUT_SECONDS), ME, 'NOT_FOUND', NOW)).toMatchObject({
      action: 'take-over',
      stale: OTHER,
    });
  });

  it('matches holders exactly: a roll of another cluster whose name starts alike is not this lock', () => {
    // Prepare: the lock item is per cluster name; an execution of kafka-prod never holds kafka's item
    const lock = held('arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-roll-brokers:kafka');
    // Act + Assess: an execution whose ARN merely starts with the holder's is another execution
    expect(lockStep(lock, `${lock.holder}-prod`, 'RUNNING', NOW).action).toBe('wait');
  });
});

describe('supersededBy', () => {
  it('names the newer version of the parameter, if any; a roll started without one never is', () => {
    expect(supersededBy(3, 4)).toBe(4);
    expect(supersededBy(3, 3)).toBeUndefined();
    expect(supersededBy(undefined, 9)).toBeUndefined();
    expect(supersededBy(3, undefined)).toBeUndefined();
  });
});

describe('lockWaitPolicy (ROLL_LOCK_*)', () => {
  it('is the default without the variables and takes each one set', () => {
    expect(lockWaitPolicy({})).toEqual(DEFAULT_LOCK_WAIT);
    expect(lockWaitPolicy({ ROLL_LOCK_WAIT_SECONDS: '2', ROLL_LOCK_MAX_WAITS: '5' })).toEqual({
      waitSeconds: 2,
      maxWaits: 5,
    });
  });

  it('rejects a bad value naming the variable and the value, and a wait that leaves the roll no time', () => {
    expect(() => lockWaitPolicy({ ROLL_LOCK_WAIT_SECONDS: '0' })).toThrow(
      new ConfigurationError('ROLL_LOCK_WAIT_SECONDS must be a whole number ≥ 1 (got "0")'),
    );
    expect(() => lockWaitPolicy({ ROLL_LOCK_MAX_WAITS: 'x' })).toThrow(/ROLL_LOCK_MAX_WAITS .*"x"/);
    expect(() => lockWaitPolicy({ ROLL_LOCK_WAIT_SECONDS: '600', ROLL_LOCK_MAX_WAITS: '36' })).toThrow(
      /leaves no time of the roll's 21600s timeout/,
    );
  });
});
