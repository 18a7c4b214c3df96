/**
 * The consumer secret adapter (functions/lib/aws/secrets.ts) with aws-sdk-client-mock: the orderings the
 * emulator does not produce (a retried create, a secret scheduled for deletion, a policy already right).
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { brokerReadPolicy, ensureSecret, newPassword } from '../../../functions/lib/aws/secrets';

const sm = mockClient(SecretsManagerClient);
const NAME = 'kafka-plc/c1/consumer/tidbcloud';
const ARN = `arn:aws:secretsmanager:us-west-2:123456789012:secret:${NAME}-AbCdEf`;
const TAGS = { 'kafka-plc:cluster': 'c1' };
const missing = () => new ResourceNotFoundException({ message: 'not found', $metadata: {} });

beforeEach(() => {
  sm.reset();
  sm.on(GetResourcePolicyCommand).resolves({});
  sm.on(PutResourcePolicyCommand).resolves({});
});

describe('ensureSecret', () => {
  it('creates it with a fresh password and the tags, then sets the VPC-only read policy', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejectsOnce(missing()).resolves({ ARN, Name: NAME });
    sm.on(CreateSecretCommand).resolves({ ARN });
    // Act
    const found = await ensureSecret('us-west-2', NAME, TAGS, 'vpc-1', 'd');
    // Assess
    expect(found).toEqual({ arn: ARN, name: NAME, created: true });
    const create = sm.commandCalls(CreateSecretCommand)[0]?.args[0].input;
    expect(create).toMatchObject({ Name: NAME, Tags: [{ Key: 'kafka-plc:cluster', Value: 'c1' }] });
    expect(create?.SecretString).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(sm.commandCalls(PutResourcePolicyCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      ResourcePolicy: brokerReadPolicy('vpc-1'),
      BlockPublicPolicy: true,
    });
  });

  it('a retried create whose first try succeeded keeps the first password (ResourceExists is an answer)', async () => {
    sm.on(DescribeSecretCommand).rejectsOnce(missing()).resolves({ ARN, Name: NAME });
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    const found = await ensureSecret('us-west-2', NAME, TAGS, 'vpc-1', 'd');
    expect(found).toEqual({ arn: ARN, name: NAME, created: false });
  });

  it('leaves an existing secret and a right policy alone (no write)', async () => {
    sm.on(DescribeSecretCommand).resolves({ ARN, Name: NAME });
    sm.on(GetResourcePolicyCommand).resolves({ ResourcePolicy: brokerReadPolicy('vpc-1') });
    await ensureSecret('us-west-2', NAME, TAGS, 'vpc-1', 'd');
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect(sm.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
  });

  it('refuses a secret scheduled for deletion, saying how to go on', async () => {
    sm.on(DescribeSecretCommand).resolves({ ARN, Name: NAME, DeletedDate: new Date('2026-12-01T00:00:00Z') });
    await expect(ensureSecret('us-west-2', NAME, TAGS, 'vpc-1', 'd')).rejects.toMatchObject({
      name: 'ResourceConflictError',
      message: expect.stringContaining('scheduled for deletion'),
    });
  });

  it('passwords are 32 characters of [A-Za-z0-9_-] and differ', () => {
    const a = newPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newPassword()).not.toBe(a);
  });
});
