/** The AWS SDK clients a Lambda bundle carries (keyed by their package, @aws-sdk/client-<key>), read from the class names esbuild keeps (keepNames). */
export const SDK_CLIENTS: Record<string, string> = {
  cloudwatch: 'CloudWatchClient',
  dynamodb: 'DynamoDBClient',
  ec2: 'EC2Client',
  'elastic-load-balancing-v2': 'ElasticLoadBalancingV2Client',
  iam: 'IAMClient',
  'secrets-manager': 'SecretsManagerClient',
  sfn: 'SFNClient',
  sns: 'SNSClient',
  ssm: 'SSMClient',
};

export function sdkClientsIn(bundleText: string): string[] {
  return Object.entries(SDK_CLIENTS)
    .filter(([, cls]) => new RegExp(`class ${cls}\\b|"${cls}"`).test(bundleText))
    .map(([name]) => name)
    .sort();
}
