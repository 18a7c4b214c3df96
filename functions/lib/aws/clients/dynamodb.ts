import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientFor } from '../client-registry';

/** The process's DynamoDBClient for a region (see client-registry.ts). */
export function dynamodbClient(region: string): DynamoDBClient {
  return clientFor('dynamodb', region, (config) => new DynamoDBClient(config));
}
