/**
 * One roll per cluster at a time (the roll state machine's own lock, domain/roll-lock.ts) and the
 * unique-name sweep, on the emulator: the real roll ASL and Lambdas, IAM judged, DynamoDB's conditional
 * writes as moto serves them; brokers' health from the labelled stand-in (KAFKA_PLC_HEALTH_SOURCE).
 */
import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_LOCK_TABLE } from '../../cli/local-prereqs';
import { type LocalEvent, runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import { logger } from '../../functions/lib/logger';
import { handler as reconcileUniqueNames } from '../../functions/reconcile-unique-names/handler';
import { asFunction } from '../aws-model/iam';
import { type Emulator, FAST, SEED, startEmulator } from '../helpers/emulator';
import { lambdaContext } from '../helpers/lambda';

const REGION = 'us-west-2';
const rollInput = (uniqueName: string, extra: Record<string, unknown> = {}) => ({
  spec: { ...SEED, uniqueName },
  previousUniqueName: 'unique_name',
  ...extra,
});
const LOCK_ENV = { ROLL_LOCK_WAIT_SECONDS: '1', ROLL_LOCK_MAX_WAITS: '60' };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  // Prepare: a provisioned cluster with the placeholder name; lock waits of one second
  await emulator.fresh(REGION);
  Object.assign(process.env, LOCK_ENV);
  const provisioned = await runLocal('provision', SEED, FAST);
  expect(provisioned.status).toBe('SUCCEEDED');
  emulator.recorder.clear();
});
afterEach(() => {
  for (const key of Object.keys(LOCK_ENV)) delete process.env[key];
});

const lockItems = async () =>
  (await clients(REGION).dynamodb.send(new ScanCommand({ TableName: LOCAL_LOCK_TABLE }))).Items ?? [];

/** The unique name each roll command carried, in the order they were sent. */
function rollCommandNames(): string[] {
  return emulator.recorder.calls
    .filter((c) => c.operation === 'SendCommand')
    .map((c) => {
      const script = ((c.input.Parameters as { commands?: string[] })?.commands ?? []).join('\n');
      return /\.(tidb-[a-z0-9]+)\./.exec(script)?.[1] ?? '?';
    });
}

const countState = (events: LocalEvent[], state: string) =>
  events.filter((e) => e.type === 'StateEntered' && e.state === state).length;

async function putLock(cluster: string, holder: string, startedAt: number) {
  await clients(REGION).dynamodb.send(
    new PutItemCommand({
      TableName: LOCAL_LOCK_TABLE,
      Item: {
        cluster: { S: cluster },
        holder: { S: holder },
        holderStartedAt: { N: String(startedAt) },
        uniqueName: { S: 'tidb-old' },
      },
    }),
  );
}

describe('one roll per cluster at a time', () => {
  it('a second roll started while one runs waits for the lock and rolls after it: never two at once', async () => {
    // Act: two rolls of the same cluster started together (as a trigger and `kafka-plc roll` could)
    const firstEvents: LocalEvent[] = [];
    const secondEvents: LocalEvent[] = [];
    const [first, second] = await Promise.all([
      runLocal('roll-brokers', rollInput('tidb-aaa'), { ...FAST, onEvent: (e) => firstEvents.push(e) }),
      runLocal('roll-brokers', rollInput('tidb-bbb'), { ...FAST, onEvent: (e) => secondEvents.push(e) }),
    ]);
    // Assess: both succeeded; one of them waited; each broker's commands came in two unbroken runs
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const waits = [countState(firstEvents, 'WaitForRollLock'), countState(secondEvents, 'WaitForRollLock')];
    expect(waits.filter((n) => n > 0)).toHaveLength(1);
    const names = rollCommandNames();
    expect(names).toHaveLength(6);
    const [winner, loser] = waits[0] === 0 ? ['tidb-aaa', 'tidb-bbb'] : ['tidb-bbb', 'tidb-aaa'];
    expect(names).toEqual([winner, winner, winner, loser, loser, loser]);
    expect(await lockItems()).toEqual([]);
    // every lock call was judged against the Lambdas' packaged roles, and none denied
    const lockFunctions = new Set(emulator.iam.judged.map((j) => j.functionKey));
    expect([...lockFunctions].filter((k) => k.endsWith('RollLock')).sort()).toEqual([
      'acquireRollLock',
      'releaseRollLock',
    ]);
    expect(emulator.iam.denied()).toEqual([]);
  });

  it('takes over the lock of a roll that ended without giving it back, with a write conditional on that holder', async () => {
    // Prepare: a real (emulated) execution of the roll machine holds the lock, then is stopped
    const { sfn } = clients(REGION);
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: 'kafka-plc-dev-roll-brokers',
        definition: JSON.stringify({
          StartAt: 'W',
          States: { W: { Type: 'Wait', Seconds: 3600, End: true } },
        }),
        roleArn: 'arn:aws:iam::123456789012:role/kafka-plc-roll',
      }),
    );
    const stale = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'stopped-roll' }),
    );
    await sfn.send(new StopExecutionCommand({ executionArn: stale.executionArn }));
    await putLock(SEED.clusterName, stale.executionArn ?? '', Date.now());
    emulator.recorder.clear();
    // Act
    const events: LocalEvent[] = [];
    const run = await runLocal('roll-brokers', rollInput('tidb-ccc'), {
      ...FAST,
      onEvent: (e) => events.push(e),
    });
    // Assess
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    expect(countState(events, 'WaitForRollLock')).toBe(0);
    const takeOver = emulator.recorder.calls.find(
      (c) => c.operation === 'PutItem' && c.input.ConditionExpression === 'holder = :stale',
    );
    expect(takeOver?.input.ExpressionAttributeValues).toEqual({ ':stale': { S: stale.executionArn } });
    expect(rollCommandNames()).toEqual(['tidb-ccc', 'tidb-ccc', 'tidb-ccc']);
    expect(await lockItems()).toEqual([]);
  });

  it("matches the cluster exactly: a running roll of seed-usw2-prod does not hold seed-usw2's lock", async () => {
    // Prepare: a young lock of another cluster whose name starts with this one's
    await putLock(
      `${SEED.clusterName}-prod`,
      'arn:aws:states:us-west-2:123456789012:execution:x:y',
      Date.now(),
    );
    // Act
    const events: LocalEvent[] = [];
    const run = await runLocal('roll-brokers', rollInput('tidb-ddd'), {
      ...FAST,
      onEvent: (e) => events.push(e),
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(countState(events, 'WaitForRollLock')).toBe(0);
    expect((await lockItems()).map((i) => i.cluster?.S)).toEqual([`${SEED.clusterName}-prod`]);
  });

  it('gives the lock back when the roll fails, and reports the original error', async () => {
    // Prepare: a cluster that was never provisioned (PrepareRoll fails after the lock was taken)
    const spec = { ...SEED, clusterName: 'never-built', uniqueName: 'tidb-eee' };
    // Act
    const run = await runLocal('roll-brokers', { spec, previousUniqueName: 'unique_name' }, FAST);
    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ResourceConflictError');
    expect(run.cause).toContain('broker 1 of never-built has no instance: provision first');
    expect(emulator.recorder.calls.filter((c) => c.operation === 'PutItem')).toHaveLength(1);
    expect(emulator.recorder.calls.filter((c) => c.operation === 'DeleteItem')).toHaveLength(1);
    expect(await lockItems()).toEqual([]);
  });

  it('gives up waiting after ROLL_LOCK_MAX_WAITS with RollInProgressError naming the holder; its lock stays', async () => {
    // Prepare: a holder that may be running (it cannot be described and started a minute ago)
    const holder = 'arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-roll-brokers:elsewhere';
    await putLock(SEED.clusterName, holder, Date.now() - 60_000);
    process.env.ROLL_LOCK_MAX_WAITS = '2';
    // Act
    const run = await runLocal('roll-brokers', rollInput('tidb-fff'), FAST);
    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RollInProgressError');
    expect(run.cause).toContain(holder);
    expect(run.cause).toContain('gave up after 2 waits of 1s');
    expect(rollCommandNames()).toEqual([]);
    const [item] = await lockItems();
    expect(item?.holder?.S).toBe(holder);
  });

  it('a roll started for an older write of the unique name ends superseded, sending nothing', async () => {
    // Prepare: the parameter is at version 2 (provisioning wrote version 1)
    await clients(REGION).ssm.send(
      new PutParameterCommand({
        Name: `/kafka-plc/${SEED.clusterName}/unique-name`,
        Value: 'tidb-new',
        Overwrite: true,
        Type: 'String',
      }),
    );
    // Act
    const run = await runLocal('roll-brokers', rollInput('tidb-old', { parameterVersion: 1 }), FAST);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(rollCommandNames()).toEqual([]);
    expect(emulator.recorder.calls.filter((c) => c.operation === 'PutItem')).toEqual([]);
  });
});

describe('the unique-name sweep (EventBridge delivery is best effort)', () => {
  it('starts the roll a lost event would have started, once per write; none where brokers already advertise it', async () => {
    // Prepare: the deployed roll machine (moto runs no execution) and a written name whose event was lost
    const { sfn, ssm } = clients(REGION);
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: 'kafka-plc-dev-roll-brokers',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
        roleArn: 'arn:aws:iam::123456789012:role/kafka-plc-roll',
      }),
    );
    process.env.ROLL_STATE_MACHINE_ARN = machine.stateMachineArn;
    process.env.AWS_REGION = REGION;
    const sweep = () =>
      asFunction('reconcileUniqueNames', () =>
        reconcileUniqueNames({}, lambdaContext('reconcileUniqueNames')),
      );
    const errors = vi.spyOn(logger, 'error');
    const before = (await sweep()) as { clusters: number; started: string[] };
    const errorsWhileWaitingForTiDB = errors.mock.calls.length;
    errors.mockRestore();
    await ssm.send(
      new PutParameterCommand({
        Name: `/kafka-plc/${SEED.clusterName}/unique-name`,
        Value: 'tidb-swept',
        Overwrite: true,
        Type: 'String',
      }),
    );
    // Act
    const first = (await sweep()) as { started: string[]; outcomes: { reason?: string }[] };
    const again = (await sweep()) as { started: string[]; outcomes: { reason?: string }[] };
    // Assess: nothing to do with the placeholder; then one start, and the next sweep finds it started
    expect(before).toMatchObject({ clusters: 1, started: [] });
    // the placeholder is the normal state until TiDB Cloud returns the name: no error every 15 minutes
    expect(errorsWhileWaitingForTiDB).toBe(0);
    expect(first.started).toEqual([SEED.clusterName]);
    expect(again.started).toEqual([]);
    expect(again.outcomes[0]?.reason).toMatch(/a roll for version 2 was already started: arn:.*\(RUNNING\)$/);
    const started = emulator.recorder.calls.filter((c) => c.operation === 'StartExecution');
    expect(started.map((c) => JSON.parse(String(c.input.input)).parameterVersion)).toEqual([2]);
    expect(
      (
        await clients(REGION).dynamodb.send(
          new GetItemCommand({ TableName: LOCAL_LOCK_TABLE, Key: { cluster: { S: SEED.clusterName } } }),
        )
      ).Item,
    ).toBeUndefined();
  });
});
