/**
 * kafka-plc connections / accept with aws-sdk-client-mock (endpoint connections are an emulator gap: moto
 * answers 500), on the shapes DescribeVpcEndpointConnections returns.
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { logger } from '../../functions/lib/logger';

const ec2 = mockClient(EC2Client);
const SERVICE = 'vpce-svc-0123456789abcdef0';
const MINE = 'vpce-0aaaaaaaaaaaaaaa1';
const STRANGERS = 'vpce-0bbbbbbbbbbbbbbb2';
const LIVE = 'vpce-0ccccccccccccccc3';

async function run(args: string[]) {
  const out: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
  return { code, text: out.join('') };
}

beforeEach(() => {
  // Prepare: seed-usw2's service allows account 123456789012; three connections, as AWS lists them
  ec2.reset();
  process.env.AWS_REGION = 'us-west-2';
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
  it('lists every connection with owner, state, creation time and what auto-accept decides and why', async () => {
    // Act
    const { code, text } = await run(['connections', '--spec', 'examples/seed-usw2.json']);
    // Assess
    expect(code).toBe(0);
    expect(text).toContain(`${SERVICE}); allowed accounts: 123456789012`);
    const row = (id: string) => text.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(row(MINE)).toMatch(
      /123456789012\s+pendingAcceptance\s+2026-12-01T10:00:00.000Z\s+accept\s+owner 123456789012 is on the allow list/,
    );
    expect(row(STRANGERS)).toMatch(
      /999999999999\s+pendingAcceptance\s+.*reject\s+owner 999999999999 is not on the allow list/,
    );
    expect(row(LIVE)).toMatch(
      /available\s+2026-11-30T09:00:00.000Z\s+none\s+state available is not pendingAcceptance/,
    );
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
      [LIVE, 'none'],
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
    const { code, text } = await run(['accept', '--spec', 'examples/seed-usw2.json', '--endpoint', MINE]);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(text)).toEqual({
      serviceId: SERVICE,
      vpcEndpointId: MINE,
      owner: '123456789012',
      accepted: true,
    });
    expect(ec2.commandCalls(AcceptVpcEndpointConnectionsCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceId: SERVICE, VpcEndpointIds: [MINE] },
    ]);
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
