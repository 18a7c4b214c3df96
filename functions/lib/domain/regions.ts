/**
 * AWS region codes and the AZ ID prefix AWS derives from them (us-west-2 → usw2, ap-northeast-1 → apne1,
 * us-gov-west-1 → usgw1). AZ IDs name the same physical zone in every account; names like us-west-2a do not.
 * Offline we can only check the prefix; whether the AZ ID exists is checked at run time.
 */

export const REGION_PATTERN =
  /^(?<country>[a-z]{2})-(?:(?<partition>gov|iso|isob|isof|isoe)-)?(?<direction>[a-z]+)-(?<number>[1-9]\d?)$/;

const DIRECTION_CODES: Readonly<Record<string, string>> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

const PARTITION_CODES: Readonly<Record<string, string>> = {
  gov: 'g',
  iso: 'i',
  isob: 'ib',
  isof: 'if',
  isoe: 'ie',
};

/** The AZ ID prefix of a region code, or undefined when the code is not shaped like an AWS region. */
export function azIdPrefix(region: string): string | undefined {
  const match = REGION_PATTERN.exec(region);
  if (!match?.groups) return undefined;
  const { country, partition, direction, number } = match.groups;
  if (!country || !direction || !number) return undefined;
  const directionCode = DIRECTION_CODES[direction];
  if (directionCode === undefined) return undefined;
  const partitionCode = partition ? (PARTITION_CODES[partition] ?? '') : '';
  return `${country}${partitionCode}${directionCode}${number}`;
}

export const AZ_ID_PATTERN = /^(?<prefix>[a-z]+[0-9]+)-az(?<n>[1-9]\d?)$/;

/** The IAM partition of a region, for ARNs. */
export function partitionOf(region: string): 'aws' | 'aws-us-gov' | 'aws-cn' {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}
