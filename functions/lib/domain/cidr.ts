/**
 * IPv4 CIDR arithmetic on top of the `ip-address` library (parsing, masks, address <-> integer);
 * only the block arithmetic the planner needs lives here.
 */
import { Address4 } from 'ip-address';

export interface Cidr {
  /** Canonical text, e.g. 10.0.0.0/16. */
  text: string;
  prefix: number;
  first: bigint;
  last: bigint;
  size: bigint;
}

const CIDR_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/;

/** Parses a CIDR block; `undefined` when it is not IPv4 CIDR text. Host bits may be set (see isCanonical). */
export function parseCidr(text: string): Cidr | undefined {
  if (!CIDR_SHAPE.test(text) || !Address4.isValid(text)) return undefined;
  let address: Address4;
  try {
    address = new Address4(text);
  } catch {
    return undefined;
  }
  const prefix = address.subnetMask;
  if (prefix < 0 || prefix > 32) return undefined;
  const first = address.startAddress().bigInt();
  const last = address.endAddress().bigInt();
  return {
    text: `${address.startAddress().correctForm()}/${prefix}`,
    prefix,
    first,
    last,
    size: last - first + 1n,
  };
}

/** True when the text is a CIDR whose address is its network address (10.0.0.0/16, not 10.0.0.1/16). */
export function isCanonicalCidr(text: string): boolean {
  const cidr = parseCidr(text);
  return cidr !== undefined && cidr.text === text;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function addressText(value: bigint): string {
  return Address4.fromBigInt(value).correctForm();
}

export function addressValue(text: string): bigint {
  return new Address4(text).bigInt();
}

/** The `index`-th block of length `prefix` inside `parent` (parent 10.0.0.0/16, prefix 18, index 2 → 10.0.128.0/18). */
export function childBlock(parent: Cidr, prefix: number, index: number): Cidr {
  const size = 1n << BigInt(32 - prefix);
  const first = parent.first + size * BigInt(index);
  const block = parseCidr(`${addressText(first)}/${prefix}`);
  if (!block || !contains(parent, block)) {
    throw new RangeError(`block ${index} of /${prefix} does not fit in ${parent.text}`);
  }
  return block;
}

export function isInside(cidr: Cidr, address: string): boolean {
  const value = addressValue(address);
  return cidr.first <= value && value <= cidr.last;
}
