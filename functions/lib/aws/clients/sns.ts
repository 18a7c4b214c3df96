import { SNSClient } from '@aws-sdk/client-sns';
import { clientFor } from '../client-registry';

/** The process's SNSClient for a region (see client-registry.ts). */
export function snsClient(region: string): SNSClient {
  return clientFor('sns', region, (config) => new SNSClient(config));
}
