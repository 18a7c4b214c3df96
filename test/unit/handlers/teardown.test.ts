/**
 * Teardown paths the emulator cannot take, with aws-sdk-client-mock: endpoint connections rejected before
 * the service is deleted, a deletion that "succeeds with failures", deletes blocked by lingering network
 * interfaces (reported, not thrown), already-gone resources as no-ops, and emulator gaps tolerated only in
 * emulator mode.
 */
import {
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcEndpointConnectionNotificationsCommand,
  DeleteVpcEndpointServiceConfigurationsCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointConnectionNotificationsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RejectVpcEndpointConnectionsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { DeleteItemCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../../../functions/lib/spec';
import { teardownEndpointService, teardownNetwork } from '../../../functions/lib/steps/teardown';
import { seedSpec } from '../../fixtures/specs';

const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const dynamodb = mockClient(DynamoDBClient);
const spec = parseClusterSpec(seedSpec());
const TAGS = [{ Key: 'kafka-plc:cluster', Value: 'seed-usw2' }];

const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
const htmlPage = () =>
  Object.assign(new Error('mismatched tag <html>'), {
    name: 'Error',
    $response: { statusCode: 500, headers: { 'content-type': 'text/html' } },
  });

beforeEach(() => {
  ec2.reset();
  elbv2.reset();
  dynamodb.reset();
  process.env.ACCEPT_TABLE = 'kafka-plc-dev-accept-windows';
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  delete process.env.KAFKA_PLC_EMULATOR;
  elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
  ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
    ServiceConfigurations: [{ ServiceId: 'vpce-svc-1', ServiceState: 'Available', Tags: TAGS }],
  });
});

describe('teardownEndpointService', () => {
  it('rejects live endpoint connections and deletes the notifications before deleting the service', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointConnectionsCommand).resolves({
      VpcEndpointConnections: [
        { VpcEndpointId: 'vpce-a', VpcEndpointState: 'Available' },
        { VpcEndpointId: 'vpce-b', VpcEndpointState: 'PendingAcceptance' },
        { VpcEndpointId: 'vpce-c', VpcEndpointState: 'Rejected' },
      ],
    });
    ec2.on(RejectVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
    ec2.on(DescribeVpcEndpointConnectionNotificationsCommand).resolves({
      ConnectionNotificationSet: [{ ConnectionNotificationId: 'vpce-nfn-1' }],
    });
    ec2.on(DeleteVpcEndpointServiceConfigurationsCommand).resolves({ Unsuccessful: [] });
    // Act
    const status = await teardownEndpointService(spec);
    // Assess
    expect(status).toEqual({ ready: false, detail: 'endpoint service: vpce-svc-1 deleting' });
    expect(ec2).toHaveReceivedCommandWith(RejectVpcEndpointConnectionsCommand, {
      ServiceId: 'vpce-svc-1',
      VpcEndpointIds: ['vpce-a', 'vpce-b'],
    });
    expect(ec2).toHaveReceivedCommandWith(DeleteVpcEndpointConnectionNotificationsCommand, {
      ConnectionNotificationIds: ['vpce-nfn-1'],
    });
    const calls = ec2.calls().map((c) => c.args[0].constructor.name);
    expect(calls.indexOf('RejectVpcEndpointConnectionsCommand')).toBeLessThan(
      calls.indexOf('DeleteVpcEndpointServiceConfigurationsCommand'),
    );
  });

  it('reports a deletion that "succeeds with failures" as blocked, naming the reason', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [] });
    ec2.on(DescribeVpcEndpointConnectionNotificationsCommand).resolves({ ConnectionNotificationSet: [] });
    ec2.on(DeleteVpcEndpointServiceConfigurationsCommand).resolves({
      Unsuccessful: [
        {
          ResourceId: 'vpce-svc-1',
          Error: {
            Code: 'ExistingVpcEndpointConnections',
            Message: 'Service has existing active connections',
          },
        },
      ],
    });
    // Act
    const status = await teardownEndpointService(spec);
    // Assess
    expect(status.ready).toBe(false);
    expect(status.detail).toContain('vpce-svc-1 blocked (ExistingVpcEndpointConnections');
  });

  it('a service already deleted is not deleted again', async () => {
    ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
      ServiceConfigurations: [{ ServiceId: 'vpce-svc-1', ServiceState: 'Deleted', Tags: TAGS }],
    });
    expect(await teardownEndpointService(spec)).toEqual({
      ready: true,
      detail: 'endpoint service: nothing left',
    });
    expect(ec2).not.toHaveReceivedCommand(DeleteVpcEndpointServiceConfigurationsCommand);
  });

  it("once the service is gone, removes the cluster's accept window and records, and only those", async () => {
    // Prepare: no service left; the table holds the cluster's window and one record
    ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({ ServiceConfigurations: [] });
    dynamodb.on(QueryCommand).resolves({
      Items: [
        { cluster: { S: 'seed-usw2' }, entry: { S: 'window' }, id: { S: 'window-1' } },
        { cluster: { S: 'seed-usw2' }, entry: { S: 'endpoint#vpce-1' }, vpcEndpointId: { S: 'vpce-1' } },
      ],
    });
    dynamodb.on(DeleteItemCommand).resolves({});
    // Act
    const status = await teardownEndpointService(spec);
    // Assess
    expect(status.ready).toBe(true);
    expect(dynamodb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'kafka-plc-dev-accept-windows',
      ExpressionAttributeValues: { ':c': { S: 'seed-usw2' } },
    });
    expect(dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input.Key)).toEqual([
      { cluster: { S: 'seed-usw2' }, entry: { S: 'window' } },
      { cluster: { S: 'seed-usw2' }, entry: { S: 'endpoint#vpce-1' } },
    ]);
  });

  it('an endpoint without DescribeVpcEndpointConnections fails the step, except against an emulator', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointConnectionsCommand).rejects(htmlPage());
    ec2.on(DescribeVpcEndpointConnectionNotificationsCommand).rejects(htmlPage());
    ec2.on(DeleteVpcEndpointServiceConfigurationsCommand).resolves({ Unsuccessful: [] });
    // Act + Assess
    await expect(teardownEndpointService(spec)).rejects.toMatchObject({ name: 'AwsThrottledError' });
    process.env.KAFKA_PLC_EMULATOR = '1';
    expect((await teardownEndpointService(spec)).detail).toBe('endpoint service: vpce-svc-1 deleting');
  });
});

describe('teardownNetwork', () => {
  beforeEach(() => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', Tags: TAGS }] });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-1', Tags: TAGS },
        { SubnetId: 'subnet-2', Tags: TAGS },
      ],
    });
  });

  it('a subnet still holding network interfaces blocks the VPC: reported, not thrown, VPC kept', async () => {
    // Prepare
    ec2
      .on(DeleteSubnetCommand, { SubnetId: 'subnet-1' })
      .rejects(
        awsError('DependencyViolation', "The subnet 'subnet-1' has dependencies and cannot be deleted."),
      );
    ec2.on(DeleteSubnetCommand, { SubnetId: 'subnet-2' }).resolves({});
    // Act
    const status = await teardownNetwork(spec);
    // Assess
    expect(status.ready).toBe(false);
    expect(status.detail).toContain('subnet-1 blocked');
    expect(ec2).not.toHaveReceivedCommand(DeleteVpcCommand);
  });

  it('resources already gone are no-ops, and the VPC goes once nothing blocks it', async () => {
    // Prepare
    ec2.on(DeleteSubnetCommand).rejects(awsError('InvalidSubnetID.NotFound'));
    ec2.on(DeleteVpcCommand).resolves({});
    // Act
    const status = await teardownNetwork(spec);
    // Assess
    expect(status).toEqual({ ready: true, detail: 'network: nothing left' });
    expect(ec2).toHaveReceivedCommandWith(DeleteVpcCommand, { VpcId: 'vpc-1' });
  });

  it('an error that waiting will not fix fails the step', async () => {
    ec2.on(DeleteSubnetCommand).rejects(awsError('UnauthorizedOperation'));
    await expect(teardownNetwork(spec)).rejects.toMatchObject({ name: 'AwsCallError' });
  });
});
