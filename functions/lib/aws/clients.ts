/**
 * Every service's client at once, for tests, benchmarks and the CLI (Lambda adapters import only the
 * per-service modules in clients/, so their bundles carry only what they use).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { onClient, resetClients, type SdkClient } from './client-registry';
import { cloudwatchClient } from './clients/cloudwatch';
import { dynamodbClient } from './clients/dynamodb';
import { ec2Client } from './clients/ec2';
import { elbv2Client } from './clients/elbv2';
import { iamClient } from './clients/iam';
import { secretsClient } from './clients/secrets';
import { sfnClient } from './clients/sfn';
import { snsClient } from './clients/sns';
import { ssmClient } from './clients/ssm';

export { resetClients };

export interface Clients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  ssm: SSMClient;
  iam: IAMClient;
  sns: SNSClient;
  sfn: SFNClient;
  dynamodb: DynamoDBClient;
  secretsmanager: SecretsManagerClient;
  cloudwatch: CloudWatchClient;
}

export function clients(region: string): Clients {
  return {
    ec2: ec2Client(region),
    elbv2: elbv2Client(region),
    ssm: ssmClient(region),
    iam: iamClient(region),
    sns: snsClient(region),
    sfn: sfnClient(region),
    dynamodb: dynamodbClient(region),
    secretsmanager: secretsClient(region),
    cloudwatch: cloudwatchClient(region),
  };
}

/** Calls `fn` with each client as it is created (one entry per call), for middleware. */
export function onClients(fn: (set: Partial<Clients>) => void): void {
  onClient((service: string, client: SdkClient) => fn({ [service]: client } as Partial<Clients>));
}
