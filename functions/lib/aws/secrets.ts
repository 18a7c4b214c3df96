/**
 * The consumer's SASL password in AWS Secrets Manager (domain/consumer-auth.ts). Created once per consumer
 * (the value generated here, never logged or returned), tagged with the cluster, readable by brokers only
 * from the cluster's own VPC (a resource policy: instance credentials from another VPC are denied —
 * aws:ec2InstanceSourceVPC, "AWS global condition context keys", IAM User Guide), and deleted by teardown
 * without a recovery window, so a re-provisioned cluster of the same name can create it again.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { CLUSTER_TAG } from '../domain/names';
import { type TagMap, tagMap } from '../domain/tags';
import { ResourceConflictError } from '../errors';
import { secretsClient } from './clients/secrets';
import { call, hasCode } from './errors';

const sm = (region: string) => secretsClient(region);

/** 32 characters of [A-Za-z0-9_-] (192 random bits): safe in JAAS, properties and SCRAM config syntax. */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

export function brokerReadPolicy(vpcId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyThisClustersBrokers',
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: {
          StringNotEquals: { 'aws:ec2InstanceSourceVPC': vpcId },
          Null: { 'ec2:SourceInstanceARN': 'false' },
        },
      },
    ],
  });
}

export interface FoundSecret {
  arn: string;
  name: string;
  created: boolean;
}

async function describe(region: string, name: string) {
  try {
    return await call('DescribeSecret', () => sm(region).send(new DescribeSecretCommand({ SecretId: name })));
  } catch (error) {
    if (hasCode(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** The secret `name`, created with a new password when absent; its resource policy kept as `vpcId`'s. */
export async function ensureSecret(
  region: string,
  name: string,
  tags: TagMap,
  vpcId: string,
  description: string,
): Promise<FoundSecret> {
  let found = await describe(region, name);
  let created = false;
  if (found?.DeletedDate)
    throw new ResourceConflictError(
      `secret ${name} is scheduled for deletion (${found.DeletedDate.toISOString()}): restore it (aws secretsmanager restore-secret) or delete it for good, then run again`,
    );
  if (!found) {
    try {
      await call('CreateSecret', () =>
        sm(region).send(
          new CreateSecretCommand({
            Name: name,
            Description: description,
            SecretString: newPassword(),
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
      created = true;
    } catch (error) {
      // A retried create whose first try succeeded: the secret is there, with the first password.
      if (!hasCode(error, 'ResourceExistsException')) throw error;
    }
    found = await describe(region, name);
  }
  if (!found?.ARN) throw new ResourceConflictError(`secret ${name} was created but cannot be described`);
  const wanted = brokerReadPolicy(vpcId);
  const current = await call('GetResourcePolicy', () =>
    sm(region).send(new GetResourcePolicyCommand({ SecretId: found.ARN })),
  );
  if (!current.ResourcePolicy || JSON.stringify(JSON.parse(current.ResourcePolicy)) !== wanted) {
    await call('PutResourcePolicy', () =>
      sm(region).send(
        new PutResourcePolicyCommand({
          SecretId: found.ARN,
          ResourcePolicy: wanted,
          BlockPublicPolicy: true,
        }),
      ),
    );
  }
  return { arn: found.ARN, name, created };
}

/** The version labelled AWSCURRENT; undefined when the secret does not exist. */
export async function currentVersion(region: string, name: string): Promise<string | undefined> {
  const found = await describe(region, name);
  if (!found || found.DeletedDate) return undefined;
  return Object.entries(found.VersionIdsToStages ?? {}).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0];
}

/** A new password as the secret's current version (the previous one becomes AWSPREVIOUS); its VersionId. */
export async function rotatePassword(region: string, name: string): Promise<string> {
  const out = await call('PutSecretValue', () =>
    sm(region).send(new PutSecretValueCommand({ SecretId: name, SecretString: newPassword() })),
  );
  if (!out.VersionId) throw new ResourceConflictError(`PutSecretValue on ${name} returned no VersionId`);
  return out.VersionId;
}

/** The cluster's secrets: named under kafka-plc/<cluster>/ and tagged with it (both, so nothing else matches). */
export async function clusterSecrets(region: string, cluster: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const out = await call('ListSecrets', () =>
      sm(region).send(
        new ListSecretsCommand({
          Filters: [{ Key: 'name', Values: [`kafka-plc/${cluster}/`] }],
          NextToken: token,
        }),
      ),
    );
    for (const secret of out.SecretList ?? []) {
      if (secret.Name?.startsWith(`kafka-plc/${cluster}/`) && tagMap(secret.Tags)[CLUSTER_TAG] === cluster)
        names.push(secret.Name);
    }
    token = out.NextToken;
  } while (token);
  return names;
}

/** Deletes the secret for good (no recovery window); 'absent' when there is none. */
export async function deleteSecret(region: string, name: string): Promise<'deleted' | 'absent'> {
  try {
    await call('DeleteSecret', () =>
      sm(region).send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })),
    );
    return 'deleted';
  } catch (error) {
    if (hasCode(error, 'ResourceNotFoundException')) return 'absent';
    throw error;
  }
}
