import { SFNClient } from '@aws-sdk/client-sfn';
import { clientFor } from '../client-registry';

/** The process's SFNClient for a region (see client-registry.ts). */
export function sfnClient(region: string): SFNClient {
  return clientFor('sfn', region, (config) => new SFNClient(config));
}
