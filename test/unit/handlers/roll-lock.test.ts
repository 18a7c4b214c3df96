/**
 * AcquireRollLock / ReleaseRollLock handlers with aws-sdk-client-mock: the orderings the emulator cannot
 * stage (a retried acquire after the lock was taken, a conditional write lost to another execution).
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as acquireRollLock } from '../../../functions/acquire-roll-lock/handler';
import { handler as releaseRollLock } from '../../../functions/release-roll-lock/handler';
import { seedSpec } from '../../fixtures/specs';
import { lambdaContext } from '../../helpers/lambda';

const db = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const ssm = mockClient(SSMClient);
const ME =
  'arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-roll-brokers:seed-usw2-unique-name-v2-1';
const OTHER =
  'arn:aws:states:us-west-2:123456789012:execution:kafka-plc-dev-roll-brokers:seed-usw2-unique-name-v3-2';
const spec = { ...seedSpec(), uniqueName: 'tidb-abc' };
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const lockHeldBy = (holder: string) => ({
  Item: {
    cluster: { S: 'seed-usw2' },
    holder: { S: holder },
    holderStartedAt: { N: String(Date.now()) },
    uniqueName: { S: 'tidb-xyz' },
  },
});
const acquire = (parameterVersion?: number) =>
  acquireRollLock(
    {
      execution: ME,
      startedAt: new Date().toISOString(),
      request: {
        spec,
        ...(parameterVersion === undefined ? {} : { parameterVersion }),
        lock: { attempt: 0 },
      },
    },
    lambdaContext('acquireRollLock'),
  );

beforeEach(() => {
  db.reset();
  sfn.reset();
  ssm.reset();
  process.env.ROLL_LOCK_TABLE = 'kafka-plc-dev-roll-locks';
});
afterEach(() => {
  delete process.env.ROLL_LOCK_TABLE;
});

describe('AcquireRollLock', () => {
  it('a retried acquire finds the lock already its own, even once a newer name was written: it rolls and will give it back', async () => {
    // Prepare: this execution took the lock; the parameter has moved on to version 3 since
    db.on(GetItemCommand).resolves(lockHeldBy(ME));
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'tidb-newer', Version: 3 } });
    // Act
    const out = await acquire(2);
    // Assess: not "superseded" (that would end the execution holding the lock), and nothing written
    expect(out).toMatchObject({ status: 'acquired' });
    expect(db.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('a roll for an older write that does not hold the lock ends superseded, taking nothing', async () => {
    // Prepare
    db.on(GetItemCommand).resolves({});
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'tidb-newer', Version: 3 } });
    // Act
    const out = await acquire(2);
    // Assess
    expect(out).toMatchObject({ status: 'superseded', reason: expect.stringContaining('version 3 after 2') });
    expect(db.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('loses a race for a free lock to another execution, looks again and waits for it', async () => {
    // Prepare: free at the first look; the create fails its condition; then held by a running roll
    db.on(GetItemCommand).resolvesOnce({}).resolves(lockHeldBy(OTHER));
    db.on(PutItemCommand).rejects(conditionFailed());
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    // Act
    const out = await acquire();
    // Assess
    expect(out).toMatchObject({
      status: 'wait',
      attempt: 1,
      waitSeconds: 60,
      reason: expect.stringContaining(`(${OTHER}) is running`),
    });
    expect(db.commandCalls(PutItemCommand).map((c) => c.args[0].input.ConditionExpression)).toEqual([
      'attribute_not_exists(#c)',
    ]);
  });

  it('names a missing table as a configuration error', async () => {
    // Prepare
    db.on(GetItemCommand).rejects(
      Object.assign(new Error('Requested resource not found'), {
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    // Act + Assess
    await expect(acquire()).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('table kafka-plc-dev-roll-locks does not exist (ROLL_LOCK_TABLE)'),
    });
  });
});

describe('ReleaseRollLock', () => {
  it('deletes the lock only on this execution (a condition on the holder); not holding it is no error', async () => {
    // Prepare
    db.on(DeleteItemCommand).rejects(conditionFailed());
    // Act
    const out = await releaseRollLock({ spec, execution: ME }, lambdaContext('releaseRollLock'));
    // Assess
    expect(out).toEqual({ released: false });
    expect(db.commandCalls(DeleteItemCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'kafka-plc-dev-roll-locks',
      Key: { cluster: { S: 'seed-usw2' } },
      ConditionExpression: 'holder = :me',
      ExpressionAttributeValues: { ':me': { S: ME } },
    });
  });
});
