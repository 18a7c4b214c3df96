/**
 * Auto-accept handlers with aws-sdk-client-mock (the connection APIs are an emulator gap: moto answers 500),
 * the accept table mocked too (test/emulator/accept-window.test.ts runs it on moto's DynamoDB).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import {
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
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
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as acceptConnection } from '../../../functions/accept-connection/handler';
import { handler as acceptSweep } from '../../../functions/accept-sweep/handler';
import { logger } from '../../../functions/lib/logger';
import { lambdaContext } from '../../helpers/lambda';

const ec2 = mockClient(EC2Client);
const dynamodb = mockClient(DynamoDBClient);
const ssm = mockClient(SSMClient);
const TABLE = 'kafka-plc-dev-accept-windows';
const NOW = Date.now();
const WINDOW_ID = 'window-20261201T100000000Z';

/** The table's `window` entry as Query returns it (remaining slots, closing in an hour unless given). */
function windowItem(remaining: number, closesAt = NOW + 3_600_000) {
  return {
    cluster: { S: 'seed-usw2' },
    entry: { S: 'window' },
    id: { S: WINDOW_ID },
    openedAt: { N: String(NOW - 60_000) },
    closesAt: { N: String(closesAt) },
    count: { N: '5' },
    remaining: { N: String(remaining) },
    openedBy: { S: 'provisioning (exec)' },
  };
}
const acceptRecordItem = (id: string, by: string) => ({
  cluster: { S: 'seed-usw2' },
  entry: { S: `endpoint#${id}` },
  vpcEndpointId: { S: id },
  decision: { S: 'accept' },
  at: { N: String(NOW) },
  by: { S: by },
  reason: { S: 'owner is on the allow list' },
});
const cancelled = () => new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {} });
const SERVICE = 'vpce-svc-0123456789abcdef0';
const ALLOWED = '123456789012';
const STRANGER = '999999999999';

function connections(items: { id: string; owner: string; state?: string }[]) {
  ec2.on(DescribeVpcEndpointConnectionsCommand).resolves({
    VpcEndpointConnections: items.map((i) => ({
      ServiceId: SERVICE,
      VpcEndpointId: i.id,
      VpcEndpointOwner: i.owner,
      VpcEndpointState: (i.state ?? 'pendingAcceptance') as never,
    })),
  });
}

const snsEvent = (message: string) => ({ Records: [{ Sns: { Message: message } }] });

describe('auto-accept', () => {
  beforeEach(() => {
    // Prepare: one kafka-plc service allowing one account.
    ec2.reset();
    dynamodb.reset();
    ssm.reset();
    vi.restoreAllMocks();
    // The cluster is this stage's (KAFKA_PLC_STAGE=dev, vitest.config.ts).
    ssm
      .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
      .resolves({ Parameter: { Value: 'dev' } });
    process.env.AWS_REGION = 'us-west-2';
    process.env.ACCEPT_TABLE = TABLE;
    delete process.env.ON_UNKNOWN_OWNER;
    delete process.env.ON_OUTSIDE_WINDOW;
    // An accept window with five slots left; claims and records succeed.
    dynamodb.on(QueryCommand).resolves({ Items: [windowItem(5)] });
    dynamodb.on(TransactWriteItemsCommand).resolves({});
    dynamodb.on(PutItemCommand).resolves({});
    ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
      ServiceConfigurations: [
        {
          ServiceId: SERVICE,
          ServiceState: 'Available',
          Tags: [{ Key: 'kafka-plc:cluster', Value: 'seed-usw2' }],
        },
        { ServiceId: 'vpce-svc-0000000000000000f', ServiceState: 'Available', Tags: [] },
      ],
    });
    ec2.on(DescribeVpcEndpointServicePermissionsCommand).resolves({
      AllowedPrincipals: [{ Principal: `arn:aws:iam::${ALLOWED}:root` }],
    });
    ec2.on(AcceptVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
    ec2.on(RejectVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
  });

  it.each([
    ['SNS notification', () => acceptConnection(snsEvent(`{"ServiceId":"${SERVICE}"}`), lambdaContext())],
    [
      'scheduled sweep',
      () => acceptSweep({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, lambdaContext()),
    ],
  ])('accepts the allow-listed owner and rejects a stranger (%s)', async (_name, invoke) => {
    // Prepare
    connections([
      { id: 'vpce-aaa', owner: ALLOWED },
      { id: 'vpce-bbb', owner: STRANGER },
    ]);
    // Act
    const result = await invoke();
    // Assess
    expect(result).toMatchObject({ services: 1, accepted: ['vpce-aaa'], rejected: ['vpce-bbb'] });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceId: SERVICE, VpcEndpointIds: ['vpce-aaa'] },
    ]);
    expect(ec2.commandCalls(RejectVpcEndpointConnectionsCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceId: SERVICE, VpcEndpointIds: ['vpce-bbb'] },
    ]);
    expect(ec2.commandCalls(DescribeVpcEndpointConnectionsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'service-id', Values: [SERVICE] },
      { Name: 'vpc-endpoint-state', Values: ['pendingAcceptance'] },
    ]);
  });

  it('never accepts a stranger, and leaves it pending when configured to', async () => {
    process.env.ON_UNKNOWN_OWNER = 'leave';
    connections([{ id: 'vpce-bbb', owner: STRANGER }]);
    const result = await acceptSweep({}, lambdaContext());
    expect(result).toMatchObject({ accepted: [], rejected: [], left: ['vpce-bbb'] });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
    expect(ec2.commandCalls(RejectVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  it('writes one audit line per decision with endpoint, owner, decision and reason', async () => {
    const info = vi.spyOn(logger, 'info');
    connections([
      { id: 'vpce-aaa', owner: ALLOWED },
      { id: 'vpce-bbb', owner: STRANGER },
    ]);
    await acceptSweep({}, lambdaContext());
    const audits = info.mock.calls.filter((c) => c[0] === 'endpoint connection decision');
    expect(audits.map((c) => c[1])).toEqual([
      expect.objectContaining({ vpcEndpointId: 'vpce-aaa', vpcEndpointOwner: ALLOWED, decision: 'accept' }),
      expect.objectContaining({ vpcEndpointId: 'vpce-bbb', vpcEndpointOwner: STRANGER, decision: 'reject' }),
    ]);
  });

  it('surfaces Unsuccessful[] as EndpointConnectionError naming the endpoint and code', async () => {
    connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
    ec2.on(AcceptVpcEndpointConnectionsCommand).resolves({
      Unsuccessful: [{ ResourceId: 'vpce-aaa', Error: { Code: 'InvalidParameter', Message: 'nope' } }],
    });
    await expect(acceptSweep({}, lambdaContext())).rejects.toMatchObject({
      name: 'EndpointConnectionError',
      message: expect.stringContaining('accept vpce-aaa (InvalidParameter: nope)'),
    });
  });

  it('is a no-op when the connection was already accepted (repeat event)', async () => {
    connections([]);
    const first = await acceptConnection(snsEvent('{}'), lambdaContext());
    const second = await acceptConnection(snsEvent('{}'), lambdaContext());
    expect(first).toEqual(second);
    expect(first).toMatchObject({ accepted: [], rejected: [] });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  it('translates throttling into AwsThrottledError so the invocation is retried', async () => {
    ec2
      .on(DescribeVpcEndpointConnectionsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    await expect(acceptSweep({}, lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottledError' });
  });

  it('ignores services that are not kafka-plc clusters', async () => {
    connections([]);
    const result = await acceptSweep({}, lambdaContext());
    expect(result).toMatchObject({ services: 1 });
    expect(
      ec2.commandCalls(DescribeVpcEndpointServicePermissionsCommand).map((c) => c.args[0].input.ServiceId),
    ).toEqual([SERVICE]);
  });

  it.each([
    ['another stage owns', { Parameter: { Value: 'prod' } }, 'info', 'belongs to stage prod, not dev'],
    ['no stage owns', undefined, 'warn', 'no stage owns cluster seed-usw2'],
  ])(
    'leaves the service of a cluster %s to its owner: no decision, no Accept or Reject',
    async (_, owner, level, reason) => {
      // Prepare: a pending stranger and an allowed owner, both of which this stage would decide
      if (owner) ssm.on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' }).resolves(owner);
      else
        ssm
          .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
          .rejects(new ParameterNotFound({ message: 'none', $metadata: {} }));
      connections([
        { id: 'vpce-aaa', owner: ALLOWED },
        { id: 'vpce-bbb', owner: STRANGER },
      ]);
      const logged = vi.spyOn(Logger.prototype, level as 'info' | 'warn');
      // Act
      const result = await acceptSweep({}, lambdaContext());
      // Assess
      expect(result).toMatchObject({ services: 0, accepted: [], rejected: [], left: [] });
      expect(ec2.commandCalls(DescribeVpcEndpointConnectionsCommand)).toHaveLength(0);
      expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
      expect(ec2.commandCalls(RejectVpcEndpointConnectionsCommand)).toHaveLength(0);
      expect(dynamodb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
      expect(logged).toHaveBeenCalledWith(
        'endpoint service left to its owner',
        expect.objectContaining({ cluster: 'seed-usw2', reason: expect.stringContaining(reason) }),
      );
    },
  );

  it('claims the window slot and records the decision in one transaction before calling Accept', async () => {
    // Prepare
    connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
    // Act
    await acceptSweep({}, lambdaContext());
    // Assess: the window's remaining decremented only if it is still this window, open, with a slot left
    const [claim] = dynamodb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input);
    expect(claim?.TransactItems?.[0]?.Update).toMatchObject({
      TableName: TABLE,
      Key: { cluster: { S: 'seed-usw2' }, entry: { S: 'window' } },
      UpdateExpression: 'SET #r = #r - :one',
      ConditionExpression: '#id = :w AND #r > :zero AND #until > :now',
      ExpressionAttributeNames: { '#id': 'id', '#r': 'remaining', '#until': 'closesAt' },
      ExpressionAttributeValues: expect.objectContaining({ ':w': { S: WINDOW_ID } }),
    });
    expect(claim?.TransactItems?.[1]?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(#e)',
      Item: expect.objectContaining({ entry: { S: 'endpoint#vpce-aaa' }, by: { S: WINDOW_ID } }),
    });
    expect(dynamodb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(1);
  });

  it.each([
    ['no window was ever opened', []],
    ['the window expired', [windowItem(1, NOW - 1)]],
    ['the window count is used', [windowItem(0)]],
  ])(
    'leaves an allowed owner pending when %s, and the sweep reports it with the way out',
    async (_n, items) => {
      // Prepare
      dynamodb.on(QueryCommand).resolves({ Items: items });
      connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
      const warn = vi.spyOn(logger, 'warn');
      // Act
      const result = await acceptSweep({}, lambdaContext());
      // Assess
      expect(result).toMatchObject({ accepted: [], left: ['vpce-aaa'], outsideWindow: ['vpce-aaa'] });
      expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
      expect(dynamodb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
      const report = warn.mock.calls.find((c) => String(c[0]).includes('no accept window admits'));
      expect(report?.[1]).toMatchObject({
        vpcEndpointIds: ['vpce-aaa'],
        hint: expect.stringContaining('kafka-plc accept'),
      });
    },
  );

  it('rejects an allowed owner outside a window when the stage says reject, recording why first', async () => {
    // Prepare
    process.env.ON_OUTSIDE_WINDOW = 'reject';
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
    // Act
    const result = await acceptSweep({}, lambdaContext());
    // Assess
    expect(result).toMatchObject({ rejected: ['vpce-aaa'], outsideWindow: ['vpce-aaa'] });
    const [record] = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(record?.Item).toMatchObject({ decision: { S: 'reject' }, by: { S: 'onOutsideWindow' } });
    expect(record?.ConditionExpression).toBe('attribute_not_exists(#e)');
  });

  it('follows the other path when it claimed the same connection first (the claim is cancelled)', async () => {
    // Prepare: our claim is cancelled; read again, the record of the other path's claim is there
    connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
    dynamodb.on(TransactWriteItemsCommand).rejects(cancelled());
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [windowItem(1)] })
      .resolves({ Items: [windowItem(0), acceptRecordItem('vpce-aaa', WINDOW_ID)] });
    const info = vi.spyOn(logger, 'info');
    // Act
    const result = await acceptConnection(snsEvent(`{"ServiceId":"${SERVICE}"}`), lambdaContext());
    // Assess: Accept is called again (harmless: AWS reports a state change if the other call won)
    expect(result).toMatchObject({ accepted: ['vpce-aaa'] });
    const audit = info.mock.calls.find((c) => c[0] === 'endpoint connection decision')?.[1];
    expect(audit).toMatchObject({
      decision: 'accept',
      reason: expect.stringContaining(`decided meanwhile by ${WINDOW_ID}`),
    });
  });

  it('leaves the connection when the slot went to another connection meanwhile', async () => {
    // Prepare: cancelled, and read again the window has no slot and no record of ours
    connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
    dynamodb.on(TransactWriteItemsCommand).rejects(cancelled());
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [windowItem(1)] })
      .resolves({ Items: [windowItem(0), acceptRecordItem('vpce-zzz', WINDOW_ID)] });
    // Act
    const result = await acceptSweep({}, lambdaContext());
    // Assess
    expect(result).toMatchObject({ accepted: [], left: ['vpce-aaa'], outsideWindow: ['vpce-aaa'] });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  it('throws AwsThrottledError (retried) when the claim conflicted and nothing was decided', async () => {
    // Prepare: cancelled (TransactionConflict), and the state read again is unchanged
    connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
    dynamodb.on(TransactWriteItemsCommand).rejects(cancelled());
    // Act / Assess
    await expect(acceptSweep({}, lambdaContext())).rejects.toMatchObject({
      name: 'AwsThrottledError',
      message: expect.stringContaining('conflicted with a concurrent write'),
    });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  it('names the missing table and its variable instead of guessing', async () => {
    connections([{ id: 'vpce-aaa', owner: ALLOWED }]);
    dynamodb
      .on(QueryCommand)
      .rejects(
        Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }),
      );
    await expect(acceptSweep({}, lambdaContext())).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining(`table ${TABLE} does not exist (ACCEPT_TABLE)`),
    });
  });
});
