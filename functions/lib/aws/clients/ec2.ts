import { EC2Client } from '@aws-sdk/client-ec2';
import { clientFor } from '../client-registry';

/** The process's EC2Client for a region (see client-registry.ts). */
export function ec2Client(region: string): EC2Client {
  return clientFor('ec2', region, (config) => new EC2Client(config));
}
