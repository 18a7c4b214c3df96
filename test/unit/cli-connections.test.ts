/**
 * kafka-plc connections / accept with aws-sdk-client-mock (endpoint connections are an emulator gap: moto
 * answers 500), on the shapes DescribeVpcEndpointConnections returns.
 */

import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { logger } from '../../functions/lib/logger';
import { answerCaller } from '../helpers/caller';

const ec2 = mockClient(EC2Client);
const dynamodb = mockClient(DynamoDBClient);
const ssm = mockClient(SSMClient);
const WINDOW = 'window-20261201T093000000Z';
const NOW = Date.now();
const SERVICE = 'vpce-svc-0123456789abcdef0';
const MINE = 'vpce-0aaaaaaaaaaaaaaa1';
const STRANGERS = 'vpce-0bbbbbbbbbbbbbbb2';
const LIVE = 'vpce-0ccccccccccccccc3';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  // `text`: stdout, then stderr (the line naming the account and region comes first on stderr)
  return { code, text: out.join('') + err.join(''), stdout: out.join(''), stderr: err.join('') };
}

beforeEach(() => {
  // Prepare: seed-usw2's service allows account 123456789012; three connections, as AWS lists them
  ec2.reset();
  dynamodb.reset();
  ssm.reset();
  answerCaller();
  // Stage dev owns the cluster: its accept table (kafka-plc-dev-accept-windows) holds the windows
  ssm
    .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
    .resolves({ Parameter: { Value: 'dev' } });
  process.env.AWS_REGION = 'us-west-2';
  delete process.env.ACCEPT_TABLE;
  // The accept table: a window with one slot left, and the record of how LIVE was accepted
  dynamodb.on(QueryCommand).resolves({
    Items: [
      {
        cluster: { S: 'seed-usw2' },
        entry: { S: 'window' },
        id: { S: WINDOW },
        openedAt: { N: String(NOW - 60_000) },
        closesAt: { N: String(NOW + 3_600_000) },
        count: { N: '2' },
        remaining: { N: '1' },
        openedBy: { S: 'kafka-plc accept-window' },
      },
      {
        cluster: { S: 'seed-usw2' },
        entry: { S: `endpoint#${LIVE}` },
        vpcEndpointId: { S: LIVE },
        decision: { S: 'accept' },
        at: { N: String(Date.parse('2026-11-30T09:01:00Z')) },
        by: { S: WINDOW },
        reason: { S: `owner 123456789012 is on the allow list; inside ${WINDOW}` },
      },
    ],
  });
  dynamodb.on(PutItemCommand).resolves({});
  ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
    ServiceConfigurations: [
      {
        ServiceId: SERVICE,
        ServiceName: `com.amazonaws.vpce.us-west-2.${SERVICE}`,
        ServiceState: 'Available',
        Tags: [
          { Key: 'kafka-plc:cluster', Value: 'seed-usw2' },
          { Key: 'kafka-plc:role', Value: 'endpoint-service' },
        ],
      },
    ],
  });
  ec2
    .on(DescribeVpcEndpointServicePermissionsCommand)
    .resolves({ AllowedPrincipals: [{ Principal: 'arn:aws:iam::123456789012:root' }] });
  ec2.on(DescribeVpcEndpointConnectionsCommand).resolves({
    VpcEndpointConnections: [
      {
        ServiceId: SERVICE,
        VpcEndpointId: MINE,
        VpcEndpointOwner: '123456789012',
        VpcEndpointState: 'pendingAcceptance' as never,
        CreationTimestamp: new Date('2026-12-01T10:00:00Z'),
      },
      {
        ServiceId: SERVICE,
        VpcEndpointId: STRANGERS,
        VpcEndpointOwner: '999999999999',
        VpcEndpointState: 'pendingAcceptance' as never,
        CreationTimestamp: new Date('2026-12-01T10:05:00Z'),
      },
      {
        ServiceId: SERVICE,
        VpcEndpointId: LIVE,
        VpcEndpointOwner: '123456789012',
        VpcEndpointState: 'available' as never,
        CreationTimestamp: new Date('2026-11-30T09:00:00Z'),
      },
    ],
  });
  ec2.on(AcceptVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
});
afterEach(() => vi.restoreAllMocks());

describe('kafka-plc connections', () => {
  it('lists every connection with owner, state, creation time, who decided it when, and why', async () => {
    // Act
    const { code, text } = await run(['connections', '--spec', 'examples/seed-usw2.json']);
    // Assess
    expect(code).toBe(0);
    expect(text).toContain(`${SERVICE}); allowed accounts: 123456789012`);
    const row = (id: string) => text.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(text).toContain(`accept window: ${WINDOW} open until `);
    expect(text).toContain('1 of 2 acceptance(s) left');
    expect(row(MINE)).toMatch(
      /123456789012\s+pendingAcceptance\s+2026-12-01T10:00:00.000Z\s+accept\s+\(auto-accept, now\)\s+owner 123456789012 is on the allow list; inside window-/,
    );
    expect(row(STRANGERS)).toMatch(
      /999999999999\s+pendingAcceptance\s+.*reject\s+\(auto-accept, now\)\s+owner 999999999999 is not on the allow list/,
    );
    expect(row(LIVE)).toMatch(
      new RegExp(
        `available\\s+2026-11-30T09:00:00.000Z\\s+accept\\s+${WINDOW} at 2026-11-30T09:01:00.000Z\\s+owner 123456789012 is on the allow list; inside ${WINDOW}`,
      ),
    );
    expect(dynamodb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'kafka-plc-dev-accept-windows',
      ConsistentRead: true,
    });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  it('prints JSON with --format json, and the stage setting with --on-unknown leave', async () => {
    // Act
    const { code, text } = await run([
      'connections',
      '--spec',
      'examples/seed-usw2.json',
      '--format',
      'json',
      '--on-unknown',
      'leave',
    ]);
    // Assess
    expect(code).toBe(0);
    const listed = JSON.parse(text) as { connections: { vpcEndpointId: string; decision: string }[] };
    expect(listed.connections.map((c) => [c.vpcEndpointId, c.decision])).toEqual([
      [MINE, 'accept'],
      [STRANGERS, 'leave'],
      [LIVE, 'accept'],
    ]);
  });

  it('rejects an unknown --format or --on-unknown with exit 2 before any AWS call', async () => {
    for (const args of [
      ['--format', 'yaml'],
      ['--on-unknown', 'accept'],
    ]) {
      const { code, text } = await run(['connections', '--spec', 'examples/seed-usw2.json', ...args]);
      expect(code).toBe(2);
      expect(text).toContain(args[0]);
    }
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('kafka-plc accept --endpoint', () => {
  it('accepts exactly the named pending endpoint of an allowed owner, with an audit line saying who decided', async () => {
    // Prepare
    const info = vi.spyOn(logger, 'info');
    // Act
    const { code, stdout, stderr } = await run([
      'accept',
      '--spec',
      'examples/seed-usw2.json',
      '--endpoint',
      MINE,
    ]);
    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe(
      `AWS account 123456789012 as arn:aws:iam::123456789012:user/operator, region us-west-2, stage dev: accept endpoint ${MINE} on cluster seed-usw2's service\n`,
    );
    expect(JSON.parse(stdout)).toEqual({
      serviceId: SERVICE,
      vpcEndpointId: MINE,
      owner: '123456789012',
      accepted: true,
    });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceId: SERVICE, VpcEndpointIds: [MINE] },
    ]);
    // Recorded before the call, so `connections` says who accepted it; no window slot is taken
    const [record] = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(record?.Item).toMatchObject({
      entry: { S: `endpoint#${MINE}` },
      decision: { S: 'accept' },
      by: { S: 'kafka-plc accept' },
    });
    expect(info).toHaveBeenCalledWith(
      'endpoint connection decision',
      expect.objectContaining({
        audit: true,
        vpcEndpointId: MINE,
        decision: 'accept',
        reason: 'named by "kafka-plc accept" (owner 123456789012 is on the allow list)',
      }),
    );
  });

  it("refuses a stranger's endpoint, one already available and an unknown ID, accepting nothing", async () => {
    // Act
    const stranger = await run(['accept', '--spec', 'examples/seed-usw2.json', '--endpoint', STRANGERS]);
    const live = await run(['accept', '--spec', 'examples/seed-usw2.json', '--endpoint', LIVE]);
    const unknown = await run([
      'accept',
      '--spec',
      'examples/seed-usw2.json',
      '--endpoint',
      'vpce-0ddddddddddddddd4',
    ]);
    // Assess
    expect(stranger).toMatchObject({ code: 1 });
    expect(stranger.text).toContain(
      `${STRANGERS} is not accepted: owner 999999999999 is not on the allow list`,
    );
    expect(live.text).toContain(`${LIVE} is not accepted: state available is not pendingAcceptance`);
    expect(unknown.text).toContain(
      'vpce-0ddddddddddddddd4 has no connection to com.amazonaws.vpce.us-west-2.',
    );
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  it('names a malformed endpoint ID and exits 2 before any AWS call', async () => {
    // Act
    const { code, text } = await run([
      'accept',
      '--spec',
      'examples/seed-usw2.json',
      '--endpoint',
      'vpce-XYZ',
    ]);
    // Assess
    expect(code).toBe(2);
    expect(text).toContain('--endpoint = "vpce-XYZ": must be a VPC endpoint ID like vpce-0123456789abcdef0');
    expect(ec2.calls()).toHaveLength(0);
  });

  it('says so when the cluster has no endpoint service', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({ ServiceConfigurations: [] });
    // Act
    const { code, text } = await run(['accept', '--spec', 'examples/seed-usw2.json', '--endpoint', MINE]);
    // Assess
    expect(code).toBe(1);
    expect(text).toContain('cluster seed-usw2 has no endpoint service in us-west-2: provision it first');
  });
});

describe('kafka-plc accept-window', () => {
  it('opens a window for the next K connections, replacing the last, and says until when', async () => {
    // Act
    const { code, text } = await run([
      'accept-window',
      '--spec',
      'examples/seed-usw2.json',
      '--minutes',
      '30',
      '--count',
      '2',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(text).toMatch(/^seed-usw2: window-\d{8}T\d{9}Z open until .*, 2 of 2 acceptance\(s\) left/);
    const [put] = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(put).toMatchObject({
      TableName: 'kafka-plc-dev-accept-windows',
      Item: { entry: { S: 'window' } },
    });
    expect(put?.ConditionExpression).toBeUndefined();
    const item = put?.Item ?? {};
    expect(Number(item.closesAt?.N) - Number(item.openedAt?.N)).toBe(30 * 60_000);
    expect(item.remaining).toEqual({ N: '2' });
    expect(item.openedBy).toEqual({ S: 'kafka-plc accept-window' });
  });

  it.each([
    [['--minutes', '0'], '--minutes = "0": must be 1..10080 minutes'],
    [['--minutes', 'soon'], '--minutes = "soon"'],
    [['--minutes', '60', '--count', '0'], '--count = "0": must be 1..20'],
    [['--minutes', '60', '--count', '2.5'], '--count = "2.5"'],
    [[], '--minutes is required'],
  ])('refuses %j with exit 2, naming the flag, before any AWS call', async (args, message) => {
    // Act
    const { code, text } = await run(['accept-window', '--spec', 'examples/seed-usw2.json', ...args]);
    // Assess
    expect(code).toBe(2);
    expect(text).toContain(message);
    expect(text).not.toContain('    at ');
    expect(dynamodb.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });
});
