/**
 * Auto-accept handlers with aws-sdk-client-mock (the connection APIs are an emulator gap: moto answers 500).
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  EC2Client,
  RejectVpcEndpointConnectionsCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as acceptConnection } from '../../../functions/accept-connection/handler';
import { handler as acceptSweep } from '../../../functions/accept-sweep/handler';
import { logger } from '../../../functions/lib/logger';
import { lambdaContext } from '../../helpers/lambda';

const ec2 = mockClient(EC2Client);
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
    vi.restoreAllMocks();
    process.env.AWS_REGION = 'us-west-2';
    delete process.env.ON_UNKNOWN_OWNER;
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
});
