/**
 * The CLI explains itself: per-command --help and --version, "did you mean" for commands, options and spec
 * fields, messages in our words instead of the schema library's, --local refused without an emulator,
 * set-unique-name refusing a cluster that does not exist, and a hint when the SDK finds no credentials.
 * AWS is mocked (aws-sdk-client-mock): each refusal is shown to make no AWS call.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsSetupHint, main, USAGE } from '../../cli/main';
import { seedSpec } from '../fixtures/specs';
import { answerCaller, sts } from '../helpers/caller';

const sfn = mockClient(SFNClient);
const ssm = mockClient(SSMClient);

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const specs = mkdtempSync(join(tmpdir(), 'kafka-plc-help-'));
afterAll(() => rmSync(specs, { recursive: true, force: true }));
let written = 0;

function specFile(spec: Record<string, unknown>): string {
  const file = join(specs, `spec-${++written}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

const endpoint = process.env.AWS_ENDPOINT_URL;
beforeEach(() => {
  sfn.reset();
  ssm.reset();
  answerCaller();
  delete process.env.AWS_ENDPOINT_URL;
});
afterEach(() => {
  if (endpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = endpoint;
});
const noAwsCall = () => {
  expect(sfn.calls()).toHaveLength(0);
  expect(ssm.calls()).toHaveLength(0);
};

describe('help and version', () => {
  it('<command> --help prints that command alone, exit 0, before reading any spec', async () => {
    // Act
    const result = await run(['roll', '--spec', '/does/not/exist.json', '--help']);
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kafka-plc roll --spec FILE \[--unique-name V\]/);
    expect(result.stdout).toContain('one at a time, each only when safe');
    expect(result.stdout).not.toContain('provision --spec');
    expect(result.stderr).toBe('');
    noAwsCall();
  });

  it('help COMMAND is the same; help lists every command with its synopsis', async () => {
    expect((await run(['help', 'status'])).stdout).toBe((await run(['status', '-h'])).stdout);
    const all = (await run(['help'])).stdout;
    expect(all).toBe(USAGE);
    for (const name of ['plan', 'provision', 'teardown', 'set-unique-name', 'roll', 'status', 'version'])
      expect(all).toContain(`\n  ${name}`);
  });

  it('--version, -V and version print the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const args of [['--version'], ['-V'], ['version']]) {
      const result = await run(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`kafka-plc ${version}\n`);
    }
  });
});

describe('did you mean', () => {
  it.each([
    [['plna'], 'unknown command "plna"; did you mean "plan"?'],
    [['stauts'], 'unknown command "stauts"; did you mean "status"?'],
    [['help', 'rol'], 'no command "rol"; did you mean "roll"?'],
    [['plan', '--sepc', 'x'], 'unknown option --sepc; did you mean "--spec"?'],
    [['status', '--no-kafak'], 'unknown option --no-kafak; did you mean "--no-kafka"?'],
  ])('%j → %s (exit 2, no AWS call)', async (args, message) => {
    // Act
    const result = await run(args);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    noAwsCall();
  });

  it('suggests nothing for a word far from every known one', async () => {
    const result = await run(['deploy']);
    expect(result.stderr).toBe('kafka-plc: unknown command "deploy" (kafka-plc help lists them)\n');
  });

  it('a value missing after its option, and a stray argument, each said plainly', async () => {
    expect((await run(['plan', '--spec'])).stderr).toBe('kafka-plc: --spec needs a value\n');
    expect((await run(['plan', 'examples/seed-usw2.json'])).stderr).toContain(
      'unexpected argument "examples/seed-usw2.json": every value follows its option, as in --spec FILE',
    );
  });

  it('spec fields: the nearest field named, at any depth; missing and mistyped values in our words', async () => {
    // Prepare
    const spec = seedSpec() as Record<string, unknown> & { consumer: Record<string, unknown> };
    const { principals, ...consumer } = spec.consumer;
    const file = specFile({
      ...spec,
      region: 5,
      brokersPerAZ: 1,
      consumer: { ...consumer, principal: principals },
    });
    // Act
    const result = await run(['plan', '--spec', file]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('  - region = 5: must be a string (got a whole number)\n');
    expect(result.stderr).toContain('  - consumer.principals = missing: is required\n');
    expect(result.stderr).toContain(
      '  - consumer.principal = ["arn:aws:iam::123456789012:root"]: is not a field of the cluster spec; did you mean "principals"?\n',
    );
    expect(result.stderr).toContain(
      '  - brokersPerAZ = 1: is not a field of the cluster spec; did you mean "brokersPerAz"?\n',
    );
    expect(result.stderr).not.toMatch(/Invalid input|expected string, received/);
  });
});

describe('--local needs an emulator', () => {
  it.each([
    ['provision', '--spec', '/does/not/exist.json', '--local'],
    ['teardown', '--spec', '/does/not/exist.json', '--local'],
    ['roll', '--spec', '/does/not/exist.json', '--local'],
    ['rotate-credentials', '--spec', '/does/not/exist.json', '--local'],
  ])(
    '%s … --local without AWS_ENDPOINT_URL: exit 2 before the spec is read or AWS is called',
    async (...args) => {
      // Act
      const result = await run(args);
      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--local needs AWS_ENDPOINT_URL');
      expect(result.stderr).toContain('against your real AWS account');
      expect(result.stderr).not.toContain('exist.json');
      noAwsCall();
    },
  );
});

describe('set-unique-name', () => {
  it('a cluster that does not exist: exit 2 naming it and where kafka-plc looked; nothing written', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'none', $metadata: {} }));
    // Act
    const result = await run([
      'set-unique-name',
      '--cluster',
      'seed-usw',
      '--region',
      'us-west-2',
      '--value',
      'tidb-a',
    ]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no cluster "seed-usw" in us-west-2');
    expect(result.stderr).toContain('/kafka-plc/seed-usw/spec');
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('takes --spec like the other commands (cluster and region from it); not together with --cluster', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'none', $metadata: {} }));
    const file = specFile(seedSpec());
    // Act
    const bySpec = await run(['set-unique-name', '--spec', file, '--value', 'tidb-a']);
    const both = await run(['set-unique-name', '--spec', file, '--cluster', 'x', '--value', 'tidb-a']);
    // Assess
    expect(bySpec.stderr).toContain('no cluster "seed-usw2" in us-west-2');
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input.Name).toBe('/kafka-plc/seed-usw2/spec');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --spec, or --cluster (and --region)');
  });
});

describe('set-unique-name shows the roll it started', () => {
  const MACHINE = 'arn:aws:states:us-west-2:123456789012:stateMachine:kafka-plc-dev-roll-brokers';
  const WRITTEN = new Date('2026-12-01T10:00:00Z');
  const EXECUTION = `arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-roll-brokers:seed-usw2-unique-name-v2-${WRITTEN.getTime() / 1000}`;

  beforeEach(() => {
    // Prepare: the applied spec waits for a unique name; stage dev owns the cluster; the write is version 2;
    // stage dev's roll machine exists (and stage prod's, which is not the one to follow)
    ssm.on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/spec' }).resolves({
      Parameter: { Name: '/kafka-plc/seed-usw2/spec', Value: JSON.stringify(seedSpec()), Version: 1 },
    });
    ssm
      .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
      .resolves({ Parameter: { Name: '/kafka-plc/seed-usw2/stage', Value: 'dev', Version: 1 } });
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    ssm.on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/unique-name' }).resolves({
      Parameter: {
        Name: '/kafka-plc/seed-usw2/unique-name',
        Value: 'tidb-a',
        Version: 2,
        LastModifiedDate: WRITTEN,
      },
    });
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'kafka-plc-prod-roll-brokers',
          stateMachineArn: MACHINE.replace('-dev-', '-prod-'),
          type: 'STANDARD',
          creationDate: WRITTEN,
        },
        {
          name: 'kafka-plc-dev-roll-brokers',
          stateMachineArn: MACHINE,
          type: 'STANDARD',
          creationDate: WRITTEN,
        },
      ],
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  });

  it("names the execution the rule started (by the write's version and time) and links it", async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: EXECUTION, status: 'RUNNING', startDate: WRITTEN });
    // Act
    const result = await run(['set-unique-name', '--spec', specFile(seedSpec()), '--value', 'tidb-a']);
    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'region us-west-2, stage dev: unique name of cluster seed-usw2 set to tidb-a',
    );
    expect(result.stderr).toContain(
      `roll started (RUNNING): https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${EXECUTION}`,
    );
    expect(JSON.parse(result.stdout)).toEqual({
      parameter: '/kafka-plc/seed-usw2/unique-name',
      value: 'tidb-a',
      version: 2,
      executionArn: EXECUTION,
    });
  });

  it('--wait follows the roll to its end and prints its output', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      status: 'SUCCEEDED',
      startDate: WRITTEN,
      output: JSON.stringify({ brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }] }),
    });
    // Act
    const result = await run([
      'set-unique-name',
      '--spec',
      specFile(seedSpec()),
      '--value',
      'tidb-a',
      '--wait',
    ]);
    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      executionArn: EXECUTION,
      roll: { brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }] },
    });
  });

  const setName = (...extra: string[]) =>
    run(['set-unique-name', '--spec', specFile(seedSpec()), '--value', 'tidb-a', ...extra]);

  it('names the owning stage, and refuses --stage of another one before writing', async () => {
    // Act
    const result = await setName('--stage', 'prod');
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--stage prod: cluster seed-usw2 belongs to stage dev');
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('a cluster no stage owns (provisioned before stages were recorded): refused before the write, with the way out', async () => {
    // Prepare
    ssm
      .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
      .rejects(new ParameterNotFound({ message: 'none', $metadata: {} }));
    // Act
    const result = await setName();
    // Assess: no trigger would roll it, so nothing is written
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no stage owns cluster seed-usw2 (/kafka-plc/seed-usw2/stage is absent');
    expect(result.stderr).toContain('kafka-plc provision --spec <file> --stage <stage>');
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('--stage that is not a stage name: exit 2 naming the flag and the value, no AWS call', async () => {
    // Act
    const result = await setName('--stage', 'my_stage');
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--stage');
    expect(result.stderr).toContain('my_stage');
    noAwsCall();
  });
});

describe('no credentials', () => {
  it('says how to sign in instead of only "Could not load credentials"', async () => {
    // Prepare
    // the first AWS call, GetCallerIdentity (saying which account), is where it shows
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    // Act
    const result = await run(['provision', '--spec', specFile(seedSpec())]);
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CredentialsProviderError: Could not load credentials');
    expect(result.stderr).toContain('No AWS credentials were found. Sign in (aws sso login');
  });

  it('names no hint for other failures', () => {
    expect(awsSetupHint('AwsCallError: DescribeVpcs failed: UnauthorizedOperation')).toBeUndefined();
    expect(awsSetupHint('Error: Region is missing')).toContain('AWS_REGION');
  });
});
