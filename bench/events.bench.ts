import {
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  EC2Client,
  RejectVpcEndpointConnectionsCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeContext, runLocal } from '../cli/local-sfn';
import { SEED, startEmulator } from '../test/helpers/emulator';

export const name = 'events';

const seed = SEED;

/** One decision of the SNS path: two pending connections, an open window (claim + record), a stranger. */
async function acceptDecisionMs(): Promise<number> {
  process.env.AWS_REGION = 'us-west-2';
  process.env.ACCEPT_TABLE = 'kafka-plc-dev-accept-windows';
  process.env.KAFKA_PLC_STAGE = 'dev';
  const ec2 = mockClient(EC2Client);
  const dynamodb = mockClient(DynamoDBClient);
  // Cluster c is this stage's: its service is decided here (another stage's would be skipped unread).
  const ssm = mockClient(SSMClient);
  ssm.on(GetParameterCommand, { Name: '/kafka-plc/c/stage' }).resolves({ Parameter: { Value: 'dev' } });
  dynamodb.on(QueryCommand).resolves({
    Items: [
      {
        cluster: { S: 'c' },
        entry: { S: 'window' },
        id: { S: 'window-bench' },
        openedAt: { N: '0' },
        closesAt: { N: String(Date.now() + 3_600_000) },
        count: { N: '20' },
        remaining: { N: '20' },
        openedBy: { S: 'bench' },
      },
    ],
  });
  dynamodb.on(TransactWriteItemsCommand).resolves({});
  dynamodb.on(PutItemCommand).resolves({});
  ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
    ServiceConfigurations: [
      { ServiceId: 'vpce-svc-0123456789abcdef0', Tags: [{ Key: 'kafka-plc:cluster', Value: 'c' }] },
    ],
  });
  ec2
    .on(DescribeVpcEndpointServicePermissionsCommand)
    .resolves({ AllowedPrincipals: [{ Principal: 'arn:aws:iam::123456789012:root' }] });
  ec2.on(DescribeVpcEndpointConnectionsCommand).resolves({
    VpcEndpointConnections: [
      {
        VpcEndpointId: 'vpce-1',
        VpcEndpointOwner: '123456789012',
        VpcEndpointState: 'pendingAcceptance' as never,
      },
      {
        VpcEndpointId: 'vpce-2',
        VpcEndpointOwner: '999999999999',
        VpcEndpointState: 'pendingAcceptance' as never,
      },
    ],
  });
  ec2.on(AcceptVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
  ec2.on(RejectVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
  const { handler } = await import('../functions/accept-connection/handler');
  const event = { Records: [{ Sns: { Message: '{"ServiceId":"vpce-svc-0123456789abcdef0"}' } }] };
  // What is timed must be a decision, not a skipped service: the first call accepts vpce-1 and rejects vpce-2.
  const first = (await handler(event, fakeContext('warm-up'))) as {
    accepted?: string[];
    rejected?: string[];
  };
  if (first.accepted?.join() !== 'vpce-1' || first.rejected?.join() !== 'vpce-2')
    throw new Error(`the accept bench decided nothing: ${JSON.stringify(first)}`);
  for (let i = 0; i < 19; i++) await handler(event, fakeContext('warm-up'));
  const runs = 300;
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await handler(event, fakeContext('bench'));
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
  ec2.restore();
  dynamodb.restore();
  ssm.restore();
  return Math.round(ms * 1000) / 1000;
}

async function rollApiCalls(): Promise<{ calls: number; mutating: number }> {
  const emulator = await startEmulator();
  try {
    await emulator.fresh();
    await runLocal('provision', seed, { waitScale: 0, retryPauseMs: 0 });
    emulator.recorder.clear();
    process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
    const result = await runLocal(
      'roll-brokers',
      { spec: { ...seed, uniqueName: 'bench-roll' }, previousUniqueName: 'unique_name' },
      { waitScale: 0, retryPauseMs: 0 },
    );
    if (result.status !== 'SUCCEEDED') throw new Error(`roll failed: ${result.error}: ${result.cause}`);
    return { calls: emulator.recorder.calls.length, mutating: emulator.recorder.mutating().length };
  } finally {
    await emulator.stop();
  }
}

export async function run(): Promise<Record<string, number>> {
  const accept = await acceptDecisionMs();
  const roll = await rollApiCalls();
  return {
    accept_decision_ms: accept,
    roll_api_calls_stand_in_health: roll.calls,
    roll_mutating_calls_stand_in_health: roll.mutating,
  };
}
