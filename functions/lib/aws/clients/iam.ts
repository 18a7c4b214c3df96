import { IAMClient } from '@aws-sdk/client-iam';
import { clientFor } from '../client-registry';

/** The process's IAMClient for a region (see client-registry.ts). */
export function iamClient(region: string): IAMClient {
  return clientFor('iam', region, (config) => new IAMClient(config));
}
