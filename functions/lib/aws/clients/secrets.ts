import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientFor } from '../client-registry';

/** The process's SecretsManagerClient for a region (see client-registry.ts). */
export function secretsClient(region: string): SecretsManagerClient {
  return clientFor('secretsmanager', region, (config) => new SecretsManagerClient(config));
}
