/**
 * Two stages in one account and region: stage-qualified names, the owner of a cluster (claimed by ValidateSpec,
 * respected by the unique-name trigger and sweep) and the CLI's choice of stage. aws-sdk-client-mock; the
 * emulator suite test/emulator/stages.test.ts runs the same on moto with the packaged roles.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveStage, stageFlag } from '../../cli/commands/stage';
import { handler as ensureNetwork } from '../../functions/ensure-network/handler';
import {
  acceptTableName,
  DEFAULT_STAGE,
  deployedStages,
  rollLockTableName,
  STAGE_MAX,
  STAGE_PATTERN,
  stateMachineName,
} from '../../functions/lib/domain/names';
import { ownedHere } from '../../functions/lib/domain/ownership';
import { claimCluster } from '../../functions/lib/steps/ownership';
import { handler as onUniqueNameChange } from '../../functions/on-unique-name-change/handler';
import { handler as reconcileUniqueNames } from '../../functions/reconcile-unique-names/handler';
import { handler as validateSpec } from '../../functions/validate-spec/handler';
import { seedSpec } from '../fixtures/specs';
import { lambdaContext } from '../helpers/lambda';

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const sfn = mockClient(SFNClient);
const ROLL = 'arn:aws:states:us-west-2:123456789012:stateMachine:kafka-plc-dev-roll-brokers';
const notFound = () => new ParameterNotFound({ message: 'none', $metadata: {} });
const owner = (cluster: string, stage: string | undefined) => {
  const stub = ssm.on(GetParameterCommand, { Name: `/kafka-plc/${cluster}/stage` });
  if (stage === undefined) stub.rejects(notFound());
  else stub.resolves({ Parameter: { Name: `/kafka-plc/${cluster}/stage`, Value: stage, Version: 1 } });
};

beforeEach(() => {
  ssm.reset();
  sfn.reset();
  ec2.reset();
  vi.restoreAllMocks();
  process.env.AWS_REGION = 'us-west-2';
  process.env.KAFKA_PLC_STAGE = 'dev';
  process.env.ROLL_STATE_MACHINE_ARN = ROLL;
});

describe('stage-qualified names', () => {
  it('every name the stack gives carries the stage', () => {
    expect(stateMachineName('prod', 'provision')).toBe('kafka-plc-prod-provision');
    expect(stateMachineName('dev', 'roll-brokers')).toBe('kafka-plc-dev-roll-brokers');
    expect(acceptTableName('prod')).toBe('kafka-plc-prod-accept-windows');
    expect(rollLockTableName('prod')).toBe('kafka-plc-prod-roll-locks');
    expect(DEFAULT_STAGE).toBe('dev');
  });

  it('finds the deployed stages from the provision state machines, hyphenated stages included', () => {
    expect(
      deployedStages([
        'kafka-plc-prod-provision',
        'kafka-plc-prod-roll-brokers',
        'kafka-plc-team-a-provision',
        'kafka-plc-provision', // a deployment from before stage-qualified names: no stage
        'other-provision',
      ]),
    ).toEqual(['prod', 'team-a']);
  });

  it.each([
    ['dev', true],
    ['prod-eu', true],
    ['A1', true],
    ['x'.repeat(STAGE_MAX), true],
    ['x'.repeat(STAGE_MAX + 1), false],
    ['-dev', false],
    ['dev-', false],
    ['my_stage', false],
    ['', false],
  ])('stage name %j is valid: %s', (stage, valid) => {
    expect(STAGE_PATTERN.test(stage)).toBe(valid);
  });

  it('--stage is checked before any AWS call: the flag and the value named', () => {
    expect(stageFlag(undefined)).toBeUndefined();
    expect(stageFlag('prod')).toBe('prod');
    expect(() => stageFlag('my_stage')).toThrow(
      expect.objectContaining({ name: 'SpecValidationError', message: expect.stringContaining('my_stage') }),
    );
  });
});

describe('ownedHere', () => {
  it('the owner acts; another stage and a cluster no stage owns are left, each with why', () => {
    expect(ownedHere('a', 'dev', 'dev')).toEqual({ ok: true });
    expect(ownedHere('a', 'prod', 'dev')).toEqual({
      ok: false,
      reason: 'cluster a belongs to stage prod, not dev',
    });
    const unowned = ownedHere('a', undefined, 'dev');
    expect(unowned.ok).toBe(false);
    expect(!unowned.ok && unowned.reason).toContain('kafka-plc provision --spec <file> --stage dev');
  });
});

describe('the first step that creates something claims the cluster; ValidateSpec only checks', () => {
  const claim = () => claimCluster('us-west-2', 'seed-usw2', 'dev');

  it('a cluster no stage owns: claimed with PutParameter without overwrite, tagged with the cluster', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(notFound());
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    // Act
    const outcome = await claim();
    // Assess
    expect(outcome).toBe('claimed');
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        Name: '/kafka-plc/seed-usw2/stage',
        Value: 'dev',
        Overwrite: false,
        Tags: [{ Key: 'kafka-plc:cluster', Value: 'seed-usw2' }],
      }),
    ]);
  });

  it('its own cluster: nothing written', async () => {
    owner('seed-usw2', 'dev');
    await expect(claim()).resolves.toBe('owned');
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('two stages claiming at once: the one whose PutParameter lost reads the winner and is refused', async () => {
    // Prepare: absent at the first read, then created by stage prod before our PutParameter
    ssm
      .on(GetParameterCommand, { Name: '/kafka-plc/seed-usw2/stage' })
      .rejectsOnce(notFound())
      .resolves({ Parameter: { Value: 'prod', Version: 1 } });
    ssm
      .on(PutParameterCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ParameterAlreadyExists', $fault: 'client' }));
    // Act / Assess
    await expect(claim()).rejects.toMatchObject({
      name: 'ResourceConflictError',
      message: expect.stringContaining('belongs to stage prod'),
    });
  });

  it("EnsureNetwork refuses another stage's cluster before any EC2 call", async () => {
    owner('seed-usw2', 'prod');
    await expect(ensureNetwork({ spec: seedSpec() }, lambdaContext())).rejects.toMatchObject({
      name: 'ResourceConflictError',
      message: expect.stringMatching(/belongs to stage prod .*this is stage dev's stack.*--stage prod/),
    });
    expect(ec2.calls()).toHaveLength(0);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it("ValidateSpec refuses another stage's cluster, and claims nothing itself (a teardown must not)", async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(notFound());
    // Act
    await validateSpec(seedSpec(), lambdaContext());
    owner('seed-usw2', 'prod');
    const refused = validateSpec(seedSpec(), lambdaContext());
    // Assess
    await expect(refused).rejects.toMatchObject({ name: 'ResourceConflictError' });
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('without KAFKA_PLC_STAGE: ConfigurationError naming the variable', async () => {
    delete process.env.KAFKA_PLC_STAGE;
    await expect(validateSpec(seedSpec(), lambdaContext())).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('KAFKA_PLC_STAGE'),
    });
  });
});

describe("the unique-name trigger and sweep act on their stage's clusters only", () => {
  const written = new Date('2026-12-02T10:00:00Z');
  const change = (cluster: string) => ({
    source: 'aws.ssm',
    'detail-type': 'Parameter Store Change',
    detail: { name: `/kafka-plc/${cluster}/unique-name`, operation: 'Update' },
  });

  beforeEach(() => {
    // Prepare: three clusters waiting for their unique name, each written; roll executions not started yet
    for (const cluster of ['mine', 'theirs', 'legacy']) {
      ssm.on(GetParameterCommand, { Name: `/kafka-plc/${cluster}/unique-name` }).resolves({
        Parameter: { Value: 'tidb-a', Version: 2, LastModifiedDate: written },
      });
      ssm.on(GetParameterCommand, { Name: `/kafka-plc/${cluster}/spec` }).resolves({
        Parameter: { Value: JSON.stringify({ ...seedSpec(), clusterName: cluster }), Version: 1 },
      });
    }
    owner('mine', 'dev');
    owner('theirs', 'prod');
    owner('legacy', undefined);
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `${ROLL.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    }));
  });

  it("rolls its own cluster; another stage's write starts nothing here; a cluster no stage owns is warned about", async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    // Act
    const mine = await onUniqueNameChange(change('mine'), lambdaContext());
    const theirs = await onUniqueNameChange(change('theirs'), lambdaContext());
    const legacy = await onUniqueNameChange(change('legacy'), lambdaContext());
    // Assess
    expect(mine).toMatchObject({ started: true, cluster: 'mine' });
    expect(theirs).toEqual({
      started: false,
      cluster: 'theirs',
      reason: 'cluster theirs belongs to stage prod, not dev',
    });
    expect(legacy).toMatchObject({
      started: false,
      reason: expect.stringContaining('no stage owns cluster legacy'),
    });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.stateMachineArn)).toEqual([
      ROLL,
    ]);
    expect(warn).toHaveBeenCalledWith(
      'unique name written for a cluster no stage owns: no roll',
      expect.objectContaining({ cluster: 'legacy' }),
    );
  });

  it('the sweep reconciles only the clusters its stage owns', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        ...['mine', 'theirs', 'legacy'].flatMap((cluster) => [
          { Name: `/kafka-plc/${cluster}/spec`, Value: '{}' },
          { Name: `/kafka-plc/${cluster}/unique-name`, Value: 'tidb-a' },
        ]),
        { Name: '/kafka-plc/mine/stage', Value: 'dev' },
        { Name: '/kafka-plc/theirs/stage', Value: 'prod' },
      ],
    });
    // Act
    const result = await reconcileUniqueNames({}, lambdaContext());
    // Assess
    expect(result).toMatchObject({ clusters: 1, started: ['mine'] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });
});

describe('the CLI finds its stage', () => {
  const machines = (...names: string[]) =>
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: names.map((name) => ({
        name,
        stateMachineArn: `arn:aws:states:us-west-2:123456789012:stateMachine:${name}`,
        type: 'STANDARD',
        creationDate: new Date(),
      })),
    });
  const resolve = (flag?: string, local = false) =>
    resolveStage({ region: 'us-west-2', cluster: 'seed-usw2', flag, local });

  it("the cluster's owner first, whatever is deployed; a different --stage is refused", async () => {
    owner('seed-usw2', 'prod');
    machines('kafka-plc-dev-provision', 'kafka-plc-prod-provision');
    await expect(resolve()).resolves.toBe('prod');
    await expect(resolve('prod')).resolves.toBe('prod');
    await expect(resolve('dev')).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('--stage dev: cluster seed-usw2 belongs to stage prod'),
    });
  });

  it('a new cluster: --stage, else the only stage deployed; none or several deployed are explained', async () => {
    owner('seed-usw2', undefined);
    machines('kafka-plc-dev-provision', 'kafka-plc-prod-provision', 'kafka-plc-prod-teardown');
    await expect(resolve('prod')).resolves.toBe('prod');
    await expect(resolve()).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('2 kafka-plc stages are deployed in us-west-2 (dev, prod)'),
    });
    machines('kafka-plc-prod-provision');
    await expect(resolve()).resolves.toBe('prod');
    machines();
    await expect(resolve()).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('no kafka-plc stack in us-west-2'),
    });
    // --local: the default stage's names in the emulator, nothing listed
    sfn.reset();
    await expect(resolve(undefined, true)).resolves.toBe('dev');
    expect(sfn.calls()).toHaveLength(0);
  });
});
