/**
 * A Kafka cluster kafka-plc did not build, as a user has it, created in the emulator with the SDK: a VPC,
 * a subnet in each of usw2-az1..3, the user's own security group, and broker instances spread over the
 * subnets — nothing tagged for kafka-plc. Used by expose-existing's tests and the history bench (49 brokers).
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { clients } from '../../functions/lib/aws/clients';
import type { ClusterSpecInput } from '../../functions/lib/spec';

export const REGION = 'us-west-2';
export const CONFIG_PATH = '/opt/kafka/config/kraft/server.properties';
const AZ_IDS = ['usw2-az1', 'usw2-az2', 'usw2-az3'];

export interface ExistingCluster {
  vpcId: string;
  subnetIds: string[];
  userGroupId: string;
  /** Instance ID of node 1, 2, 3 … (broker N in usw2-az((N-1) mod 3 + 1)). */
  instanceIds: string[];
}

async function latestAmi(): Promise<string | undefined> {
  const { ssm } = clients(REGION);
  const name = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
  return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
}

/** A user's instance in a subnet with the user's group (no kafka-plc tag); returns its ID. */
export async function launchUserInstance(input: {
  subnetId: string;
  ip: string;
  groupId: string;
  name: string;
}) {
  const out = await clients(REGION).ec2.send(
    new RunInstancesCommand({
      ImageId: await latestAmi(),
      InstanceType: 't3.large',
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: input.subnetId,
          PrivateIpAddress: input.ip,
          Groups: [input.groupId],
          AssociatePublicIpAddress: false,
        },
      ],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: input.name }] }],
    }),
  );
  return out.Instances?.[0]?.InstanceId ?? '';
}

export async function createSubnet(vpcId: string, cidr: string, azId: string): Promise<string> {
  const out = await clients(REGION).ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZoneId: azId }),
  );
  return out.Subnet?.SubnetId ?? '';
}

/** What a user already runs: `brokers` instances (3 by default), nothing tagged for kafka-plc. */
export async function createExistingCluster(brokers = 3): Promise<ExistingCluster> {
  const { ec2 } = clients(REGION);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnetIds: string[] = [];
  for (const [index, azId] of AZ_IDS.entries()) {
    subnetIds.push(await createSubnet(vpcId, `10.20.${index * 16}.0/20`, azId));
  }
  const userGroupId =
    (
      await ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: 'kafka-cluster',
          Description: 'our Kafka',
        }),
      )
    ).GroupId ?? '';
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: userGroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 9092, ToPort: 9092, IpRanges: [{ CidrIp: '10.20.0.0/16' }] },
      ],
    }),
  );
  const instanceIds: string[] = [];
  for (let i = 0; i < brokers; i += 1) {
    const az = i % AZ_IDS.length;
    instanceIds.push(
      await launchUserInstance({
        subnetId: subnetIds[az] ?? '',
        ip: `10.20.${az * 16}.${25 + Math.floor(i / AZ_IDS.length)}`,
        groupId: userGroupId,
        name: `kafka-${i + 1}`,
      }),
    );
  }
  return { vpcId, subnetIds, userGroupId, instanceIds };
}

/** The spec exposing `cluster` as `clusterName` (node N = the Nth instance). */
export function existingSpec(
  cluster: ExistingCluster,
  clusterName: string,
  overrides: Partial<ClusterSpecInput> = {},
): ClusterSpecInput {
  return {
    clusterName,
    region: REGION,
    azIds: AZ_IDS,
    consumer: { principals: ['arn:aws:iam::123456789012:root'], cidrs: ['10.100.0.0/16'] },
    existing: {
      vpcId: cluster.vpcId,
      brokers: cluster.instanceIds.map((instanceId, index) => ({
        instanceId,
        nodeId: index + 1,
        configPath: CONFIG_PATH,
      })),
    },
    ...overrides,
  };
}
