/**
 * The consumer's SASL password on the emulator: the real provision ASL's EnsureConsumerSecret creates it
 * once in Secrets Manager (tagged, with the resource policy that limits reads to the cluster's VPC), a
 * re-run changes nothing, nothing the workflow returns or sends carries it, and teardown deletes it. The
 * brokers' read is judged against the packaged broker role and that resource policy.
 */
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import { brokerReadPolicy } from '../../functions/lib/aws/secrets';
import { ACCOUNT } from '../aws-model/authorization';
import { judgeWithResourcePolicy, rolePolicies } from '../aws-model/iam';
import { packagedTemplate } from '../aws-model/template';
import { type Emulator, FAST, SEED, startEmulator } from '../helpers/emulator';

const REGION = 'us-west-2';
const SPEC = {
  ...SEED,
  consumer: { ...SEED.consumer, authentication: 'sasl-scram-sha-512', topicPrefix: 'cdc-' },
};
const SECRET = 'kafka-plc/seed-usw2/consumer/tidbcloud';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  await emulator.fresh(REGION);
});

const sm = () => clients(REGION).secretsmanager;

describe('EnsureConsumerSecret in the provision state machine', () => {
  it('creates the password once, tagged, readable from the cluster VPC only; a re-run changes nothing', async () => {
    // Act
    const first = await runLocal('provision', SPEC, FAST);
    const createdCalls = emulator.recorder.calls.filter((c) => c.service === 'secretsmanager' && c.mutating);
    const sent = emulator.recorder.calls.filter((c) => c.operation === 'SendCommand');
    emulator.recorder.clear();
    const again = await runLocal('provision', SPEC, FAST);
    // Assess
    expect(first.status, `${first.error}: ${first.cause}`).toBe('SUCCEEDED');
    expect(again.status).toBe('SUCCEEDED');
    expect(createdCalls.map((c) => c.operation)).toEqual(['CreateSecret', 'PutResourcePolicy']);
    expect(emulator.recorder.calls.filter((c) => c.service === 'secretsmanager' && c.mutating)).toEqual([]);
    const described = await sm().send(new DescribeSecretCommand({ SecretId: SECRET }));
    expect(Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      'kafka-plc:cluster': 'seed-usw2',
      'kafka-plc:role': 'consumer-secret',
    });
    const vpcId = (first.output as { vpcId: string }).vpcId;
    const policy = await sm().send(new GetResourcePolicyCommand({ SecretId: SECRET }));
    expect(JSON.parse(policy.ResourcePolicy ?? '{}')).toEqual(JSON.parse(brokerReadPolicy(vpcId)));
    // Nothing the workflow returned carries the password
    const password = (await sm().send(new GetSecretValueCommand({ SecretId: SECRET }))).SecretString ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(first)).not.toContain(password);
    // What the user needs for TiDB Cloud: the mechanism, the user name, where the password is
    expect((first.output as { consumerSecret: unknown }).consumerSecret).toEqual({
      authentication: 'sasl-scram-sha-512',
      username: 'tidbcloud',
      secretName: SECRET,
      secretArn: described.ARN,
      passwordCommand: `aws secretsmanager get-secret-value --region us-west-2 --secret-id ${described.ARN} --query SecretString --output text`,
    });
    expect(sent.length).toBeGreaterThan(0);
    expect(JSON.stringify(sent)).not.toContain(password);
    // Each function's calls were judged against its packaged role
    expect(emulator.iam.judged.some((j) => j.functionKey === 'ensureConsumerSecret')).toBe(true);
    expect(emulator.iam.denied()).toEqual([]);
  });

  it('makes no secret for a cluster without authentication', async () => {
    const run = await runLocal('provision', SEED, FAST);
    expect(run.status).toBe('SUCCEEDED');
    expect(emulator.recorder.calls.filter((c) => c.service === 'secretsmanager')).toEqual([]);
  });

  it('teardown deletes it for good (a re-provisioned cluster of that name can create it again)', async () => {
    // Prepare
    expect((await runLocal('provision', SPEC, FAST)).status).toBe('SUCCEEDED');
    // Act
    const teardown = await runLocal('teardown', SPEC, FAST);
    // Assess
    expect(teardown.status, `${teardown.error}: ${teardown.cause}`).toBe('SUCCEEDED');
    const listed = await sm().send(new ListSecretsCommand({}));
    expect((listed.SecretList ?? []).map((s) => s.Name)).not.toContain(SECRET);
    const deleted = emulator.recorder.calls.find((c) => c.operation === 'DeleteSecret');
    expect(deleted?.input).toMatchObject({ SecretId: SECRET, ForceDeleteWithoutRecovery: true });
    expect(emulator.iam.denied()).toEqual([]);
  });
});

describe("the brokers' read of the secret (broker role + the secret's resource policy)", () => {
  const role = rolePolicies(packagedTemplate(), REGION, 'BrokerInstanceRole');
  const request = (sourceVpc: string, cluster = 'seed-usw2') => ({
    action: 'secretsmanager:GetSecretValue',
    resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET}-AbCdEf`,
    context: {
      'aws:ResourceTag/kafka-plc:cluster': cluster,
      'aws:ec2InstanceSourceVPC': sourceVpc,
      'ec2:SourceInstanceARN': `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
    },
  });
  const policy = JSON.parse(brokerReadPolicy('vpc-0aaaaaaaaaaaaaaaa'));

  it('allows a broker of the cluster (instance credentials from its VPC)', async () => {
    expect(await judgeWithResourcePolicy(role, request('vpc-0aaaaaaaaaaaaaaaa'), policy)).toBe('Allowed');
  });

  it('denies a broker of another cluster (instance credentials from another VPC), though the role is the same', async () => {
    expect(await judgeWithResourcePolicy(role, request('vpc-0bbbbbbbbbbbbbbbb'), policy)).toBe(
      'ExplicitlyDenied',
    );
  });

  it('the role alone reads only kafka-plc secrets carrying the cluster tag', async () => {
    const other = {
      ...request('vpc-0aaaaaaaaaaaaaaaa'),
      resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf`,
    };
    expect(await judgeWithResourcePolicy(role, other, { Version: '2012-10-17', Statement: [] })).not.toBe(
      'Allowed',
    );
  });
});
