import { STSClient } from '@aws-sdk/client-sts';
import { clientFor } from '../client-registry';

/** The process's STSClient for a region (see client-registry.ts). */
export function stsClient(region: string): STSClient {
  return clientFor('sts', region, (config) => new STSClient(config));
}
