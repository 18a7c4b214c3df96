/** EC2 instances adapter: broker lookups by tag, launch with a fixed private IP, state reads. */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type Instance,
  RunInstancesCommand,
  StartInstancesCommand,
} from '@aws-sdk/client-ec2';
import { isOurs, type TagMap, tagMap } from '../domain/tags';
import { ApiNotImplementedError, AwsCallError } from '../errors';
import { emulatorMode } from '../logger';
import { ec2Client } from './clients/ec2';
import { tagSpec } from './ec2-network';
import { call } from './errors';

const ec2 = (region: string) => ec2Client(region);
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export interface FoundInstance {
  instanceId: string;
  state: string;
  privateIp: string;
  subnetId: string;
  instanceType: string;
  tags: TagMap;
}

function found(instance: Instance): FoundInstance {
  return {
    instanceId: instance.InstanceId ?? '',
    state: instance.State?.Name ?? 'unknown',
    privateIp: instance.PrivateIpAddress ?? '',
    subnetId: instance.SubnetId ?? '',
    instanceType: instance.InstanceType ?? 'unknown',
    tags: tagMap(instance.Tags),
  };
}

async function describe(region: string, input: ConstructorParameters<typeof DescribeInstancesCommand>[0]) {
  const result: FoundInstance[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeInstances', () =>
      ec2(region).send(new DescribeInstancesCommand({ ...input, NextToken: token })),
    );
    for (const reservation of out.Reservations ?? [])
      result.push(...(reservation.Instances ?? []).map(found));
    token = out.NextToken;
  } while (token);
  return result;
}

/** Live (not terminated) instances tagged for the cluster. */
export async function clusterInstances(region: string, cluster: string): Promise<FoundInstance[]> {
  const all = await describe(region, {
    Filters: [
      { Name: 'tag:kafka-plc:cluster', Values: [cluster] },
      { Name: 'instance-state-name', Values: LIVE_STATES },
    ],
  });
  return all.filter((i) => isOurs(i.tags, cluster) && LIVE_STATES.includes(i.state));
}

export async function instancesById(region: string, instanceIds: string[]): Promise<FoundInstance[]> {
  if (instanceIds.length === 0) return [];
  return describe(region, { InstanceIds: instanceIds });
}

export async function instanceAtIp(
  region: string,
  vpcId: string,
  ip: string,
): Promise<FoundInstance | undefined> {
  const all = await describe(region, {
    Filters: [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'private-ip-address', Values: [ip] },
      { Name: 'instance-state-name', Values: LIVE_STATES },
    ],
  });
  return all[0];
}

export async function rootDeviceName(region: string, imageId: string): Promise<string> {
  const out = await call('DescribeImages', () =>
    ec2(region).send(new DescribeImagesCommand({ ImageIds: [imageId] })),
  );
  return out.Images?.[0]?.RootDeviceName ?? '/dev/xvda';
}

export interface LaunchInput {
  imageId: string;
  instanceType: string;
  subnetId: string;
  privateIp: string;
  securityGroupId: string;
  instanceProfileName: string;
  rootDeviceName: string;
  volumeSizeGiB: number;
  tags: TagMap;
  clientToken: string;
}

/**
 * moto answers RunInstances at an address already in use with a bare HTTP 500 (an emulator gap: AWS says
 * InvalidIPAddress.InUse). Against an emulator only, that answer is translated to what AWS would say.
 */
async function translateIpInUseGap(region: string, input: LaunchInput, error: unknown): Promise<never> {
  if (error instanceof ApiNotImplementedError && emulatorMode()) {
    const holders = await describe(region, {
      Filters: [
        { Name: 'subnet-id', Values: [input.subnetId] },
        { Name: 'private-ip-address', Values: [input.privateIp] },
        { Name: 'instance-state-name', Values: LIVE_STATES },
      ],
    });
    if (holders.length > 0) {
      throw new AwsCallError(
        `RunInstances failed: InvalidIPAddress.InUse: ${input.privateIp} (emulator answer translated)`,
        'InvalidIPAddress.InUse',
        { cause: error },
      );
    }
  }
  throw error;
}

export async function launchInstance(region: string, input: LaunchInput): Promise<FoundInstance> {
  const out = await runInstances(region, input).catch((error) => translateIpInUseGap(region, input, error));
  const instance = out.Instances?.[0];
  return instance
    ? found(instance)
    : {
        instanceId: '',
        state: 'unknown',
        privateIp: input.privateIp,
        subnetId: input.subnetId,
        instanceType: input.instanceType,
        tags: input.tags,
      };
}

function runInstances(region: string, input: LaunchInput) {
  return call('RunInstances', () =>
    ec2(region).send(
      new RunInstancesCommand({
        ImageId: input.imageId,
        InstanceType: input.instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        ClientToken: input.clientToken,
        NetworkInterfaces: [
          {
            DeviceIndex: 0,
            SubnetId: input.subnetId,
            PrivateIpAddress: input.privateIp,
            Groups: [input.securityGroupId],
            AssociatePublicIpAddress: false,
            DeleteOnTermination: true,
          },
        ],
        IamInstanceProfile: { Name: input.instanceProfileName },
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          {
            DeviceName: input.rootDeviceName,
            Ebs: {
              VolumeSize: input.volumeSizeGiB,
              VolumeType: 'gp3',
              Encrypted: true,
              DeleteOnTermination: true,
            },
          },
        ],
        TagSpecifications: [...tagSpec('instance', input.tags), ...tagSpec('volume', input.tags)],
      }),
    ),
  );
}

export async function startInstances(region: string, instanceIds: string[]): Promise<void> {
  if (instanceIds.length === 0) return;
  await call('StartInstances', () =>
    ec2(region).send(new StartInstancesCommand({ InstanceIds: instanceIds })),
  );
}
