import { SSMClient } from '@aws-sdk/client-ssm';
import { clientFor } from '../client-registry';

/** The process's SSMClient for a region (see client-registry.ts). */
export function ssmClient(region: string): SSMClient {
  return clientFor('ssm', region, (config) => new SSMClient(config));
}
