import { describe, expect, it } from 'vitest';
import { childBlock, isCanonicalCidr, overlaps, parseCidr } from '../../../functions/lib/domain/cidr';
import { capacityProblem, subnetPrefix } from '../../../functions/lib/domain/layout';
import { elbName, kraftClusterId } from '../../../functions/lib/domain/names';
import { azIdPrefix } from '../../../functions/lib/domain/regions';

describe('AZ ID prefixes', () => {
  it.each([
    ['us-west-2', 'usw2'],
    ['us-east-1', 'use1'],
    ['eu-central-1', 'euc1'],
    ['ap-northeast-1', 'apne1'],
    ['ap-southeast-2', 'apse2'],
    ['sa-east-1', 'sae1'],
    ['ca-central-1', 'cac1'],
    ['us-gov-west-1', 'usgw1'],
    ['cn-northwest-1', 'cnnw1'],
    ['mx-central-1', 'mxc1'],
  ])('%s → %s', (region, prefix) => {
    expect(azIdPrefix(region)).toBe(prefix);
  });

  it('knows no prefix for a code that is not a region', () => {
    expect(azIdPrefix('us-middle-1')).toBeUndefined();
    expect(azIdPrefix('uswest2')).toBeUndefined();
  });
});

describe('CIDR blocks', () => {
  it('cuts a /16 into the seed /18 blocks', () => {
    const vpc = parseCidr('10.0.0.0/16');
    if (!vpc) throw new Error('parse failed');
    expect([0, 1, 2, 3].map((i) => childBlock(vpc, 18, i).text)).toEqual([
      '10.0.0.0/18',
      '10.0.64.0/18',
      '10.0.128.0/18',
      '10.0.192.0/18',
    ]);
    expect(() => childBlock(vpc, 18, 4)).toThrow(RangeError);
  });

  it('tells canonical blocks and overlaps', () => {
    expect(isCanonicalCidr('10.0.0.0/16')).toBe(true);
    expect(isCanonicalCidr('10.0.0.1/16')).toBe(false);
    expect(parseCidr('10.0.0/16')).toBeUndefined();
    const a = parseCidr('10.1.0.0/16');
    const b = parseCidr('10.1.255.0/24');
    const c = parseCidr('10.2.0.0/16');
    if (!a || !b || !c) throw new Error('parse failed');
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
  });

  it('sizes subnets for the AZ count and checks capacity', () => {
    expect(subnetPrefix(16, 3)).toBe(18);
    expect(subnetPrefix(16, 4)).toBe(19);
    expect(subnetPrefix(16, 1)).toBe(17);
    expect(capacityProblem(28, 3)).toBeUndefined();
    expect(capacityProblem(28, 4)).toMatch(/cannot hold 4 brokers/);
    expect(capacityProblem(29, 1)).toMatch(/no smaller than \/28/);
  });
});

describe('names', () => {
  it('shortens long ELB names stably and keeps short ones', () => {
    expect(elbName('seed-usw2', 'b1')).toBe('seed-usw2-b1');
    const long = elbName('a-very-long-cluster-name-of-32ch', 'bootstrap');
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long).toBe(elbName('a-very-long-cluster-name-of-32ch', 'bootstrap'));
    expect(long.endsWith('-bootstrap')).toBe(true);
  });

  it('derives a KRaft cluster ID of 16 bytes in base64url', () => {
    const id = kraftClusterId('seed-usw2', 'us-west-2');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(kraftClusterId('other', 'us-west-2')).not.toBe(id);
  });
});
