/**
 * Address layout rules shared by spec validation and the planner, so that "the VPC is too small" is
 * judged by exactly the arithmetic that later places the subnets and brokers.
 */
import { type Cidr, childBlock } from './cidr';

/** AWS reserves the first four addresses and the last one of every subnet. */
export const AWS_RESERVED_LOW = 4;
export const AWS_RESERVED_TOTAL = 5;
/** Broker k of a subnet gets address `first + BROKER_IP_OFFSET + k`: clear of the reserved ones, easy to read. */
export const BROKER_IP_OFFSET = 10;
/** An NLB needs at least 8 free addresses in each subnet it is placed in. */
export const NLB_FREE_ADDRESSES = 8;
/** AWS subnets are /16 to /28; so are VPC primary CIDRs. */
export const SMALLEST_PREFIX = 28;
export const LARGEST_PREFIX = 16;
/** NLB listeners are limited to 50 (not adjustable); one is the bootstrap listener. */
export const MAX_BROKERS = 49;

/** One block per AZ for brokers and one public block (NAT gateway egress), in equal power-of-two slices. */
export function subnetPrefix(vpcPrefix: number, azCount: number): number {
  const slots = azCount + 1;
  return vpcPrefix + Math.ceil(Math.log2(slots));
}

export function brokerSubnetBlock(vpc: Cidr, azCount: number, azIndex: number): Cidr {
  return childBlock(vpc, subnetPrefix(vpc.prefix, azCount), azIndex);
}

export function publicSubnetBlock(vpc: Cidr, azCount: number): Cidr {
  return childBlock(vpc, subnetPrefix(vpc.prefix, azCount), azCount);
}

/** Why a subnet of this prefix cannot hold `brokersPerAz` brokers and an NLB node, or undefined if it can. */
export function capacityProblem(prefix: number, brokersPerAz: number): string | undefined {
  if (prefix > SMALLEST_PREFIX) {
    return `subnets would be /${prefix}; AWS subnets can be no smaller than /${SMALLEST_PREFIX}`;
  }
  const size = 2 ** (32 - prefix);
  const lastOffset = BROKER_IP_OFFSET + brokersPerAz - 1;
  const usable = size - AWS_RESERVED_TOTAL;
  if (lastOffset > size - 2 || brokersPerAz + NLB_FREE_ADDRESSES > usable) {
    return `a /${prefix} subnet (${usable} usable addresses) cannot hold ${brokersPerAz} brokers at offset ${BROKER_IP_OFFSET} and ${NLB_FREE_ADDRESSES} free addresses for the NLB`;
  }
  return undefined;
}
