/**
 * kafka-plc rotate-credentials with aws-sdk-client-mock: refused before any change when there is nothing
 * to rotate or no roll could bring the new password to the brokers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { seedSpec } from '../fixtures/specs';
import { answerCaller } from '../helpers/caller';

const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);

async function run(args: string[]) {
  const out: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
  return { code, text: out.join('') };
}

const specs = mkdtempSync(join(tmpdir(), 'kafka-plc-rotate-'));
afterAll(() => rmSync(specs, { recursive: true, force: true }));
let written = 0;

function specFile(consumer: Record<string, unknown>): string {
  const file = join(specs, `spec-${++written}.json`);
  writeFileSync(file, JSON.stringify({ ...seedSpec(), consumer: { ...seedSpec().consumer, ...consumer } }));
  return file;
}

beforeEach(() => {
  sm.reset();
  ssm.reset();
  answerCaller();
  process.env.AWS_REGION = 'us-west-2';
});

describe('kafka-plc rotate-credentials', () => {
  it('a cluster without consumer authentication: exit 2 naming the field, no AWS call', async () => {
    const { code, text } = await run(['rotate-credentials', '--spec', specFile({})]);
    expect(code).toBe(2);
    expect(text).toContain('consumer.authentication');
    expect(text).toContain('has no credential to rotate');
    expect(sm.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('before TiDB Cloud gave its unique name: refused, and the secret is not changed', async () => {
    // Prepare: no unique-name parameter; the spec keeps the placeholder; stage dev owns the cluster
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'none', $metadata: {} }));
    ssm
      .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
      .resolves({ Parameter: { Value: 'dev' } });
    // Act
    const { code, text } = await run([
      'rotate-credentials',
      '--spec',
      specFile({ authentication: 'sasl-scram-sha-512' }),
    ]);
    // Assess
    expect(code).toBe(1);
    expect(text).toContain("needs TiDB Cloud's unique name");
    expect(text).toContain('kafka-plc set-unique-name');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});
