/**
 * Two stages of the stack in one account and region (issue 18: "stage-qualified names so stages coexist"):
 * each has its own state machines and tables; a cluster belongs to the stage that first provisioned it, and
 * the other stage's provision, teardown, trigger and sweep leave it alone. Stage dev's Lambdas are judged
 * against the packaged (dev) roles; stage prod runs the same handlers unjudged — its roles would be the same
 * template packaged as prod, whose ARNs name prod's tables and machines.
 */

import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLocalEnvironment } from '../../cli/local-prereqs';
import { runLocal } from '../../cli/local-sfn';
import { main } from '../../cli/main';
import { clients } from '../../functions/lib/aws/clients';
import { handler as onUniqueNameChange } from '../../functions/on-unique-name-change/handler';
import { handler as reconcileUniqueNames } from '../../functions/reconcile-unique-names/handler';
import { asFunction } from '../aws-model/iam';
import { type Emulator, FAST, SEED, snapshot, startEmulator } from '../helpers/emulator';
import { lambdaContext } from '../helpers/lambda';

const REGION = 'us-west-2';
const A = { ...SEED, clusterName: 'seed-usw2' };
const B = { ...SEED, clusterName: 'seed-usw2-b' };
const UNJUDGED = { waitScale: 0, retryPauseMs: 0 };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await prepareLocalEnvironment(REGION, 'dev');
  await emulator?.stop();
});

/** What each stage's deployed stack provides here: its environment, tables and a stand-in roll machine. */
async function asStage(stage: 'dev' | 'prod') {
  await prepareLocalEnvironment(REGION, stage);
  const name = `kafka-plc-${stage}-roll-brokers`;
  const machines = await clients(REGION).sfn.send(new ListStateMachinesCommand({}));
  const existing = machines.stateMachines?.find((m) => m.name === name)?.stateMachineArn;
  process.env.ROLL_STATE_MACHINE_ARN =
    existing ??
    (
      await clients(REGION).sfn.send(
        new CreateStateMachineCommand({
          name,
          definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
          roleArn: `arn:aws:iam::123456789012:role/${name}`,
        }),
      )
    ).stateMachineArn;
  process.env.AWS_REGION = REGION;
}

const unique = (cluster: string) => `/kafka-plc/${cluster}/unique-name`;
const trigger = (cluster: string) =>
  onUniqueNameChange({ detail: { name: unique(cluster), operation: 'Update' } }, lambdaContext());

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join(''), text: out.join('') + err.join('') };
}

describe('two stages in one region', () => {
  it("each provisions its own cluster; neither provisions, tears down, rolls or sweeps the other's", async () => {
    // Prepare: stage dev provisions A (judged against the packaged roles)
    await emulator.fresh();
    await asStage('dev');
    const devA = await runLocal('provision', A, FAST);
    expect(devA.status, `${devA.error}: ${devA.cause}`).toBe('SUCCEEDED');
    const ssm = clients(REGION).ssm;
    const before = await snapshot('seed-usw2');

    // Act 1: stage prod provisions A, then tears it down; then provisions its own B
    await asStage('prod');
    emulator.recorder.clear();
    const prodA = await runLocal('provision', A, UNJUDGED);
    const prodTeardownA = await runLocal('teardown', A, UNJUDGED);
    const mutatedByProd = emulator.recorder.mutating().map((c) => c.operation);
    const afterRefusals = await snapshot('seed-usw2');
    const prodB = await runLocal('provision', B, UNJUDGED);

    // Assess 1: refused at ValidateSpec, before anything is created or deleted; B is prod's
    for (const refused of [prodA, prodTeardownA]) {
      expect(refused.status).toBe('FAILED');
      expect(refused.failedState).toBe('ValidateSpec');
      expect(refused.cause).toContain(
        "cluster seed-usw2 belongs to stage dev (/kafka-plc/seed-usw2/stage); this is stage prod's stack",
      );
    }
    expect(mutatedByProd).toEqual([]);
    expect(afterRefusals).toEqual(before);
    expect(prodB.status, `${prodB.error}: ${prodB.cause}`).toBe('SUCCEEDED');
    const owner = async (cluster: string) =>
      (await ssm.send(new GetParameterCommand({ Name: `/kafka-plc/${cluster}/stage` }))).Parameter?.Value;
    expect([await owner('seed-usw2'), await owner('seed-usw2-b')]).toEqual(['dev', 'prod']);

    // Act 2: TiDB Cloud's unique names written for both; each stage's trigger sees both writes
    for (const cluster of ['seed-usw2', 'seed-usw2-b'])
      await ssm.send(
        new PutParameterCommand({ Name: unique(cluster), Value: 'tidb-x', Overwrite: true, Type: 'String' }),
      );
    const prodOnA = await trigger('seed-usw2');
    const prodOnB = await trigger('seed-usw2-b');
    await asStage('dev');
    const devOnB = await asFunction('onUniqueNameChange', () => trigger('seed-usw2-b'));
    const devSweep = await asFunction('reconcileUniqueNames', () =>
      reconcileUniqueNames({}, lambdaContext()),
    );

    // Assess 2: each stage rolls its own cluster only, in its own roll state machine
    expect(prodOnA).toEqual({
      started: false,
      cluster: 'seed-usw2',
      reason: 'cluster seed-usw2 belongs to stage dev, not prod',
    });
    expect(prodOnB).toMatchObject({
      started: true,
      executionArn: expect.stringContaining(':execution:kafka-plc-prod-roll-brokers:seed-usw2-b-'),
    });
    expect(devOnB).toMatchObject({
      started: false,
      reason: 'cluster seed-usw2-b belongs to stage prod, not dev',
    });
    expect(devSweep).toMatchObject({ clusters: 1, started: ['seed-usw2'] });
    expect(emulator.iam.denied()).toEqual([]);
    const tables = (await clients(REGION).dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    expect(tables.filter((t) => t.startsWith('kafka-plc-')).sort()).toEqual([
      'kafka-plc-dev-accept-windows',
      'kafka-plc-dev-roll-locks',
      'kafka-plc-prod-accept-windows',
      'kafka-plc-prod-roll-locks',
    ]);

    // Act 3 / Assess 3: the CLI names the owner, and refuses another --stage before anything starts
    const status = await cli([
      'status',
      '--spec',
      'examples/seed-usw2.json',
      '--format',
      'json',
      '--no-kafka',
    ]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      cluster: 'seed-usw2',
      stage: 'dev',
    });
    emulator.recorder.clear();
    const wrongStage = await cli([
      'provision',
      '--spec',
      'examples/seed-usw2.json',
      '--local',
      '--stage',
      'prod',
    ]);
    expect(wrongStage.code).toBe(2);
    expect(wrongStage.text).toContain('--stage prod: cluster seed-usw2 belongs to stage dev');
    expect(emulator.recorder.mutating()).toEqual([]);
  });
});
