/**
 * Pure functions that keep kafka-plc inside what AWS accepts: roll execution names, RunInstances client
 * tokens, the Run Command owner check, the applied-spec record's size.
 */
import { describe, expect, it } from 'vitest';
import { launchClientToken, rollExecutionName } from '../../../functions/lib/domain/names';
import { decodeRecord, encodeRecord, STANDARD_VALUE_LIMIT } from '../../../functions/lib/domain/record';
import { mayCommand } from '../../../functions/lib/domain/tags';

describe('rollExecutionName', () => {
  it('is the same for a duplicated event of one write, and differs for the same version written again later', () => {
    const at = new Date('2026-12-01T05:00:00.123Z');
    expect(rollExecutionName('seed-usw2', 2, at)).toBe(rollExecutionName('seed-usw2', 2, new Date(at)));
    expect(rollExecutionName('seed-usw2', 2, at)).not.toBe(
      rollExecutionName('seed-usw2', 2, new Date('2026-12-02T05:00:00.123Z')),
    );
  });

  it('stays within Step Functions names (1..80, no forbidden characters) for the longest cluster name', () => {
    const name = rollExecutionName('a'.repeat(32), 999_999, new Date('2099-12-31T23:59:59.999Z'));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[a-z0-9-]+$/);
  });
});

describe('launchClientToken', () => {
  it('is stable within one attempt, different for another attempt, broker or cluster', () => {
    const token = launchClientToken('seed-usw2', 1, 'exec-1');
    expect(launchClientToken('seed-usw2', 1, 'exec-1')).toBe(token);
    expect(
      new Set([
        token,
        launchClientToken('seed-usw2', 1, 'exec-2'),
        launchClientToken('seed-usw2', 2, 'exec-1'),
        launchClientToken('other', 1, 'exec-1'),
      ]).size,
    ).toBe(4);
  });

  it('is at most 64 ASCII characters whatever the inputs', () => {
    const token = launchClientToken('a'.repeat(32), 49, 'x'.repeat(80));
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('mayCommand (the cluster tag value, checked before every Run Command)', () => {
  it.each([
    [{ 'kafka-plc:cluster': 'seed-usw2' }, true],
    [{ 'kafka-plc:exposed-by': 'seed-usw2' }, true],
    [{ 'kafka-plc:cluster': 'seed-usw2-prod' }, false],
    [{ 'kafka-plc:exposed-by': 'other' }, false],
    [{ Name: 'kafka' }, false],
    [undefined, false],
  ])('tags %j → %s', (tags, ok) => {
    const verdict = mayCommand('i-1', tags, 'seed-usw2');
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.reason).toContain('i-1');
  });

  it("names the other cluster when the instance is someone else's", () => {
    expect(mayCommand('i-1', { 'kafka-plc:cluster': 'prod' }, 'seed-usw2')).toEqual({
      ok: false,
      reason: 'instance i-1 belongs to cluster prod, not seed-usw2',
    });
  });
});

describe('the applied-spec record (Parameter Store: 4,096 characters standard, 8,192 advanced)', () => {
  const existingSpec = (brokers: number) => ({
    clusterName: 'legacy-usw2',
    region: 'us-west-2',
    azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
    existing: {
      vpcId: 'vpc-0123456789abcdef0',
      brokers: Array.from({ length: brokers }, (_, i) => ({
        instanceId: `i-0123456789abcd${String(i).padStart(3, '0')}`,
        nodeId: i + 1,
        configPath: '/opt/kafka/config/kraft/server.properties',
      })),
    },
  });

  it('keeps a small spec as plain JSON, readable in the console', () => {
    const spec = existingSpec(3);
    expect(encodeRecord(spec)).toBe(JSON.stringify(spec));
    expect(decodeRecord(encodeRecord(spec))).toEqual(spec);
  });

  it('compresses an exposed cluster of 49 brokers into the standard tier, and reads it back', () => {
    const spec = existingSpec(49);
    expect(JSON.stringify(spec).length).toBeGreaterThan(STANDARD_VALUE_LIMIT);
    const stored = encodeRecord(spec);
    expect(stored.length).toBeLessThanOrEqual(STANDARD_VALUE_LIMIT);
    expect(decodeRecord(stored)).toEqual(spec);
  });
});
