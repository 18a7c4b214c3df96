/** IAM adapter: the broker instance role and profile (AmazonSSMManagedInstanceCore and nothing more). */
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { partitionOf } from '../domain/regions';
import { emulatorMode, moduleLogger } from '../logger';
import { iamClient } from './clients/iam';
import { call, hasCode } from './errors';

const log = moduleLogger('iam');

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

async function exists(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (error) {
    if (hasCode(error, 'NoSuchEntity', 'NoSuchEntityException')) return false;
    throw error;
  }
}

/** What the deployed stack provides, created for a local run against an empty emulator. */
export async function ensureBrokerInstanceProfile(region: string, name: string): Promise<void> {
  const iam = iamClient(region);
  if (!(await exists(() => call('GetRole', () => iam.send(new GetRoleCommand({ RoleName: name })))))) {
    await call('CreateRole', () =>
      iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: EC2_TRUST })),
    );
  }
  const policyArn = `arn:${partitionOf(region)}:iam::aws:policy/AmazonSSMManagedInstanceCore`;
  const attached = await call('ListAttachedRolePolicies', () =>
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })),
  );
  if (!(attached.AttachedPolicies ?? []).some((p) => p.PolicyArn === policyArn)) {
    try {
      await call('AttachRolePolicy', () =>
        iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn })),
      );
    } catch (error) {
      // An emulator without AWS managed policies loaded (moto: MOTO_IAM_LOAD_MANAGED_POLICIES) cannot attach it.
      if (!(emulatorMode() && hasCode(error, 'NoSuchEntity'))) throw error;
      log.warn('emulator gap: AWS managed policy not loaded; broker role left without it', { policyArn });
    }
  }
  const profile = await call('GetInstanceProfile', () =>
    iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })),
  ).catch((error) => {
    if (hasCode(error, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
    throw error;
  });
  if (!profile) {
    await call('CreateInstanceProfile', () =>
      iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name })),
    );
  }
  if (!(profile?.InstanceProfile?.Roles ?? []).some((r) => r.RoleName === name)) {
    await call('AddRoleToInstanceProfile', () =>
      iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name })),
    );
  }
}
