import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { clientFor } from '../client-registry';

/**
 * The process's CloudWatchClient for a region (see client-registry.ts), speaking the Query protocol.
 * CloudWatch serves both AWS JSON 1.0 (the SDK's default since it became "awsQueryCompatible") and the
 * Query protocol it has always had ("Making API requests", Amazon CloudWatch API Reference: query requests
 * with Action and Version 2010-08-01); the client's protocol setting is the SDK's own switch for that.
 * moto 5.2.5 answers CloudWatch only in Query, so one protocol on AWS and in the emulator keeps one code path:
 * the requests the emulator tests judge are the ones AWS receives.
 */
export function cloudwatchClient(region: string): CloudWatchClient {
  return clientFor(
    'cloudwatch',
    region,
    (config) => new CloudWatchClient({ ...config, protocol: AwsQueryProtocol }),
  );
}
